"""The order's trail: every program that touches an order writes down when, in Redis.

    trace:order:<id>   a Redis list (cache database), one JSON entry per hop:
                       {"hop": "cook picked up the ticket", "at": <unix time>, "pid": 1234}

The waiter, the cook and the buzzer are separate processes on one machine, so one clock: lesson 09
lines the entries up into the order's journey, and lesson 10 asks "did it get this far?".

A trace must never change what it traces: when Redis is down (lesson 04) an entry is skipped,
at once and silently, and the waiter meets the outage where it would anyway, in `.delay()`.
"""
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
_clients: dict = {}


def key(order_id: int) -> str:
    return f"trace:order:{order_id}"


def _entry(hop: str, at: float | None, details: dict) -> str:
    return json.dumps({"hop": hop, "at": time.time() if at is None else at, "pid": os.getpid(), **details})


# one retry (a connection left dead by a Redis restart), no waiting: a missing entry is better
# than a slower or failing waiter
QUICK = dict(socket_connect_timeout=0.5, socket_timeout=0.5, retry=Retry(NoBackoff(), 1))


def _client() -> redis.Redis:
    # one client per thread: Daphne runs each request in a thread of its own, and threads that open
    # a shared client's first connection at the same moment can break it (ValueError from redis-py)
    key = ("sync", threading.get_ident())
    if key not in _clients:
        _clients[key] = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], **QUICK)
    return _clients[key]


def mark(order_id: int, hop: str, at: float | None = None, **details) -> None:
    """Record that ``hop`` happened to the order (now, or ``at``), with any ``details``."""
    try:
        with _client().pipeline() as pipe:
            pipe.rpush(key(order_id), _entry(hop, at, details)).expire(key(order_id), KEEP_SECONDS).execute()
    except redis.RedisError:
        pass


async def amark(order_id: int, hop: str, at: float | None = None, **details) -> None:
    """`mark` for async code (a consumer): it must not block Daphne's event loop."""
    loop = ("async", id(asyncio.get_running_loop()))  # an asyncio client belongs to one event loop
    if loop not in _clients:
        _clients[loop] = redis.asyncio.Redis.from_url(
            settings.CACHES["default"]["LOCATION"], socket_connect_timeout=0.5, socket_timeout=0.5,
            retry=redis.asyncio.retry.Retry(NoBackoff(), 1))
    try:
        async with _clients[loop].pipeline() as pipe:
            await pipe.rpush(key(order_id), _entry(hop, at, details)).expire(key(order_id), KEEP_SECONDS).execute()
    except redis.RedisError:
        pass


def read(order_id: int) -> list[dict]:
    """The order's entries, oldest first."""
    return sorted((json.loads(e) for e in _client().lrange(key(order_id), 0, -1)), key=lambda e: e["at"])
