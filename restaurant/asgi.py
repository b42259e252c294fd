"""The ASGI application Daphne serves: HTTP goes to Django's views, WebSockets to the consumers.

AllowedHostsOriginValidator refuses a WebSocket whose Origin is not in ALLOWED_HOSTS, so another
site open in the learner's browser cannot listen to the buzzers. DoorKeyGuard refuses one without
this run's door key (restaurant/door.py), so another user of a shared machine cannot either.
"""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "restaurant.settings")
django_asgi_app = get_asgi_application()  # sets Django up before the consumers are imported

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from restaurant.door import DoorKeyGuard  # noqa: E402
from restaurant.orders.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": AllowedHostsOriginValidator(DoorKeyGuard(URLRouter(websocket_urlpatterns))),
})
