"""Lesson 10's broken restaurants: one hop of the relay broken on purpose, for real.

Each breakdown changes one process the way a real project breaks: a worker that is not running, a
worker whose settings disagree with Daphne's (the group name, the message type, the channel layer),
or a browser that comes from a host Daphne does not allow. Nothing is faked: the order really goes
through every hop that still works.

    drill = await labkit.run_drill(kitchen, "wrong group", table=2)   # break, then order
    drill                                                              # what the customer saw
    labkit.checklist(kitchen, drill.order_id, table=2)                 # follow the relay
    await labkit.fix(kitchen, "wrong group")                           # and mend it
    (await labkit.order_and_listen(kitchen, table=2)).heard            # ["cooking", "ready"]
"""
from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

import websockets

from labkit.drills.checklist import log_marks
from labkit.kitchen.buzzer import Buzzer
from labkit.kitchen.web_client import WebClient

# the host a workshop's browser uses, in the origin drill; Daphne does not allow it by default
WORKSHOP_ORIGIN = "http://workshop.example.org"

BREAKDOWNS = {
    "no worker": "nobody runs the worker",
    "in-memory layer": "the worker's settings use the in-memory channel layer",
    "wrong group": "the worker's settings name the buzzer's group differently (tables_<n>)",
    "no handler": "the worker's settings use a message type no consumer handles (order.updated)",
    "origin refused": "the customer's browser comes from a host Daphne does not allow",
}
# the hop the relay checklist finds broken, for each breakdown
BROKEN_HOP = {
    "no worker": "cook",
    "in-memory layer": "layer",
    "wrong group": "group",
    "no handler": "consumer",
    "origin refused": "socket",
}
# lab 10's mysteries: a breakdown the learner has to find without being told
MYSTERIES = {"A": "wrong group", "B": "in-memory layer"}

# each breaks the worker's pass from the classroom's side (restaurant/classroom/faults.py): the
# restaurant's code stays right, one process's settings go wrong
_WORKER_SETTINGS = {
    "in-memory layer": {"ORDERUP_FAULT_LAYER": "memory"},
    "wrong group": {"ORDERUP_FAULT_GROUP": "tables_{table}"},
    "no handler": {"ORDERUP_FAULT_TYPE": "order.updated"},
}


def _check(name: str) -> None:
    if name not in BREAKDOWNS:
        raise ValueError(f"no breakdown {name!r}; choose one of {sorted(BREAKDOWNS)}")


def break_hop(kitchen, name: str) -> None:
    """Break one hop of ``kitchen``'s relay (see BREAKDOWNS)."""
    _check(name)
    if name == "no worker":
        kitchen.stop_worker()
    elif name in _WORKER_SETTINGS:
        kitchen.start_worker(settings=_WORKER_SETTINGS[name])
    # "origin refused" breaks nothing in the restaurant: the customer comes from elsewhere


async def fix(kitchen, name: str) -> None:
    """Mend what ``break_hop`` broke: the worker with the project's settings, Daphne allowing the
    workshop's host (for the origin drill)."""
    _check(name)
    if name == "origin refused":
        await asyncio.to_thread(kitchen.start_daphne, settings={"ORDERUP_ALLOWED_HOSTS": "workshop.example.org"})
    else:
        await asyncio.to_thread(kitchen.start_worker)


def how_it_was_broken(name: str) -> str:
    """What the classroom did to break the hop ``name``: the environment it flipped, shown, not hidden."""
    if name == "no worker":
        return "kitchen.stop_worker(): no worker process runs"
    if name in _WORKER_SETTINGS:
        flipped = " ".join(f"{k}={v}" for k, v in _WORKER_SETTINGS[name].items())
        return f"the worker restarted with {flipped} (read by restaurant/classroom/faults.py)"
    return f"the customer's page comes from {WORKSHOP_ORIGIN} (the socket's Origin header)"


def customer_origin(kitchen, name: str) -> str:
    """Where the customer's page comes from in drill ``name``."""
    return WORKSHOP_ORIGIN if name == "origin refused" else kitchen.daphne.url


@dataclass
class Drill:
    name: str | None  # the breakdown, or None for an order through an unbroken relay
    table: int
    order_id: int | None = None
    answered: int | None = None
    heard: list[str] = field(default_factory=list)
    socket: str = ""
    buzzer: Buzzer | None = field(default=None, repr=False)

    mystery: bool = False

    @property
    def broken_hop(self) -> str:
        return BROKEN_HOP[self.name]

    def __repr__(self) -> str:
        what = "(a mystery: find it)" if self.mystery else BREAKDOWNS.get(self.name, "none")
        lines = [f"breakdown: {what}"]
        if self.name and not self.mystery:
            lines.append(f"how: {how_it_was_broken(self.name)}")
        lines += [f"table {self.table}'s buzzer: {self.socket}",
                  f"the waiter answered: {self.answered}",
                  f"the buzzer heard: {', '.join(self.heard) or 'nothing'}"]
        return "\n".join(lines)


async def order_and_listen(kitchen, table: int, wait: float = 5.0, origin: str | None = None,
                           name: str | None = None) -> Drill:
    """Play the customer at ``table``: connect its buzzer (from ``origin``, by default the
    restaurant's own page), order, and listen up to ``wait`` s for "ready"."""
    drill = Drill(name, table)
    mark = kitchen.daphne.log_size()  # the checklist's evidence starts here
    buzzer = None
    try:
        buzzer = await Buzzer.connect(table, kitchen.daphne, origin=origin)
        drill.socket = "open"
    except websockets.InvalidStatus as refused:
        drill.socket = f"refused (HTTP {refused.response.status_code})"
    status, order = await asyncio.to_thread(WebClient(kitchen.daphne.url).post, "/orders/", {"table": table})
    drill.order_id, drill.answered = order.get("id"), status
    if drill.order_id is not None:
        log_marks[drill.order_id] = mark
    if buzzer is not None:
        try:
            await buzzer.wait_for("ready", drill.order_id, timeout=wait)
        except (TimeoutError, ConnectionError):
            pass
        drill.heard = [b["order"]["status"] for b in buzzer.buzzes if b["order"].get("id") == drill.order_id]
        if buzzer.closed:
            code = getattr(getattr(buzzer.closed, "rcvd", None), "code", None)
            drill.socket = f"closed by Daphne (code {code})" if code else "closed"
        drill.buzzer = buzzer  # the customer stays at the table (its buzzer stays in the group)
    else:
        await asyncio.sleep(wait)  # no buzzer to hear it, but the order still goes round the kitchen
    return drill


async def mystery_drill(kitchen, letter: str, table: int) -> Drill:
    """Lab 10: break a hop without saying which, and play the customer at ``table``."""
    drill = await run_drill(kitchen, MYSTERIES[letter], table)
    drill.mystery = True
    return drill


async def run_drill(kitchen, name: str, table: int, wait: float | None = None) -> Drill:
    """Break ``name``, then play the customer at ``table``: connect, order, listen."""
    break_hop(kitchen, name)
    cook_seconds = float(os.environ.get("ORDERUP_COOK_SECONDS", "1.0"))
    return await order_and_listen(kitchen, table, wait or cook_seconds + 1.5,
                                  origin=customer_origin(kitchen, name), name=name)
