"""Follow an order through the kitchen, from the timestamps each program wrote in the database."""
from __future__ import annotations

from labkit.runtime.tables import Table
from labkit.runtime.waiting import wait_until

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


def follow_task(result, timeout: float = 30.0, interval: float = 0.01) -> Table:
    """Poll a task's state in the result backend until it is final; list each state it passed
    through, with what the backend stored with it (the exception of a RETRY, the result...).

    PENDING is not listed: it only means "no news yet", and how long it lasts is luck."""
    import time

    start = time.perf_counter()
    seen: list[dict] = []

    def final() -> bool:
        meta = result.backend.get_task_meta(result.id)  # one read: state and info together
        state, info = meta["status"], meta.get("result")
        shown = repr(info) if isinstance(info, BaseException) else ("" if info is None else info)
        if state != "PENDING" and (not seen or (seen[-1]["state"], seen[-1]["info"]) != (state, shown)):
            seen.append({"state": state, "at": time.perf_counter() - start, "info": shown})
        return state in ("SUCCESS", "FAILURE", "REVOKED")

    wait_until(final, timeout, f"task {result.id} to finish", interval=interval)
    table = Table([{**row, "seen after": f"{row['at'] * 1000:.0f} ms"} for row in seen],
                  ["state", "seen after", "info"], title=f"task {result.id}")
    table.states = [row["state"] for row in seen]
    table.gaps = [b["at"] - a["at"] for a, b in zip(seen, seen[1:])]  # seconds between states
    return table
