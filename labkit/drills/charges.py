"""Charge drills (lesson 06): the same charge delivered twice, one after the other, at once, or
again after a crash between taking the money and printing the receipt, and what each charge did."""
from __future__ import annotations

import signal

from labkit.drills.crashes import FAST_REDELIVERY, fresh_worker
from labkit.runtime.tables import Table
from labkit.runtime.waiting import wait_until


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
