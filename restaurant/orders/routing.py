"""WebSocket URLs, the way urls.py lists HTTP ones."""
from django.urls import path

from .consumers import OrderConsumer

websocket_urlpatterns = [
    path("ws/table/<int:table>/", OrderConsumer.as_asgi()),
]
