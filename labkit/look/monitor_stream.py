"""Redis's MONITOR stream, read on a thread of its own while a block runs: what `labkit.monitor()`
(look/redis.py) and the message tape (look/tape.py) both record from.

    with MonitorStream(client, heard.append):
        noop.delay()
    # heard: every command Redis ran meanwhile, as Heard(at, db, client, args)

MONITOR is in force once Redis has answered it OK (redis-py's monitor() waits for that), so the
block starts only then. At the end, a marker is ECHOed from another connection: Redis runs commands
one at a time and logs them in that order, so once the marker comes back on the stream, everything
sent before the block ended has been heard. No fixed sleep at either end.
"""
from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass

import redis

from labkit.runtime.errors import LabkitError

LINE = re.compile(r"([\d.]+) \[(\d+) ([^\]]*)\] (.*)", re.DOTALL)  # 1733.1 [0 127.0.0.1:5 ] "CMD" ...
ARG = re.compile(r'"((?:[^"\\]|\\.)*)"')


def arguments(text: str) -> list[str]:
    """The quoted arguments of one MONITOR line, unescaped: ['LPUSH', 'celery', '{...}']."""
    return [a.replace('\\"', '"').replace("\\\\", "\\") for a in ARG.findall(text)]


@dataclass
class Heard:
    """One command as MONITOR reports it: when (Redis's clock), in which database, from which
    client (address:port, or "lua" for a script's own commands), with which arguments."""
    at: float
    db: int
    client: str
    args: list[str]


class MonitorStream:
    def __init__(self, client: redis.Redis, on_heard):
        self.client, self.on_heard = client, on_heard
        self._marker = f"end of the monitor stream {secrets.token_hex(6)}"
        self._stop, self._ended = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> MonitorStream:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._listen, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(5):
            raise LabkitError("Redis did not start the MONITOR stream within 5 s")
        return self

    def _listen(self, ready: threading.Event) -> None:
        with self.client.monitor() as monitor:  # returns once Redis has said OK
            conn = monitor.connection
            ready.set()
            while not self._stop.is_set():
                if not conn.can_read(timeout=0.05):
                    continue
                raw = conn.read_response()
                line = LINE.match(raw.decode(errors="replace") if isinstance(raw, bytes) else raw)
                if not line:
                    continue
                stamp, db, client, rest = line.groups()
                args = arguments(rest)
                if [a.upper() for a in args[:1]] == ["ECHO"] and args[1:] == [self._marker]:
                    self._ended.set()
                    continue
                if args:
                    self.on_heard(Heard(float(stamp), int(db), client.strip(), args))

    def __exit__(self, *exc) -> None:
        self.client.echo(self._marker)
        ended = self._ended.wait(5)
        self._stop.set()
        self._thread.join(5)
        if not ended and exc[0] is None:
            raise LabkitError("The MONITOR stream never showed its end marker: Redis's stream stalled.")
