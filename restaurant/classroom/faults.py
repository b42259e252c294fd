"""Faults injected from the classroom's side: the restaurant's code stays right, and one program (a
worker started with these settings) gets the pass wrong, as a stale deploy or a typo in one
process's settings would. Lab 28's broken cooks use them; lesson 10 breaks a line of a copy of the
restaurant's code instead (labkit/drills/project.py).

    ORDERUP_FAULT_LAYER=memory            the in-memory channel layer, which no other process shares
    ORDERUP_FAULT_GROUP=tables_{table}    group_send to another group than the buzzers are in
    ORDERUP_FAULT_TYPE=order.updated      a message type no consumer has a handler for
    ORDERUP_FAULT_LOSE=ready              the buzzes for orders in that status go to no group (lab 28)
"""
from __future__ import annotations

import os

IN_MEMORY = {"BACKEND": "restaurant.classroom.layers.InMemoryChannelLayer", "CONFIG": {}}
ON_REDIS = {"BACKEND": "restaurant.classroom.layers.RedisChannelLayer"}


def channel_layer_backend(environ=os.environ, backend: str = "channels_redis.core.RedisChannelLayer") -> dict:
    """What the settings' CHANNEL_LAYERS["default"] gets: the Redis layer (its CONFIG kept), or the
    in-memory one (which takes no hosts), of the fault or of the project's own ``backend`` (lesson 10
    runs a copy of the restaurant whose settings chose Channels' in-memory layer)."""
    in_memory = environ.get("ORDERUP_FAULT_LAYER") == "memory" or backend == "channels.layers.InMemoryChannelLayer"
    return IN_MEMORY if in_memory else ON_REDIS


def misdirect(group: str, message: dict, environ=os.environ) -> tuple[str, dict]:
    """The group and message a faulty program sends instead of the ones its code asks for."""
    wrong_group, wrong_type = environ.get("ORDERUP_FAULT_GROUP"), environ.get("ORDERUP_FAULT_TYPE")
    lost = environ.get("ORDERUP_FAULT_LOSE")
    if lost and group.startswith("table_") and (message.get("order") or {}).get("status") == lost:
        group = "lost_" + group
    if wrong_group and group.startswith("table_"):
        group = wrong_group.format(table=group.removeprefix("table_"))
    if wrong_type and message.get("type") == "order.update":
        message = {**message, "type": wrong_type}
    return group, message
