"""An order's journey through the programs, from the times each one wrote down.

The waiter (a view in Daphne), the cook (a worker process) and the buzzer (a consumer in Daphne)
each add an entry to the Redis list ``trace:order:<id>`` (restaurant/classroom/trail.py hooks that
in where they announce what they do: Django's and Celery's signals, the channel layer). The customer
(this notebook's Buzzer, or the browser) adds the moment each buzz arrived. One machine, one clock:

    trail = labkit.order_trail(order_id, buzzer.buzzes)
    trail                      # every hop, when, and how long since the hop before
    trail.steps()              # the relay leg by leg: spike, wait, cook, pass, socket
    trail.diagram()            # the same as a sequence diagram, with the measured times
    labkit.median_steps([...]) # over several orders
"""
from __future__ import annotations

import json
import os
import statistics

from labkit.kitchen import facts
from labkit.runtime.tables import Table, fmt_duration

# who wrote an entry, by the start of its hop name
PROGRAMS = {
    "waiter": "waiter (view, in Daphne)",
    "cook": "cook (Celery worker)",
    "buzzer": "buzzer (consumer, in Daphne)",
}

# the relay's legs: (from hop, to hop, what happens in between); "customer" is the notebook or browser
LEGS = [
    ("waiter: order taken", "waiter: spiking the ticket", "waiter saves the order, .delay() builds the ticket"),
    ("waiter: spiking the ticket", "cook: ticket picked up", ".delay(), the rail, until a cook takes it"),
    ("cook: ticket picked up", "cook: buzzer pressed (cooking)", "cook saves 'cooking', presses the buzzer"),
    ("cook: buzzer pressed (cooking)", "cook: order ready", "cooking, then saving 'ready'"),
    ("cook: order ready", "cook: buzzer pressed (ready)", "cook presses the buzzer"),
    ("cook: buzzer pressed (ready)", "buzzer: order.update (ready)", "the pass: group_send to the consumer"),
    ("buzzer: order.update (ready)", "customer: buzz received (ready)", "the socket: consumer to customer"),
    ("cook: buzzer pressed (ready)", "customer: buzz received (ready)", "buzzer pressed to buzz felt"),
    ("waiter: order taken", "customer: buzz received (ready)", "order taken to buzz felt"),
]


def _ms(seconds: float) -> str:
    return fmt_duration(seconds)


class Trail:
    def __init__(self, order_id: int, entries: list[dict], customer: str = "notebook"):
        self.order_id, self.customer = order_id, customer
        self.entries = sorted(entries, key=lambda e: e["at"])

    def at(self, hop: str) -> float | None:
        """When ``hop`` happened (the first time), or None if it never did."""
        hop = hop.replace("customer:", f"{self.customer}:")
        return next((e["at"] for e in self.entries if e["hop"] == hop), None)

    def leg(self, start: str, end: str) -> float | None:
        a, b = self.at(start), self.at(end)
        return None if a is None or b is None else b - a

    def table(self) -> Table:
        rows, first, previous = [], None, None
        for e in self.entries:
            first = e["at"] if first is None else first
            program = e["hop"].split(":")[0]
            rows.append({
                "hop": e["hop"],
                "program": PROGRAMS.get(program, f"{program} (customer)"),
                "since the order": "0" if previous is None else "+" + _ms(e["at"] - first),
                "since the hop before": "" if previous is None else "+" + _ms(e["at"] - previous),
            })
            previous = e["at"]
        return Table(rows, title=f"order #{self.order_id}, hop by hop")

    def steps(self) -> Table:
        rows = [{"leg": what, "took": _ms(t) if (t := self.leg(a, b)) is not None else "(missing)"}
                for a, b, what in LEGS]
        return Table(rows, title=f"order #{self.order_id}, leg by leg")

    def diagram(self):
        """A Mermaid sequence diagram of the journey, with the measured times (JupyterLab draws it)."""
        from IPython.display import Markdown
        return Markdown("```mermaid\n" + self.mermaid() + "\n```")

    def mermaid(self) -> str:
        lines = [
            "sequenceDiagram",
            f"    participant N as {self.customer} (customer)",
            "    participant W as waiter (view)",
            "    participant R as Redis",
            "    participant C as cook (worker)",
            "    participant B as buzzer (consumer)",
        ]
        first = self.entries[0]["at"] if self.entries else 0
        previous = first
        for e in self.entries:
            hop, stamp = e["hop"], f"+{_ms(e['at'] - previous)}" if e["at"] != first else "t = 0"
            previous = e["at"]
            status = hop[hop.find("(") + 1:hop.find(")")] if "(" in hop else ""
            if hop == "waiter: order taken":
                lines.append(f"    N->>W: POST orders/ ({stamp})")
            elif hop == "waiter: spiking the ticket":
                lines.append(f"    W->>R: LPUSH ticket, .delay() ({stamp})")
                lines.append("    W-->>N: 202 Accepted")
            elif hop == "cook: ticket picked up":
                lines.append(f"    R->>C: BRPOP, ticket ({stamp})")
            elif hop == "cook: order ready":
                lines.append(f"    Note over C: cooked, saved ({stamp})")
            elif hop.startswith("cook: buzzer pressed"):
                lines.append(f"    C->>R: group_send order.update, {status} ({stamp})")
            elif hop.startswith("buzzer: order.update"):
                lines.append(f"    R->>B: order.update, {status} ({stamp})")
            elif hop.startswith(f"{self.customer}: buzz received"):
                lines.append(f"    B->>N: WebSocket message, {status} ({stamp})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.table()._repr_html_()

    def __repr__(self) -> str:
        return repr(self.table())


def order_trail(order_id: int, buzzes: list[dict] = (), customer: str = "notebook",
                client=None) -> Trail:
    """Order ``order_id``'s trail from Redis, plus when each of ``buzzes`` (a Buzzer's) arrived."""
    from restaurant.classroom.trail import key
    if client is None:
        from labkit.kitchen.restaurant import running_redis
        client = running_redis().client(db=facts.database("cache"))
    entries = [json.loads(e) for e in client.lrange(key(order_id), 0, -1)]
    for buzz in buzzes:
        order = buzz.get("order", {})
        if order.get("id") == order_id:
            entries.append({"hop": f"{customer}: buzz received ({order.get('status')})",
                            "at": buzz["received_at"], "pid": os.getpid()})
    return Trail(order_id, entries, customer)


def median_steps(trails: list[Trail]) -> Table:
    """Each leg's median (and slowest) over several orders."""
    rows = []
    for a, b, what in LEGS:
        times = [t for trail in trails if (t := trail.leg(a, b)) is not None]
        rows.append({"leg": what, "orders": len(times),
                     "median": _ms(statistics.median(times)) if times else "",
                     "slowest": _ms(max(times)) if times else ""})
    return Table(rows, title=f"{len(trails)} orders, leg by leg")
