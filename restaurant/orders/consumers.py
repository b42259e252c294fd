"""The buzzer: one open WebSocket per browser tab, served by Daphne.

On connect the consumer joins its table's group. A message sent to the group with
type "order.update" is delivered to the method `order_update` (dots become underscores).
A message whose type has no method makes the consumer fail, and Daphne closes the socket.
"""
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from . import trace


class OrderConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.table = self.scope["url_route"]["kwargs"]["table"]
        self.group = settings.BUZZ_GROUP.format(table=self.table)  # "table_5"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def order_update(self, event):
        order = event["order"]
        if "id" in order:
            await trace.amark(order["id"], f"buzzer: order.update ({order.get('status')})")
        message = {"order": order}
        if "sent_at" in event:  # when the cook pressed the buzzer: the page shows how long it took
            message["sent_at"] = event["sent_at"]
        await self.send_json(message)
