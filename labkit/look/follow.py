"""Follow an order through the kitchen, from the timestamps each program wrote in the database."""
from __future__ import annotations

import itertools

from labkit.runtime.tables import Table
from labkit.runtime.waiting import wait_until

STEPS = [("received", "created_at", "order taken"), ("cooking", "cooking_at", "order cooking"),
         ("ready", "ready_at", "order ready")]
# who wrote each status, from the order's trail (restaurant/classroom/trail.py names each program)
WHO = {"waiter": "the waiter (web process)", "cook": "a cook (worker process)",
       "notebook": "this notebook (its test client ran the view)"}


def follow_order(order_id: int, timeout: float = 15.0) -> Table:
    """Wait until the order is ready, then show when it reached each status, and which program
    wrote it: the database has the times, the order's trail who saved them.

    The kernel only reads the database; the worker, another program, wrote `cooking` and `ready`.
    """
    from restaurant.classroom import trail
    from restaurant.orders.models import Order

    order = wait_until(lambda: Order.objects.filter(pk=order_id, status="ready").first(), timeout,
                       f"waiting for order {order_id} to be ready", interval=0.01)
    hops = [entry["hop"] for entry in trail.read(order_id)]
    rows = []
    for status, field, hop in STEPS:
        at = getattr(order, field)
        writers = [h.split(":")[0] for h in hops if h.endswith(f": {hop}")]
        rows.append({"status": status, "after": f"{(at - order.created_at).total_seconds() * 1000:.0f} ms",
                     "written by": WHO.get(writers[0], writers[0]) if writers else "(not in the trail)"})
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
    table.gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(seen)]  # seconds between states
    return table
