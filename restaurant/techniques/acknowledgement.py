"""The same cooking, acknowledged at other moments (lesson 05).

Celery acknowledges a ticket when the task starts (early ack, the default): a worker that dies
mid-task has already said "done" and the ticket is lost. These two cooks do it later.
"""
from celery import shared_task

from restaurant.orders.tasks import cook_order


@shared_task(acks_late=True)
def cook_order_acks_late(order_id: int, cook_seconds: float | None = None) -> dict:
    """Acknowledges the ticket when cooking is done, not when it starts."""
    return cook_order.run(order_id, cook_seconds)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def cook_order_reject_on_worker_lost(order_id: int, cook_seconds: float | None = None) -> dict:
    """Late ack, and if the pool process dies mid-task, the ticket goes back on the rail."""
    return cook_order.run(order_id, cook_seconds)
