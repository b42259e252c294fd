"""The channel layers the classroom's settings name: channels_redis's and Channels' in-memory one,
each with the order's trail (trail.py) and the classroom's faults (faults.py) on the way through.

group_send notes the buzz in the trail, and in a worker stamps the moment the cook pressed the buzzer
on the message ("sent_at": the page shows how long the buzz took); receive notes what a consumer's
channel got, before the consumer's handler runs.
"""
from __future__ import annotations

import time

from channels import layers
from channels_redis import core

from . import faults, trail


class Trailing:
    async def group_send(self, group, message):
        group, message = faults.misdirect(group, message)
        if trail.actor() == "cook":  # the page shows how long the cook's buzz took to arrive
            message = {**message, "sent_at": time.time()}
        await trail.buzzer_pressed(group, message, layer=type(self).__name__)
        return await super().group_send(group, message)

    async def receive(self, channel):
        message = await super().receive(channel)
        await trail.buzz_received(message)
        return message


class RedisChannelLayer(Trailing, core.RedisChannelLayer):
    """channels_redis's layer, on this kernel's Redis (database 2)."""


class InMemoryChannelLayer(Trailing, layers.InMemoryChannelLayer):
    """Channels' in-memory layer: it lives inside one process (lesson 10's drill 4, faults.py)."""
