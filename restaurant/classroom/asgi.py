"""What Daphne serves in the course: the restaurant's ASGI application (restaurant/asgi.py), behind
the door (door.py): a WebSocket without this run's door key is refused, as the Origin check refuses
one from another site. HTTP requests meet the door as Django middleware (settings.py).

The labs: with ORDERUP_YOUR_ROUTES=<module> (a module the learner wrote, labkit/kitchen/your_code.py),
its ``websocket_urlpatterns`` come before the restaurant's, routed exactly as restaurant/asgi.py
routes its own (and its ``urlpatterns``, its views, before the restaurant's: urls.py)."""
import importlib
import os

from restaurant.asgi import application as restaurant

from .door import DoorKeyGuard


def with_your_routes(module_name: str):
    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator

    from restaurant.asgi import django_asgi_app
    from restaurant.orders.routing import websocket_urlpatterns

    yours = getattr(importlib.import_module(module_name), "websocket_urlpatterns", [])
    return ProtocolTypeRouter({
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter([*yours, *websocket_urlpatterns]))),
    })


if os.environ.get("ORDERUP_YOUR_ROUTES"):
    restaurant = with_your_routes(os.environ["ORDERUP_YOUR_ROUTES"])  # noqa: F811

application = DoorKeyGuard(restaurant)
