"""The message tape: every command the restaurant's programs send to Redis, as they happen, each
with the program that sent it. Nobody calls anybody: this is the whole conversation.

    with labkit.tape() as tape:        # a live table under the cell while the block runs
        client.order(table=5)
        ...
    tape.said("waiter", "LPUSH")       # did the waiter push a ticket? (True / False)

Redis's MONITOR command streams every command the server receives, with the client's address.
The address's port is the local end of a TCP connection, and the system knows which process holds
it. Each program names its connections as it opens them (CLIENT SETNAME, set in
restaurant/classroom/settings.py): the web process is the waiter on the rail and the buzzer on the
pass, the worker is the cook, then beat, Flower and this notebook. A connection without a name is
named after the process that holds it (psutil tells which). Repeated polls (a worker's BRPOP every
second) are folded into one line, and the classroom's own notes (the trail, in the cache database)
are left out unless asked for. The stream itself is read by look/monitor_stream.py, which
`labkit.monitor()` shares.
"""
from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass

import psutil

from labkit.kitchen import facts
from labkit.look.monitor_stream import Heard, MonitorStream
from labkit.look.redis import decode_ticket
from labkit.runtime.errors import LabkitError
from labkit.runtime.tables import Table

# what a program is called on the tape, by service, and by database for Daphne (two jobs in one)
# a connection that gave no name (a program started outside labkit's settings): its service's job
ROLE = {"worker": "cook", "daphne": "web process", "one-waiter": "waiter", "beat": "beat",
        "second-beat": "beat", "flower": "flower", "notebook": "notebook"}
NOISE = {"PING", "INFO", "CLIENT", "HELLO", "AUTH", "SELECT", "MONITOR", "MULTI", "EXEC", "WATCH",
         "UNWATCH", "SMEMBERS", "SADD", "EXPIRE", "PEXPIRE", "TTL", "ZREMRANGEBYSCORE", "EVALSHA",
         "SCRIPT", "GET", "MGET", "EXISTS", "TYPE", "SCAN", "LLEN", "HGETALL", "ZRANGEBYSCORE",
         "UNSUBSCRIBE", "PUNSUBSCRIBE", "HLEN", "ZCARD", "LRANGE", "LINDEX", "KEYS", "HGET", "ZSCORE",
         "DBSIZE", "STRLEN"}  # what the notebook's own helpers read (the rail board, labkit.keys())


@dataclass
class Line:
    t: float
    who: str
    hat: str
    verb: str
    what: str
    times: int = 1


def connection_name(args: list[str]) -> str | None:
    """The name a connection gives itself: CLIENT SETNAME <name>, or HELLO ... SETNAME <name>."""
    upper = [a.upper() for a in args[:8]]
    if upper[:2] == ["CLIENT", "SETNAME"] and len(args) > 2:
        return args[2]
    if upper and upper[0] == "HELLO" and "SETNAME" in upper and upper.index("SETNAME") + 1 < len(args):
        return args[upper.index("SETNAME") + 1]
    return None


def describe(args: list[str]) -> tuple[str, str] | None:
    """(verb, what it means) for one command, or None for the plumbing nobody needs to see."""
    verb = args[0].upper()
    key = args[1] if len(args) > 1 else ""
    if verb in NOISE:
        return None
    if verb in ("LPUSH", "RPUSH") and not key.startswith(("_kombu", "reply.")) and len(args) > 2:
        try:
            ticket = decode_ticket(args[2])
        except ValueError:
            return verb, f"{key}: {len(args) - 2} item(s)"
        if not ticket.task:
            return None  # a control message (pidbox), not a ticket
        call = ", ".join([*(repr(a) for a in ticket.args),
                          *(f"{k}={v!r}" for k, v in ticket.kwargs.items())])
        return verb, f"{key}: {ticket.task.rsplit('.', 1)[-1]}({call})"
    if verb == "BRPOP":
        # kombu's priority lists are named queue + "\x06\x16" + n: show the queues once
        queues = sorted({a.split("\\x06")[0] for a in args[1:-1]})
        return verb, "waits for a ticket on " + " ".join(queues)
    if verb == "HSET" and key == "unacked":
        return verb, "unacked: holds the ticket it took (acknowledged later)"
    if verb == "HDEL" and key == "unacked":
        return verb, "unacked: acknowledges the ticket (done with it)"
    if verb == "ZADD" and key == "unacked_index":
        return None  # the same hold, timed
    if verb == "ZREM" and key == "unacked_index":
        return None
    if verb in ("SET", "SETEX") and key.startswith("celery-task-meta-"):
        state = re.search(r'"status": "(\w+)"', " ".join(args[2:]))
        return verb, f"the result: {state.group(1) if state else 'stored'} (task {key[17:25]}...)"
    if verb == "PUBLISH" and key.startswith("celery-task-meta-"):
        return verb, "tells whoever waits on the result"
    if verb == "PUBLISH" and "celeryev" in key:
        return verb, "an event for monitors (celery events, Flower)"
    if verb in ("SUBSCRIBE", "PSUBSCRIBE"):
        return verb, f"listens to {' '.join(args[1:])[:60]}"
    group = re.match(r"asgi:group:(.+)", key)
    if group and verb == "ZADD":
        return "group_add", f"joins the group {group.group(1)}"
    if group and verb == "ZREM":
        return "group_discard", f"leaves the group {group.group(1)}"
    if group and verb == "ZRANGE":
        return "group_send", f"to the group {group.group(1)}"
    if verb == "EVAL":
        return None  # group_send's delivery script (its ZRANGE line above says where)
    if verb == "BZPOPMIN":
        return "receive", "waits for a message on its channel"
    if key.endswith("$inflight"):  # receive keeps the message it took aside until it is handled
        return ("receive", "takes a message off its channel") if verb == "ZADD" else None
    if verb == "ZADD" and key.startswith("asgi"):
        return "send", f"to the channel {key[4:40]}..."
    return verb, " ".join(args[1:])[:80]


