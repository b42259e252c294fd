"""A new day: the restaurant emptied, so a lesson starts from the same restaurant every time (and
shows the same order numbers), whatever an earlier notebook or an earlier run left in this kernel."""
from __future__ import annotations

from labkit.kitchen import facts, kernel_django


def clear(kitchen) -> None:
    """Empty the restaurant: every row of its database (order numbers start at 1 again), and
    what Redis holds for it: tickets on every rail and held by workers, results, the pass's
    groups, the cache (trails, counters). kombu's queue bindings stay: running workers use them;
    only the deadlines kombu keeps for bindings already gone (a stopped worker's) go, as its own
    sweep would drop them an hour later.
    Services an earlier notebook started and stopped (a one-waiter, a second beat) are forgotten, and
    so are the learner's modules an earlier notebook loaded: the next worker includes none of them."""
    forget_stopped(kitchen)
    kitchen.your_modules = ()
    broker = kitchen.redis.client(facts.database("broker"))
    stale = [k for k in broker.scan_iter(count=1000) if not k.startswith("_kombu.binding")]
    if stale:
        broker.delete(*stale)
    deadlines = "_kombu.binding_deadlines"  # kombu.transport.redis: keyprefix_binding_deadlines
    gone = [exchange for exchange in broker.zrange(deadlines, 0, -1)
            if not broker.exists(f"_kombu.binding.{exchange}")]
    if gone:
        broker.zrem(deadlines, *gone)
    for hat in ("results", "channel layer", "cache"):
        kitchen.redis.client(facts.database(hat)).flushdb()
    kernel_django.manage(kitchen, "flush")  # and resets the ids' sequences


def forget_stopped(kitchen) -> None:
    """Forget the services that are not running: they belong to an earlier day."""
    for name in ("worker", "daphne", "uvicorn", "one_waiter", "dev_server", "flower", "rabbitmq", "supervisor",
                 "db_worker"):
        service = getattr(kitchen, name)
        if service is not None and not service.running:
            setattr(kitchen, name, None)
    kitchen.beats = {name: b for name, b in kitchen.beats.items() if b.running}
    kitchen.stations = {name: s for name, s in kitchen.stations.items() if s.running}
