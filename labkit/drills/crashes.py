"""Crash drills on real processes: kill the cook mid-task and count what happens to the tickets.

    row = labkit.drills.kill_the_worker(kitchen, cook_order_acks_late)
    row = labkit.drills.kill_a_pool_process(kitchen, cook_order_reject_on_worker_lost)

Each drill waits on conditions, never on a clock: the kitchen is done when no ticket is on the
rail, none is held unacknowledged, and the worker reports no running task.
"""
from __future__ import annotations

import json
import os
import signal

from labkit.kitchen import facts
from labkit.runtime.tables import Table
from labkit.runtime.waiting import wait_until

#: redeliver an abandoned ticket after 5 s, and look for abandoned tickets every second; the lock a
#: worker holds while it puts tickets back expires after 5 s too, not kombu's 300 s: a drill that
#: SIGKILLs a worker holding it would otherwise leave every ticket held for five minutes
FAST_REDELIVERY = {"ORDERUP_VISIBILITY_TIMEOUT": "5", "ORDERUP_RESTORE_INTERVAL": "1",
                   "ORDERUP_RESTORE_THROTTLE": "1", "ORDERUP_RESTORE_LOCK_SECONDS": "5"}


def fresh_worker(kitchen, concurrency: int, settings: dict = FAST_REDELIVERY):
    """A worker with nothing in hand and an empty rail (by default one that redelivers abandoned
    tickets fast): the running worker if it has these options and is idle, else a new one, started
    after the rail is emptied (starting a worker takes seconds; a drill often follows a drill)."""
    from restaurant import celery_app
    if kitchen.has_worker(concurrency=concurrency, settings=settings) and kitchen.is_idle():
        return kitchen.worker
    kitchen.stop_worker()
    celery_app.control.purge()
    return kitchen.start_worker(concurrency=concurrency, settings=settings)


def _count(setting: str, ids: list[int], what: str) -> dict:
    from restaurant.orders.models import Order
    orders = Order.objects.filter(pk__in=ids)
    completed = orders.filter(status="ready").count()
    return {"task": setting, "killed": what, "sent": len(ids), "completed": completed,
            "lost": len(ids) - completed, "run twice": orders.filter(times_cooked__gte=2).count()}


def held_task_ids(kitchen) -> set[str]:
    """The ids of the tasks whose tickets a worker holds unacknowledged (kombu's ``unacked`` hash:
    each value is [the message, its exchange, its routing key])."""
    broker = kitchen.redis.client(facts.database("broker"))
    return {json.loads(raw)[0]["headers"]["id"] for raw in broker.hvals("unacked")}


def kill_the_worker(kitchen, task, orders: int = 4, concurrency: int = 2, cook_seconds: float = 1.0) -> dict:
    """Send ``orders`` tickets, SIGKILL the whole worker while ``concurrency`` of them cook,
    start a new worker, wait until the kitchen is idle, and count."""
    from restaurant.orders.models import Order
    fresh_worker(kitchen, concurrency)
    ids = [Order.objects.create(table=5, item="stew").id for _ in range(orders)]
    task_of = {order_id: task.delay(order_id, cook_seconds=cook_seconds).id for order_id in ids}
    wait_until(lambda: Order.objects.filter(pk__in=ids, status="cooking").count() == concurrency,
               10, "the first orders to be cooking")
    # kombu takes a ticket off the rail (BRPOP), then notes it as held (HSET unacked): a kill between
    # the two loses it whatever the task's options. And an early ack is sent by the worker's main
    # process once a pool process has taken the task, a moment after the dish starts: killed before,
    # the ticket is still held, and comes back. Kill once every ticket is where the drill says it is:
    # all taken, the dishes in hand acknowledged (early) or held (late), the others held.
    broker = kitchen.redis.client(facts.database("broker"))
    in_hand = Order.objects.filter(pk__in=ids, status="cooking").values_list("pk", flat=True)
    held_now = set(task_of.values()) - ({task_of[pk] for pk in in_hand} if not task.acks_late else set())
    wait_until(lambda: broker.llen("celery") == 0 and held_task_ids(kitchen) & set(task_of.values()) == held_now,
               10, "every ticket taken, and held or acknowledged")
    kitchen.worker.kill(signal.SIGKILL)  # main process and pool: no goodbye
    kitchen.start_worker(concurrency=concurrency, settings=FAST_REDELIVERY)
    wait_until(kitchen.is_idle, 60, "the kitchen to be idle", interval=0.2)
    return _count(task.name.rsplit(".", 1)[-1], ids, "whole worker")


def kill_a_pool_process(kitchen, task, cook_seconds: float = 1.0) -> dict:
    """Send one ticket, SIGKILL the pool process running it (the worker lives on), and count.

    The worker keeps the default visibility timeout (an hour): what happens to the ticket is the
    worker's own decision when it notices the lost process (acknowledge it as failed, or put it
    back), never a redelivery by timeout. It notices within ``worker_lost_wait`` (10 s), which a
    5 s visibility timeout could beat on a busy machine."""
    from restaurant import celery_app
    from restaurant.orders.models import Order
    fresh_worker(kitchen, 2, settings={})
    order = Order.objects.create(table=5, item="stew")
    result = task.delay(order.id, cook_seconds=cook_seconds)
    wait_until(lambda: Order.objects.filter(pk=order.id, status="cooking").exists(), 10, "cooking to start")
    # the worker itself says which pool process runs the task
    active = celery_app.control.inspect(timeout=2, limit=1).active() or {}
    pid = next(t["worker_pid"] for tasks in active.values() for t in tasks if t["id"] == result.id)
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: result.state in ("SUCCESS", "FAILURE"), 30, "the task to end")
    wait_until(kitchen.is_idle, 60, "the kitchen to be idle", interval=0.2)
    row = _count(task.name.rsplit(".", 1)[-1], [order.id], "one pool process")
    row["final state"] = result.state
    return row


def drill_table(rows: list[dict]) -> Table:
    return Table(rows, ["task", "killed", "sent", "completed", "lost", "run twice"],
                 title="what survives a crash")
