"""The ASGI application Daphne serves: HTTP goes to Django's views, WebSockets to the consumers.

AllowedHostsOriginValidator refuses a WebSocket whose Origin is not in ALLOWED_HOSTS, so another
site open in the customer's browser cannot listen to the buzzers. AuthMiddlewareStack reads the
session cookie the socket's handshake carries and puts its user in each consumer's scope["user"],
as AuthenticationMiddleware sets request.user for a view.
"""
import os

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "restaurant.settings")
django_asgi_app = get_asgi_application()  # sets Django up before the consumers are imported

from restaurant.orders.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
})
