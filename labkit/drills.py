"""Crash drills on real processes: kill the cook mid-task and count what happens to the tickets.

    row = labkit.drills.kill_the_worker(kitchen, cook_order_acks_late)
    row = labkit.drills.kill_a_pool_process(kitchen, cook_order_reject_on_worker_lost)

Each drill waits on conditions, never on a clock: the kitchen is done when no ticket is on the
rail, none is held unacknowledged, and the worker reports no running task.
"""
from __future__ import annotations

import os
import signal

from .processes import wait_until
from .tables import Table

#: redeliver an abandoned ticket after 5 s, and look for abandoned tickets every second
FAST_REDELIVERY = {"ORDERUP_VISIBILITY_TIMEOUT": "5", "ORDERUP_RESTORE_INTERVAL": "1",
                   "ORDERUP_RESTORE_THROTTLE": "1"}


def fresh_worker(kitchen, concurrency: int):
    """Stop any worker, empty the rail, start a worker that redelivers abandoned tickets fast."""
    from restaurant import celery_app
    kitchen.stop_worker()
    celery_app.control.purge()
    return kitchen.start_worker(concurrency=concurrency, settings=FAST_REDELIVERY)


def _count(setting: str, ids: list[int], what: str) -> dict:
    from restaurant.orders.models import Order
    orders = Order.objects.filter(pk__in=ids)
    completed = orders.filter(status="ready").count()
    return {"task": setting, "killed": what, "sent": len(ids), "completed": completed,
            "lost": len(ids) - completed, "run twice": orders.filter(times_cooked__gte=2).count()}


def kill_the_worker(kitchen, task, orders: int = 4, concurrency: int = 2, cook_seconds: float = 1.0) -> dict:
    """Send ``orders`` tickets, SIGKILL the whole worker while ``concurrency`` of them cook,
    start a new worker, wait until the kitchen is idle, and count."""
    from restaurant.orders.models import Order
    fresh_worker(kitchen, concurrency)
    ids = [Order.objects.create(table=5, item="stew").id for _ in range(orders)]
    for order_id in ids:
        task.delay(order_id, cook_seconds=cook_seconds)
    wait_until(lambda: Order.objects.filter(pk__in=ids, status="cooking").count() == concurrency,
               10, "the first orders to be cooking")
    kitchen.worker.kill(signal.SIGKILL)  # main process and pool: no goodbye
    kitchen.start_worker(concurrency=concurrency, settings=FAST_REDELIVERY)
    wait_until(kitchen.is_idle, 60, "the kitchen to be idle", interval=0.2)
    return _count(task.name.rsplit(".", 1)[-1], ids, "whole worker")


def kill_a_pool_process(kitchen, task, cook_seconds: float = 1.0) -> dict:
    """Send one ticket, SIGKILL the pool process running it (the worker lives on), and count."""
    from restaurant import celery_app
    from restaurant.orders.models import Order
    fresh_worker(kitchen, 2)
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


# --- lesson 06: the same charge, delivered twice ------------------------------------------------------

def _charges(order_id: int) -> int:
    from restaurant.payments.models import Charge
    return Charge.objects.filter(order_id=order_id).count()


def duplicate_tickets(kitchen, task, at_once: bool) -> dict:
    """The same charge sent twice (a double click, a retried publish): one after the other, or
    both at once to a worker with two pool processes."""
    from restaurant.orders.models import Order
    fresh_worker(kitchen, 2)
    order = Order.objects.create(table=6, item="wine")
    if at_once:
        results = [task.delay(order.id), task.delay(order.id)]
        answers = [r.get(timeout=30) for r in results]
    else:
        answers = [task.delay(order.id).get(timeout=30), task.delay(order.id).get(timeout=30)]
    return {"task": task.name.rsplit(".", 1)[-1], "drill": "two tickets " + ("at once" if at_once else "in a row"),
            "runs": len(answers), "charges": _charges(order.id), "answers": ", ".join(sorted(answers))}


def redelivery_after_crash(kitchen, task) -> dict:
    """One ticket; the worker is killed after the money is taken, while the receipt prints; the
    ticket (acknowledged late) is delivered again to a new worker."""
    from restaurant.orders.models import Order
    from restaurant.payments.models import Charge
    fresh_worker(kitchen, 2)
    order = Order.objects.create(table=6, item="wine")
    task.delay(order.id, receipt_seconds=2)
    wait_until(lambda: Charge.objects.filter(order_id=order.id).exists(), 10, "the money to be taken")
    kitchen.worker.kill(signal.SIGKILL)
    kitchen.start_worker(concurrency=2, settings=FAST_REDELIVERY)
    wait_until(kitchen.is_idle, 60, "the kitchen to be idle", interval=0.2)
    return {"task": task.name.rsplit(".", 1)[-1], "drill": "crash after charging, redelivered",
            "runs": 2, "charges": _charges(order.id), "answers": ""}


def charge_table(rows: list[dict]) -> Table:
    return Table(rows, ["task", "drill", "charges", "answers"], title="how many times was the card charged?")
