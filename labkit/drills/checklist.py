"""The relay checklist: did the message make it this far? One question per hop, answered with
evidence from the programs themselves, in the order the order travels.

    labkit.checklist(kitchen, order_id, table=5)
    labkit.checklist(kitchen, order_id, table=5, guess="group")   # your answer first: does it agree?

| hop | question | evidence |
|---|---|---|
| waiter | did the waiter take the order? | the order's trail in Redis |
| rail | is its ticket on the rail (or taken)? | the trail, `LLEN celery` |
| cook | did a cook pick the ticket up? | the trail, `LLEN celery`, the worker's state |
| layer | did the cook press the buzzer on the shared channel layer? | the layer the trail names |
| socket | is a buzzer of the table connected? | the group's members in Redis, Daphne's WSREJECT lines |
| group | did the cook press the group that buzzer is in? | the group the trail names vs the one in Redis |
| consumer | did a consumer get a buzz it handles? | the trail, Daphne's "No handler" lines |

The first "no" is the broken hop.
"""
from __future__ import annotations

import re

from labkit.kitchen import facts
from labkit.look.trail import order_trail
from labkit.runtime.tables import Table

HOPS = ["waiter", "rail", "cook", "layer", "socket", "group", "consumer"]


class Checklist:
    def __init__(self, rows: list[dict], guess: str | None = None):
        self.rows = rows
        self.broken = next((r["hop"] for r in rows if r["answer"] == "no"), None)
        self.guess = guess

    def table(self) -> Table:
        return Table(self.rows, ["hop", "question", "answer", "evidence"], title="the relay checklist")

    @property
    def verdict(self) -> str:
        found = ("Every hop answered yes: the buzz made it." if self.broken is None
                 else f"The relay breaks at the {self.broken!r} hop.")
        if self.guess is None:
            return found
        if self.guess == self.broken:
            return f"{found} You named {self.guess!r} from the evidence: agreed."
        return (f"{found} You named {self.guess!r}: read the first \"no\" row's evidence, and the "
                "rows before it, which all say yes.")

    def _repr_html_(self) -> str:
        return self.table()._repr_html_() + f"<p><b>{self.verdict}</b></p>"

    def __repr__(self) -> str:
        return f"{self.table()!r}\n\n{self.verdict}"


#: order id -> where Daphne's log ended when that order was placed (order_and_listen notes it)
log_marks: dict[int, int] = {}


def checklist(kitchen, order_id: int, table: int, guess: str | None = None) -> Checklist:
    """Follow order ``order_id`` of ``table`` through the relay, hop by hop, with evidence.
    ``guess``: the hop you named from the evidence first (one of HOPS); the verdict says whether
    the checklist agrees."""
    if guess is not None and guess not in HOPS:
        raise ValueError(f"guess is {guess!r}: name one of the hops, {', '.join(HOPS)}")
    trail = order_trail(order_id, client=kitchen.redis.client(db=facts.database("cache")))
    hops = {e["hop"].split(" (")[0]: e for e in trail.entries}
    rail = kitchen.redis.client(db=facts.database("broker")).llen("celery")
    # the evidence of this order's own time: Daphne's log from the moment it was ordered (a drill
    # notes where the log ended), not what an earlier drill left in it
    daphne_log = kitchen.daphne.log_text(since=log_marks.get(order_id)) if kitchen.daphne else ""
    consumer_group = facts.table_group(table)  # where the buzzers listen (consumers.py)
    members = kitchen.redis.client(db=facts.database("channel layer")).zcard(f"asgi:group:{consumer_group}")
    pressed = hops.get("cook: buzzer pressed", {})
    rows = []

    def ask(hop, question, ok, evidence):
        rows.append({"hop": hop, "question": question, "answer": "yes" if ok else "no", "evidence": evidence})

    ask("waiter", "did the waiter take the order?", "waiter: order taken" in hops,
        "the trail starts with the waiter" if "waiter: order taken" in hops else "no trail in Redis")
    ask("rail", "is its ticket on the rail, or taken?", "waiter: spiking the ticket" in hops,
        f"LLEN celery = {rail}")
    worker = "running" if kitchen.worker is not None and kitchen.worker.running else "not running"
    ask("cook", "did a cook pick the ticket up?", "cook: ticket picked up" in hops,
        f"LLEN celery = {rail}; the worker is {worker}")
    layer = pressed.get("layer")
    ask("layer", "did the cook press the buzzer on the shared channel layer?",
        layer == "RedisChannelLayer",
        f"the cook's layer: {layer}" if layer else "the cook never pressed the buzzer")
    rejected = daphne_log.count("WSREJECT")
    ask("socket", f"is a buzzer of table {table} connected?", members > 0,
        f"asgi:group:{consumer_group} has {members} member(s); Daphne refused {rejected} socket(s) (WSREJECT)")
    group = pressed.get("group")
    ask("group", "did the cook press the group that buzzer is in?", group == consumer_group,
        f"the cook pressed {group!r}; the buzzer is in {consumer_group!r}")
    handled = f"buzzer: {facts.BUZZ}" in hops  # the consumer's channel got the type it handles
    unhandled = sorted(set(re.findall(r"ValueError: No handler for message type (\S+)", daphne_log)))
    errors = f"consumers failed on type {', '.join(map(repr, unhandled))}" if unhandled else "no consumer errors"
    ask("consumer", "did a consumer handle the buzz?", handled,
        "the consumer wrote to the trail" if handled else
        f"type sent: {pressed.get('type')!r}; Daphne's log: {errors}")
    return Checklist(rows, guess)
