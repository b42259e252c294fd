"""Look inside Redis: which keys exist, what a Celery ticket really contains, what commands fly by.

    labkit.keys()                  # every key in the broker's database, with type, size and TTL
    labkit.keys(db=2)              # the channel layer's database
    labkit.tickets("celery")       # the messages waiting on the rail, decoded
    labkit.monitor(1.0, action)    # every command Redis receives while `action` runs
"""
from __future__ import annotations

import base64
import json
import re
import time
from dataclasses import dataclass, field

import redis

from labkit.kitchen import facts
from labkit.look.monitor_stream import MonitorStream
from labkit.runtime.tables import Table

SIZE_COMMANDS = {"list": "llen", "hash": "hlen", "set": "scard", "zset": "zcard", "string": "strlen",
                 "stream": "xlen"}


def _client(db: int | None) -> redis.Redis:
    """A client of this kernel's Redis, for database ``db`` (None: the broker's)."""
    from labkit.kitchen.restaurant import running_redis
    return running_redis().client(facts.database("broker") if db is None else db)


def keys(pattern: str = "*", db: int | None = None, client: redis.Redis | None = None) -> Table:
    """Every key matching ``pattern`` in database ``db`` (the broker's by default): type, size
    (items or bytes) and TTL."""
    db = facts.database("broker") if db is None else db
    client = client or _client(db)
    rows = []
    for key in sorted(client.scan_iter(match=pattern, count=500)):
        kind = client.type(key)
        kind = kind.decode() if isinstance(kind, bytes) else kind
        size = getattr(client, SIZE_COMMANDS[kind])(key) if kind in SIZE_COMMANDS else ""
        ttl = client.ttl(key)
        rows.append({"key": key, "type": kind, "size": size,
                     "ttl": "none" if ttl == -1 else f"{ttl} s"})
    return Table(rows, ["key", "type", "size", "ttl"], title=f"db {db}, keys matching {pattern!r}")


@dataclass
class Ticket:
    """One Celery message as it sits in a Redis list: an envelope around a base64 body."""

    raw: str
    headers: dict = field(default_factory=dict)
    properties: dict = field(default_factory=dict)
    content_type: str = ""
    body_encoded: str = ""
    args: list = field(default_factory=list)
    kwargs: dict = field(default_factory=dict)
    embed: dict = field(default_factory=dict)

    @property
    def task(self) -> str:
        return self.headers.get("task", "")

    @property
    def id(self) -> str:
        return self.headers.get("id", "")

    @property
    def size(self) -> int:
        """Bytes this ticket takes in Redis."""
        return len(self.raw.encode())

    def __repr__(self) -> str:
        lines = [f"ticket: {self.task}  ({self.size} bytes in Redis)", "headers:"]
        lines += [f"  {k}: {v!r}" for k, v in self.headers.items()]
        lines.append("properties:")
        lines += [f"  {k}: {v!r}" for k, v in self.properties.items()]
        lines.append(f"content-type: {self.content_type}")
        lines.append(f"body (base64): {self.body_encoded[:60]}{'...' if len(self.body_encoded) > 60 else ''}")
        lines.append(f"  decoded -> args={self.args!r} kwargs={self.kwargs!r}")
        lines.append(f"             embed={self.embed!r}")
        return "\n".join(lines)


def decode_ticket(raw: str | bytes) -> Ticket:
    """Unwrap a Celery (protocol 2) message: JSON envelope -> headers, properties, base64 body."""
    raw = raw.decode() if isinstance(raw, bytes) else raw
    envelope = json.loads(raw)
    body = envelope.get("body", "")
    decoded = body
    if envelope.get("properties", {}).get("body_encoding") == "base64":
        decoded = base64.b64decode(body).decode()
    args, kwargs, embed = [], {}, {}
    if envelope.get("content-type") == "application/json":
        payload = json.loads(decoded)
        if isinstance(payload, list) and len(payload) == 3:
            args, kwargs, embed = payload
    return Ticket(raw=raw, headers=envelope.get("headers", {}), properties=envelope.get("properties", {}),
                  content_type=envelope.get("content-type", ""), body_encoded=body,
                  args=args, kwargs=kwargs, embed=embed)


