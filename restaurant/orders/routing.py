"""WebSocket URLs, the way urls.py lists HTTP ones."""
from django.urls import path

from .consumers import CustomerConsumer, KitchenConsumer, OrderConsumer

websocket_urlpatterns = [
    path("ws/table/<int:table>/", OrderConsumer.as_asgi()),
    path("ws/me/", CustomerConsumer.as_asgi()),
    path("ws/kitchen/", KitchenConsumer.as_asgi()),
]
