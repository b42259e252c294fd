"""Follow an order through the kitchen, from the timestamps each program wrote in the database."""
from __future__ import annotations

from .processes import wait_until
from .tables import Table

STEPS = [("received", "created_at", "the waiter (web process) saved it"),
         ("cooking", "cooking_at", "a cook (worker process) picked it up"),
         ("ready", "ready_at", "the cook finished it")]


def follow_order(order_id: int, timeout: float = 15.0) -> Table:
    """Wait until the order is ready, then show when it reached each status.

    The kernel only reads the database; the worker, another program, wrote `cooking` and `ready`.
    """
    from restaurant.orders.models import Order

    order = wait_until(lambda: Order.objects.filter(pk=order_id, status="ready").first(), timeout,
                       f"waiting for order {order_id} to be ready", interval=0.01)
    rows = []
    for status, field, who in STEPS:
        at = getattr(order, field)
        rows.append({"status": status, "after": f"{(at - order.created_at).total_seconds() * 1000:.0f} ms",
                     "written by": who})
    return Table(rows, ["status", "after", "written by"], title=str(order))
