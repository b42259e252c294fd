"""The buzzer: one open WebSocket per browser tab, served by Daphne.

On connect the consumer joins its table's group. A message sent to the group with type
"order.update" is delivered to the method `order_update` (dots become underscores). A message
whose type has no method makes the consumer fail, and Daphne closes the socket.
"""
from channels.generic.websocket import AsyncJsonWebsocketConsumer


class OrderConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.table = self.scope["url_route"]["kwargs"]["table"]
        self.group = f"table_{self.table}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def order_update(self, event):
        await self.send_json(event)  # {"type": "order.update", "order": {...}} down the socket
