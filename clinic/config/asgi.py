"""The ASGI application Daphne serves: `daphne config.asgi:application`.

HTTP goes to Django's views; WebSockets go through the Origin check and the session lookup to the
consumers listed in results/routing.py.
"""
import os

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
# Set Django up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from results.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
})
