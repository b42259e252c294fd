"""Charge drills (lesson 06): the same charge delivered twice, one after the other, at once, or
again after a crash (between taking the money and printing the receipt, or between claiming the
order and calling the gateway), and what each charge did: the charges the restaurant recorded, and
the calls the card gateway counted (restaurant/payments/gateway.py)."""
from __future__ import annotations

import signal

from labkit.drills.crashes import FAST_REDELIVERY, fresh_worker
from labkit.runtime.tables import Table
from labkit.runtime.waiting import wait_until


def _charges(order_id: int) -> int:
    from restaurant.payments.models import Charge
    return Charge.objects.filter(order_id=order_id).count()


def _gateway_calls(order_id: int) -> int:
    """How many times the card gateway was asked for this order's money (it counts, in Redis)."""
    from django.core.cache import cache

    from restaurant.payments.gateway import attempts_key
    return int(cache.get(attempts_key(order_id)) or 0)


def _row(task, drill: str, order_id: int, answers: str) -> dict:
    return {"task": task.name.rsplit(".", 1)[-1], "drill": drill, "charges": _charges(order_id),
            "gateway calls": _gateway_calls(order_id), "answers": answers}


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
    return _row(task, "two tickets " + ("at once" if at_once else "in a row"), order.id, ", ".join(sorted(answers)))


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
    return _row(task, "crash after charging, redelivered", order.id, "")


def crash_between_claim_and_charge(kitchen, task) -> dict:
    """One ticket for a task that claims the order first (``charge_idempotent``); the gateway is
    slow (2 s), and the worker is killed once the claim is in Redis, before the gateway answers.
    The ticket (acknowledged late) is delivered again to a new worker, which finds the claim."""
    from django.core.cache import cache

    from restaurant.orders.models import Order
    fresh_worker(kitchen, 2)
    order = Order.objects.create(table=6, item="wine")
    result = task.delay(order.id, pause=2)
    wait_until(lambda: cache.get(f"charge:order:{order.id}") is not None, 10, "the order to be claimed")
    kitchen.worker.kill(signal.SIGKILL)
    kitchen.start_worker(concurrency=2, settings=FAST_REDELIVERY)
    answer = result.get(timeout=30)
    wait_until(kitchen.is_idle, 60, "the kitchen to be idle", interval=0.2)
    return _row(task, "crash after the claim, before the gateway", order.id, answer)


def charge_table(rows: list[dict]) -> Table:
    return Table(rows, ["task", "drill", "charges", "gateway calls", "answers"],
                 title="how many times was the card charged? (charges recorded; calls to the gateway)")
