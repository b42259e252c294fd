"""The order's trail: when each program touched an order, written to Redis (the cache database).

    trace:order:<id>   a Redis list, one JSON entry per hop:
                       {"hop": "cook: ticket picked up", "at": <unix time>, "pid": 1234, ...}

The restaurant's own code writes none of it. The classroom's app (apps.py) hooks in where the
programs already announce what they do:

    Django's post_save of an Order       waiter: order taken     cook: order cooking / ready
    Celery's before_task_publish         waiter: spiking the ticket (in the program that sends it)
    Celery's task_prerun                 cook: ticket picked up
    the channel layer's group_send       cook: buzzer pressed (ready)      (layers.py)
    the channel layer's receive          buzzer: order.update (ready)      (layers.py, in Daphne)

Who wrote an entry comes from ORDERUP_PROGRAM, which labkit sets for each program it starts: the
web process is the waiter (and, in Daphne, the buzzer), a worker is the cook, the kernel the notebook.
The programs run on one machine, with one clock: lesson 09 lines the entries up into the order's
journey, and lesson 10 asks "did it get this far?".

A trace must never change what it traces: when Redis is down (lesson 04) an entry is skipped, at
once and silently, and the waiter meets the outage where it would anyway, in `.delay()`.
"""
from __future__ import annotations

import asyncio
import json
import os
import threading
import time

import redis
import redis.asyncio
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

KEEP_SECONDS = 3600
ACTORS = {"web": "waiter", "worker": "cook", "db-worker": "cook", "kernel": "notebook"}
_clients: dict = {}


def actor() -> str:
    """Who this program is in the restaurant."""
    return ACTORS.get(os.environ.get("ORDERUP_PROGRAM", "kernel"), "notebook")


def key(order_id: int) -> str:
    return f"trace:order:{order_id}"


def _entry(hop: str, at: float | None, details: dict) -> str:
    return json.dumps({"hop": hop, "at": time.time() if at is None else at, "pid": os.getpid(), **details})


# one retry (a connection left dead by a Redis restart), no waiting: a missing entry is better
# than a slower or failing waiter
QUICK = dict(socket_connect_timeout=0.5, socket_timeout=0.5)


def _client() -> redis.Redis:
    # one client per thread: Daphne runs each request in a thread of its own, and threads that open
    # a shared client's first connection at the same moment can break it (ValueError from redis-py)
    name = ("sync", threading.get_ident())
    if name not in _clients:
        _clients[name] = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], retry=Retry(NoBackoff(), 1),
                                              **QUICK)
    return _clients[name]


def mark(order_id: int, hop: str, at: float | None = None, **details) -> None:
    """Record that ``hop`` happened to the order (now, or ``at``), with any ``details``."""
    try:
        with _client().pipeline() as pipe:
            pipe.rpush(key(order_id), _entry(hop, at, details)).expire(key(order_id), KEEP_SECONDS).execute()
    except redis.RedisError:
        pass


def _async_client(loop: asyncio.AbstractEventLoop) -> redis.asyncio.Redis:
    """The loop's own asyncio client (one belongs to one event loop), closed with the loop, as
    channels_redis closes its connections (utils._wrap_close): a worker's async_to_sync makes a
    loop per buzz, and a client kept past its loop would leave one connection open per buzz."""
    name = ("async", loop)
    if name not in _clients:
        _clients[name] = redis.asyncio.Redis.from_url(settings.CACHES["default"]["LOCATION"],
                                                      retry=redis.asyncio.retry.Retry(NoBackoff(), 1), **QUICK)
        close = loop.close

        def close_the_client_too():
            client = _clients.pop(name, None)
            if client is not None and not loop.is_closed():
                loop.run_until_complete(client.aclose())
            close()
        loop.close = close_the_client_too
    return _clients[name]


async def amark(order_id: int, hop: str, at: float | None = None, **details) -> None:
    """`mark` for async code (the channel layer in Daphne): it must not block the event loop."""
    client = _async_client(asyncio.get_running_loop())
    try:
        async with client.pipeline() as pipe:
            await pipe.rpush(key(order_id), _entry(hop, at, details)).expire(key(order_id), KEEP_SECONDS).execute()
    except redis.RedisError:
        pass


def read(order_id: int) -> list[dict]:
    """The order's entries, oldest first."""
    return sorted((json.loads(e) for e in _client().lrange(key(order_id), 0, -1)), key=lambda e: e["at"])


# -- where the programs announce what they do ------------------------------------------------------

def _order_id_of_cook_ticket(task_name: str, args) -> int | None:
    """The order a ticket is for: the first argument of the cook's tasks (cook_order and its kin)."""
    if task_name and task_name.rsplit(".", 1)[-1].startswith("cook_order") and args:
        return args[0] if isinstance(args[0], int) else None
    return None


def order_saved(sender, instance, created: bool, update_fields=None, **_) -> None:
    """post_save of an Order: taken, or a new status."""
    if created:
        mark(instance.id, f"{actor()}: order taken")
    elif update_fields and "status" in update_fields:
        mark(instance.id, f"{actor()}: order {instance.status}")


def ticket_spiked(sender=None, body=None, **_) -> None:
    """before_task_publish, in the program that sends the ticket, just before the LPUSH."""
    order_id = _order_id_of_cook_ticket(sender, body[0] if body else None)
    if order_id is not None:
        mark(order_id, f"{actor()}: spiking the ticket")


def ticket_picked_up(sender=None, args=None, **_) -> None:
    """task_prerun, in the worker's pool process that is about to run the task."""
    order_id = _order_id_of_cook_ticket(getattr(sender, "name", ""), args)
    if order_id is not None:
        mark(order_id, "cook: ticket picked up")


async def buzzer_pressed(group: str, message: dict, layer: str) -> None:
    """group_send on the channel layer: which group, which type, on which layer."""
    order = message.get("order") or {}
    if "id" in order:
        await amark(order["id"], f"{actor()}: buzzer pressed ({order.get('status')})", at=message.get("sent_at"),
                    group=group, type=message.get("type"), layer=layer)


async def buzz_received(message: dict) -> None:
    """A consumer's channel received a message from the layer (in Daphne, before its handler runs)."""
    order = message.get("order") or {}
    if "id" in order:
        await amark(order["id"], f"buzzer: {message.get('type')} ({order.get('status')})", type=message.get("type"))


def connect() -> None:
    """Hook the trail in (the classroom app's ready())."""
    from celery.signals import before_task_publish, task_prerun
    from django.db.models.signals import post_save

    post_save.connect(order_saved, sender="orders.Order", dispatch_uid="classroom-trail-order")
    before_task_publish.connect(ticket_spiked, dispatch_uid="classroom-trail-publish")
    task_prerun.connect(ticket_picked_up, dispatch_uid="classroom-trail-prerun")
