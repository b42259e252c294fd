"""What Daphne serves in the course: the restaurant's ASGI application (restaurant/asgi.py), behind
the door (door.py): a WebSocket without this run's door key is refused, as the Origin check refuses
one from another site. HTTP requests meet the door as Django middleware (settings.py)."""
from restaurant.asgi import application as restaurant

from .door import DoorKeyGuard

application = DoorKeyGuard(restaurant)
