"""Lesson 10's broken restaurants: one real one-line mistake in one real file of a copy of the project
(labkit/drills/project.py runs the worker and Daphne from that copy), and the customer who meets it.

Each mistake is one a project really makes: the cook sends a message type no consumer handles, or
to another group than the buzzers joined; the WebSocket route does not match the page's URL; the
settings choose Channels' in-memory layer. The drills are numbered and the lab's mysteries lettered,
so that a cell that starts one says nothing about what it breaks.

    drill = await project.drill(1, table=1)     # the copy broken, the right program restarted, an order
    drill                                       # what the customer saw, and nothing more
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import websockets

from labkit.drills.checklist import log_marks
from labkit.kitchen.buzzer import Buzzer
from labkit.kitchen.web_client import WebClient


@dataclass(frozen=True)
class Mistake:
    """One line of one file of the project, changed. ``old`` must occur in ``file``; only its first
    occurrence changes (``new`` may add a line before it)."""
    file: str        # relative to the project's folder
    old: str
    new: str
    hop: str         # the relay's hop it breaks (labkit/drills/checklist.py's HOPS)
    programs: tuple  # the programs that run this file's code: those to restart after a change
    why: str         # what went wrong, for the answer key
    shown: str = ""  # the text of the broken line, to find its number (default: new's last line)


MISTAKES = {
    "no handler": Mistake(
        "restaurant/orders/tasks.py", '"type": "order.update"', '"type": "order.updated"', "consumer", ("worker",),
        "the cook sends type 'order.updated'; the consumer's handler order_update() takes 'order.update', "
        "so the consumer raises and Daphne closes the socket"),
    "wrong group": Mistake(
        "restaurant/orders/tasks.py", 'group_send)(f"table_{order.table}"', 'group_send)(f"tables_{order.table}"',
        "group", ("worker",),
        "the cook sends to group 'tables_<n>'; the buzzers joined 'table_<n>' (consumers.py), and a "
        "group_send to a group with no members reaches nobody, without an error"),
    "wrong route": Mistake(
        "restaurant/orders/routing.py", 'path("ws/table/<int:table>/"', 'path("ws/tables/<int:table>/"', "socket",
        ("daphne",),
        "the route is ws/tables/<n>/; the page opens ws/table/<n>/ (table.html), which no route matches, "
        "so the socket never connects"),
    "in-memory layer": Mistake(
        "restaurant/settings.py", "CACHES = {",
        'CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}\nCACHES = {',
        "layer", ("worker", "daphne"),
        "a second CHANNEL_LAYERS replaces the Redis one: each program gets a layer of its own, in its own "
        "memory, so the cook's buzz never leaves the worker",
        shown='CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}'),
    "wrong queue": Mistake(
        "restaurant/settings.py", 'CELERY_TASK_ROUTES = {"restaurant.techniques.queues.bake_dessert"',
        'CELERY_TASK_ROUTES = {"restaurant.orders.*"', "rail", ("daphne",),
        "the route sends every task of restaurant.orders, cook_order too, to the 'pastry' queue; the worker "
        "takes tickets from 'celery' only, so the ticket waits on a rail nobody reads"),
    "consumer's group": Mistake(
        "restaurant/orders/consumers.py", 'self.group = f"table_{self.table}"', 'self.group = f"tables_{self.table}"',
        "group", ("daphne",),
        "the buzzer joins 'tables_<n>'; the cook sends to 'table_<n>' (tasks.py)"),
    "handler renamed": Mistake(
        "restaurant/orders/consumers.py", "async def order_update(self, event):",
        "async def order_updated(self, event):", "consumer", ("daphne",),
        "the consumer's handler is order_updated(), which takes type 'order.updated'; the cook sends "
        "'order.update', so the consumer raises and Daphne closes the socket"),
}
# lesson 10's drills, in order, and lab 10's mysteries (the others: more mistakes a drill can make)
DRILLS = {1: "no handler", 2: "wrong group", 3: "wrong route", 4: "in-memory layer"}
MYSTERIES = {"A": "consumer's group", "B": "handler renamed"}


def same_file(answer, file: str) -> bool:
    """Whether ``answer`` names ``file`` (relative to the project): as grep prints it, with ./, or a
    whole path that ends in it; a bare name is not enough (a project has several tasks.py)."""
    path = str(answer).replace("\\", "/").strip().lstrip("./")
    return path == file or path.endswith("/" + file)


def verdicts(hop, file, line, key_hop: str, places: list[tuple[str, int | None]]) -> dict[str, bool]:
    """Whether the hop, the file and the line a learner named are the key's; ``places``: each
    (file, line) that is a right answer."""
    lines = [number for right_file, number in places if same_file(file, right_file)]
    return {"hop": str(hop).strip().lower() == key_hop, "file": bool(lines),
            "line": any(str(line).strip() == str(number) for number in lines)}


@dataclass
class Drill:
    number: int | str  # the lesson's drill number, or the lab's mystery letter (never what broke)
    table: int
    order_id: int | None = None
    answered: int | None = None
    heard: list[str] = field(default_factory=list)
    socket: str = ""
    buzzer: Buzzer | None = field(default=None, repr=False)
    pids: dict = field(default_factory=dict, repr=False)  # the programs' pids when it was ordered
    mistake: str | None = field(default=None, repr=False)  # the classroom's answer key (project.answer_key)

    def __repr__(self) -> str:
        return "\n".join([f"table {self.table}'s buzzer: {self.socket}",
                          f"the waiter answered: {self.answered}",
                          f"the buzzer heard: {', '.join(self.heard) or 'nothing'}"])


def how_it_closed(socket: Buzzer) -> str:
    """A closed socket, as a browser's Network tab says it: the close code the server sent."""
    code = getattr(getattr(socket.closed, "rcvd", None), "code", None)
    return f"closed by Daphne (code {code})" if code else "closed"


def say_what_was_named(hop, file, line, said: dict[str, bool]) -> None:
    """Before an answer key: what the learner named, and which of it is right."""
    if any(answer is Ellipsis for answer in (hop, file, line)):
        print("You have not named all three yet (hop, file, line): the key follows anyway, but name yours "
              "first next time; that is the skill.")
    else:
        print(f"You named: the {hop!r} hop, {file}, line {line}: "
              + ", ".join(f"{what} {'right' if ok else 'not it'}" for what, ok in said.items()) + ".")


async def order_and_listen(kitchen, table: int, wait: float = 5.0, origin: str | None = None) -> Drill:
    """Play the customer at ``table``: connect its buzzer (from ``origin``, by default the
    restaurant's own page), order, and listen up to ``wait`` s for "ready"."""
    drill = Drill(0, table)
    mark = kitchen.daphne.log_size()  # the checklist's evidence starts here
    buzzer = None
    try:
        buzzer = await Buzzer.connect(table, kitchen.daphne, origin=origin)
        drill.socket = "open"
    except websockets.InvalidStatus as refused:
        drill.socket = f"refused (HTTP {refused.response.status_code})"
    except (websockets.InvalidHandshake, websockets.ConnectionClosed, OSError) as failed:
        drill.socket = f"failed ({type(failed).__name__})"
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
            drill.socket = how_it_closed(buzzer)
        drill.buzzer = buzzer  # the customer stays at the table (its buzzer stays in the group)
    else:
        await asyncio.sleep(wait)  # no buzzer to hear it, but the order still goes round the kitchen
    return drill