def tickets(queue: str = "celery", db: int | None = None, client: redis.Redis | None = None) -> list[Ticket]:
    """The tickets waiting in a queue's list, next-to-be-taken first.

    The producer LPUSHes onto the left end and the worker BRPOPs from the right, so the right end
    is the oldest ticket: it is listed first.
    """
    client = client or _client(db)
    return [decode_ticket(raw) for raw in reversed(client.lrange(queue, 0, -1))]


def monitor(seconds: float = 1.0, action=None, db: int | None = None,
            client: redis.Redis | None = None) -> Table:
    """Record every command Redis receives while ``action()`` runs (or for ``seconds``).

    Uses Redis's MONITOR command from a second connection (look/monitor_stream.py, which the
    message tape reads too). ``db`` keeps one database's commands.
    """
    client = client or _client(None)
    heard = []
    with MonitorStream(client, heard.append):
        start = time.time()
        if action is not None:
            action()
        else:
            time.sleep(seconds)  # the length of the recording asked for
    rows = [{"t": f"{(h.at - start) * 1000:+.1f} ms", "db": h.db, "command": " ".join(h.args)[:160]}
            for h in heard if (db is None or h.db == db)
            and not h.args[0].upper().startswith(("MONITOR", "AUTH", "CLIENT", "HELLO"))]
    return Table(rows, ["t", "db", "command"], title="commands Redis received")


def held_tickets(db: int | None = None, client: redis.Redis | None = None) -> Table:
    """The tickets workers have taken but not acknowledged: Redis's ``unacked`` hash.

    Each entry is a delivery tag -> [message, exchange, routing key]; ``unacked_index`` scores each
    tag with the time it was taken, which is what the visibility timeout is measured from.
    """
    client = client or _client(db)
    now = time.time()
    rows = []
    for tag, value in client.hgetall("unacked").items():
        message, _exchange, routing_key = json.loads(value)
        ticket = decode_ticket(json.dumps(message))
        taken = client.zscore("unacked_index", tag)
        rows.append({"task": ticket.task.rsplit(".", 1)[-1], "args": ticket.args,
                     "retries": ticket.headers.get("retries"), "eta": ticket.headers.get("eta") or "",
                     "queue": routing_key, "held for": f"{now - taken:.1f} s" if taken else ""})
    rows.sort(key=lambda r: r["args"])
    return Table(rows, ["task", "args", "retries", "eta", "queue", "held for"],
                 title="taken by a worker, not yet acknowledged (unacked)")


# what each hat of restaurant/settings.py's REDIS_DATABASES does here
HATS = {"broker": "broker: the ticket rail", "results": "results", "channel layer": "channel layer: the pass",
        "cache": "cache (and order trails)"}
_KEY_SHAPES = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<task id>"),
    (re.compile(r"specific\.[0-9a-f]{32}!\w*"), "specific.<layer>!"),
    (re.compile(r"^trace:order:\d+$"), "trace:order:<order id>"),
]


def key_shape(key: str) -> str:
    """A key's name with its ids replaced: keys of one kind then read as one line."""
    for pattern, replacement in _KEY_SHAPES:
        key = pattern.sub(replacement, key)
    return key


def hats() -> Table:
    """Redis wears several hats, one database each: what each holds right now, by kind of key."""
    rows = []
    for name, db in facts.databases().items():
        hat = HATS.get(name, name)
        shapes: dict[str, int] = {}
        for key in _client(db).scan_iter(count=500):
            shape = key_shape(key)
            shapes[shape] = shapes.get(shape, 0) + 1
        listed = ", ".join(f"{s} x{n}" if n > 1 else s for s, n in sorted(shapes.items()))
        rows.append({"db": db, "hat": hat, "keys": sum(shapes.values()), "kinds of key": listed or "(empty)"})
    return Table(rows, ["db", "hat", "keys", "kinds of key"])