class Tape:
    """Record (and show, live) what Redis hears. Use as ``with labkit.tape() as tape: ...``."""

    def __init__(self, kitchen=None, everything: bool = False, refresh: float = 0.3):
        from labkit.kitchen.restaurant import current
        self.kitchen = kitchen or current()
        if self.kitchen.external_redis:
            raise LabkitError("The tape listens to the course's own Redis: with ORDERUP_USE_REDIS every "
                              "program reaches Redis through one relay, so Redis cannot tell them apart.")
        self.everything = everything
        self.refresh = refresh
        self.lines: list[Line] = []
        self._owners: dict[str, str] = {}  # client port -> who
        self._hats = {n: hat for hat, n in facts.databases().items()}
        self._stop = threading.Event()
        self._handle = None
        self.started = 0.0

    # -- who is who -------------------------------------------------------------------------------
    def _programs(self) -> dict[int, str]:
        """pid -> service name, for every process of the kitchen's services (pool processes too)."""
        pids = {os.getpid(): "notebook"}
        for service in self.kitchen.services:
            pids.update({p.pid: service.name for p in service.processes()})
        return pids

    def _who(self, port: str) -> str:
        """Who holds the connection from ``port``: the name it gave itself, else the program whose
        process holds it (the system knows: psutil), named for its job."""
        if port not in self._owners:
            programs = self._programs()
            redis_port = self.kitchen.redis_port
            for conn in psutil.net_connections("tcp4"):
                if conn.raddr and conn.raddr.port == redis_port and conn.laddr.port == int(port or 0):
                    self._owners[port] = ROLE.get(programs.get(conn.pid), "another program")
                    break
            else:
                self._owners[port] = "gone"  # a connection closed before it could be looked up
        return self._owners[port]

    # -- recording --------------------------------------------------------------------------------
    def _take(self, heard: Heard) -> None:
        if heard.client in ("lua", ""):
            return  # a script's own commands (group_send's delivery): its EVAL line says it
        args = heard.args
        port = heard.client.rsplit(":", 1)[-1]
        name = connection_name(args)
        if name:  # the program names this connection (restaurant/classroom/settings.py)
            self._owners[port] = name
        hat = self._hats.get(heard.db, f"db {heard.db}")
        if hat == "cache" and not self.everything:
            return  # the classroom's notes (the trail), not the restaurant's messages
        meaning = describe(args) if not self.everything else (args[0].upper(), " ".join(args[1:])[:80])
        if meaning is None:
            return
        who = self._who(port)
        verb, what = meaning
        last = self.lines[-1] if self.lines else None
        if last and (last.who, last.verb, last.what) == (who, verb, what):
            last.times += 1  # a poll again: one line
            return
        self.lines.append(Line(heard.at - self.started, who, hat, verb, what))

    def __enter__(self) -> Tape:
        from IPython.display import display
        self.started = time.time()
        # connections opened before the tape: their names, from Redis's own list of its clients
        for client in self.kitchen.redis.client(0).client_list():
            if client.get("name"):
                self._owners[client["addr"].rsplit(":", 1)[-1]] = client["name"]
        self._stream = MonitorStream(self.kitchen.redis.client(0), self._take).__enter__()
        from IPython import get_ipython
        if get_ipython() is not None:  # in a notebook: a table under the cell, redrawn as lines come
            self._handle = display(self.table(), display_id=True)
        self._painter = threading.Thread(target=self._paint, daemon=True)
        self._painter.start()
        return self

    def _paint(self) -> None:
        shown = 0
        while not self._stop.wait(self.refresh):
            if len(self.lines) != shown and self._handle is not None:
                shown = len(self.lines)
                self._handle.update(self.table())

    def __exit__(self, *exc) -> None:
        # the stream ends on a marker ECHOed now: every command sent before the block ended is on
        # the tape, however loaded the machine (look/monitor_stream.py)
        try:
            self._stream.__exit__(*exc)
        finally:
            self._stop.set()
            self._painter.join(5)
            if self._handle is not None:
                self._handle.update(self.table())

    # -- reading it -------------------------------------------------------------------------------
    def table(self) -> Table:
        rows = [{"ms": f"{line.t * 1000:+.0f}", "who": line.who, "db": line.hat, "says": line.verb,
                 "meaning": line.what + (f"  (x{line.times})" if line.times > 1 else "")}
                for line in self.lines]
        return Table(rows, ["ms", "who", "db", "says", "meaning"], title="what Redis heard, in order")

    def said(self, who: str, verb: str, about: str = "") -> bool:
        """Did ``who`` send ``verb`` (and, if given, with ``about`` in its meaning)?"""
        return any(line.who == who and line.verb == verb and about in line.what for line in self.lines)

    def first(self, who: str, verb: str, about: str = "") -> float | None:
        """When ``who`` first sent ``verb`` (seconds from the tape's start), or None."""
        return next((line.t for line in self.lines
                     if line.who == who and line.verb == verb and about in line.what), None)

    def speakers(self) -> list[str]:
        return sorted({line.who for line in self.lines})


def tape(kitchen=None, everything: bool = False) -> Tape:
    """A tape of what Redis hears while a ``with`` block runs (see the module's docstring)."""
    return Tape(kitchen, everything=everything)
