"""Overhear the kitchen: the events Celery's workers publish, and the Redis channels they travel on.

A worker with events on (`celery control enable_events`, or `worker -E`) publishes one message per
thing that happens: a task received, started, succeeded, failed; and a heartbeat every 2 s. They
go to the fanout exchange `celeryev`, which on Redis is PUBLISH on channels named
`/<db>.celeryev/<routing key>`. Nobody has to listen: events nobody hears are simply gone. Flower
and `celery events` are listeners; so is ``overhear``.

    heard = labkit.overhear(lambda: chain(prep.s("leeks"), fry.s()).delay().get(timeout=10))
    heard.table()      # every event, in order
    heard.summary()    # how many of each type
    heard.channels     # the Redis channels the messages were published on
"""
from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from labkit.kitchen import facts
from labkit.runtime.tables import Table
from labkit.runtime.waiting import wait_until

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Overheard:
    events: list[dict] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)  # Redis pub/sub channels, ids as <id>
    result: object = None  # what ``during`` returned

    def task_events(self) -> list[dict]:
        """Events of the tasks received while listening (a worker may still flush older ones)."""
        received = {e["uuid"] for e in self.events if e["type"] == "task-received"}
        return [e for e in self.events if e["type"].startswith("task-") and e.get("uuid") in received]

    def table(self) -> Table:
        """The task events by the time the worker stamped on them (heartbeats left out). Workers
        send events in batches (channel task.multi), so they may arrive in another order."""
        events = sorted(self.task_events(), key=lambda e: e["timestamp"])
        names = {e["uuid"]: e.get("name") for e in events if e.get("name")}
        start = events[0]["timestamp"] if events else 0
        rows = [{"after": f"{(e['timestamp'] - start) * 1000:.1f} ms", "event": e["type"],
                 "worker": e.get("hostname", "").split("@")[0],
                 "task": (names.get(e.get("uuid")) or "").rsplit(".", 1)[-1], "task id": e.get("uuid", "")[:8]}
                for e in events]
        return Table(rows, ["after", "event", "worker", "task", "task id"], title="the workers' task events")

    def summary(self) -> dict[str, int]:
        """How many task events of each type, sorted by type."""
        return dict(sorted(Counter(e["type"] for e in self.task_events()).items()))

    @property
    def heartbeats(self) -> int:
        """worker-heartbeat events heard: each worker sends one every 2 s, task or no task."""
        return sum(e["type"] == "worker-heartbeat" for e in self.events)


def overhear(during: Callable[[], object], seconds: float = 2.5) -> Overheard:
    """Listen to the workers' events (and to every Redis channel of the broker's database) while
    ``during()`` runs, and for at least ``seconds`` in all (a heartbeat comes every 2 s)."""
    from labkit.kitchen.restaurant import current
    from restaurant import celery_app

    kitchen = current()
    celery_app.control.enable_events()  # a broadcast: every worker starts publishing events
    heard = Overheard()
    connection = celery_app.connection_for_read()
    receiver = celery_app.events.Receiver(connection, handlers={"*": heard.events.append})
    # the course's database 0, the broker's (a relay to an instructor's Redis adds its first db)
    pubsub = kitchen.redis.client(db=facts.database("broker")).pubsub(ignore_subscribe_messages=True)
    pubsub.psubscribe("*")
    pubsub.get_message(timeout=1)  # the subscription's confirmation (then it counts in NUMPAT)
    admin = kitchen.redis.client(db=facts.database("broker"))
    patterns_before = admin.pubsub_numpat()
    channels: set[str] = set()

    def listen() -> None:
        try:
            receiver.capture(limit=None, timeout=None, wakeup=False)
        except Exception:  # the connection closed under it: listening is over
            pass

    def drain() -> None:
        while (message := pubsub.get_message(timeout=0.05)) is not None:
            if message["type"] == "pmessage":
                channels.add(UUID.sub("<id>", message["channel"]))

    listener = threading.Thread(target=listen, name="overhear", daemon=True)
    started = time.monotonic()
    listener.start()
    # the receiver subscribes to the events' channels by a pattern: wait until Redis counts it
    wait_until(lambda: admin.pubsub_numpat() > patterns_before, timeout=5, what="the event receiver to subscribe")
    try:
        heard.result = during()
        while time.monotonic() - started < seconds:
            drain()
        drain()
    finally:
        receiver.should_stop = True
        listener.join(timeout=5)
        connection.release()
        pubsub.close()
    heard.channels = sorted(channels)
    return heard

