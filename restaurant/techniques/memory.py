"""Receipts: the cook keeps every receipt it prints, to print it again at once if a customer asks.

That dict lives in the pool process that ran the task, and nothing ever empties it: each receipt
makes the process bigger, for as long as it lives. A worker that runs for weeks grows until the
machine runs out of memory. Celery can replace a pool process after it has run N tasks
(`worker_max_tasks_per_child`) or once it has grown past N KiB (`worker_max_memory_per_child`).
"""
from celery import shared_task

from restaurant.orders.models import Order

printed: dict[int, bytes] = {}  # order id -> the receipt as sent to the printer


def render_receipt(order: Order) -> bytes:
    """The page the printer takes: the order's lines and the restaurant's logo, about 2 MB."""
    text = f"Order {order.id}, table {order.table}: {order.item}\n".encode()
    return text.ljust(2 * 1024 * 1024, b".")


@shared_task
def print_receipt(order_id: int) -> int:
    order = Order.objects.get(pk=order_id)
    printed[order_id] = render_receipt(order)
    return len(printed)
