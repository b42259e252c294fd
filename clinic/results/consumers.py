from asgiref.sync import async_to_sync
from channels.generic.websocket import JsonWebsocketConsumer

from .groups import doctor_group


class DoctorConsumer(JsonWebsocketConsumer):
    """One open doctor's page: it joins the doctor's group and passes every result on to the browser."""

    def connect(self):
        self.group_name = doctor_group(self.scope["url_route"]["kwargs"]["doctor_id"])
        async_to_sync(self.channel_layer.group_add)(self.group_name, self.channel_name)
        self.accept()

    def disconnect(self, code):
        async_to_sync(self.channel_layer.group_discard)(self.group_name, self.channel_name)

    def result_ready(self, event):
        self.send_json(event["result"])
