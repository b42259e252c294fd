"""The buzzers: one open WebSocket per browser tab, served by Daphne.

On connect a consumer joins its group. A message sent to the group with type "order.update" is
delivered to the method `order_update` (dots become underscores). A message whose type has no
method makes the consumer fail, and Daphne closes the socket.

`scope["user"]` is who the browser's session cookie says is logged in: AuthMiddlewareStack
(asgi.py) looked it up, or it is an AnonymousUser. A consumer that closes in `connect()`, before
`accept()`, refuses the socket: the browser's handshake gets HTTP 403.
"""
from channels.generic.websocket import AsyncJsonWebsocketConsumer

KITCHEN = "kitchen"  # the group of the kitchen's displays, which hear every table that talks back


class OrderConsumer(AsyncJsonWebsocketConsumer):
    """A table's buzzer (ws/table/<n>/), open to anyone sitting there."""

    async def connect(self):
        self.table = self.scope["url_route"]["kwargs"]["table"]
        self.group = f"table_{self.table}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def order_update(self, event):
        await self.send_json(event)  # {"type": "order.update", "order": {...}} down the socket

    async def receive_json(self, content):
        """The table talks back: {"text": "..."} from its page goes to the kitchen's displays. The
        table is the one in this socket's URL, never one the message claims."""
        text = str(content.get("text", "")).strip()[:200] if isinstance(content, dict) else ""
        if not text:
            await self.send_json({"type": "error", "error": 'send {"text": "..."}'})
            return
        await self.channel_layer.group_send(KITCHEN, {"type": "table.message", "table": self.table, "text": text})
        await self.send_json({"type": "sent", "text": text})


class CustomerConsumer(AsyncJsonWebsocketConsumer):
    """A customer's own buzzer (ws/me/): every order of theirs, at whichever table. Logged-in only."""

    async def connect(self):
        self.user = self.scope["user"]
        if not self.user.is_authenticated:
            await self.close()  # refused
            return
        self.group = f"user_{self.user.id}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "welcome", "user": self.user.username})

    async def disconnect(self, code):
        if self.user.is_authenticated:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def order_update(self, event):
        await self.send_json(event)


class KitchenConsumer(AsyncJsonWebsocketConsumer):
    """The kitchen's display (ws/kitchen/): what the tables say. Staff only."""

    async def connect(self):
        if not self.scope["user"].is_staff:  # an AnonymousUser is not staff either
            await self.close()  # refused
            return
        await self.channel_layer.group_add(KITCHEN, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(KITCHEN, self.channel_name)

    async def table_message(self, event):
        await self.send_json(event)  # {"type": "table.message", "table": 4, "text": "..."}
