"""Lesson 10's drills: each one-line mistake in the project's copy gives its symptom, the evidence the
lesson names (Daphne's log, Redis's keys, the settings Django loads, the code) shows it, and mending
the line and restarting only the programs that run it brings the buzz back.

The mistakes lesson 10 drills and lab 10 sets as mysteries are run there, every suite: nbval compares
each one's evidence and the buzz after the fix (the lesson chains), the lab's judge the answers to
them (test_labs.py). Here, the evidence of every mistake is named, and the mistakes neither runs are
run in full."""
from __future__ import annotations

import asyncio
import re

import pytest

from labkit.drills.breakdowns import DRILLS, MISTAKES, MYSTERIES
from labkit.drills.checklist import HOPS, checklist
from labkit.drills.project import Project


def last_error(kitchen) -> str:
    """`grep "Error" daphne.log | tail -n 1`, as the lesson reads it."""
    return [line for line in kitchen.daphne.log_text(since_start=False).splitlines() if "Error" in line][-1]


def groups(kitchen, pattern: str) -> list[str]:
    """`KEYS <pattern>` in the channel layer's database."""
    return sorted(kitchen.redis.client(db=2).execute_command("KEYS", pattern))


def listens_to(active_queues: str) -> list[str]:
    """The queues `celery inspect active_queues` says the worker takes tickets from."""
    return sorted(set(re.findall(r"'name': '([^']+)'", active_queues)))


# mistake -> (what the customer's buzzer shows, the evidence the lesson reads, which must show it)
SEEN = {
    "no handler": ("closed by Daphne (code 1011)",
                   lambda p, k: last_error(k) == "ValueError: No handler for message type order.updated"),
    "wrong group": ("open", lambda p, k: groups(k, "asgi:group:table*") == ["asgi:group:table_3"]
                    and 'f"tables_{order.table}"' in p.path("restaurant/orders/tasks.py").read_text()),
    "wrong route": (None, lambda p, k: "No route found for path 'ws/table/3/'" in last_error(k)),
    "in-memory layer": ("open", lambda p, k: groups(k, "asgi:group:table_3") == []
                        and "InMemoryChannelLayer" in p.run(
                            "python manage.py shell -c 'from django.conf import settings; "
                            "print(settings.CHANNEL_LAYERS)'")),
    "wrong queue": ("open", lambda p, k: k.redis.client(db=0).execute_command("LLEN", "pastry") == 1
                    and listens_to(p.run("celery -A restaurant inspect active_queues")) == ["celery"]),
    "consumer's group": ("open", lambda p, k: groups(k, "asgi:group:table*") == ["asgi:group:tables_3"]),
    "handler renamed": ("closed by Daphne (code 1011)",
                        lambda p, k: last_error(k) == "ValueError: No handler for message type order.update"),
}


@pytest.fixture
def project(restaurant):
    return Project(restaurant.open(worker=False, daphne=False))


def test_every_mistake_has_its_evidence_and_a_hop():
    assert set(SEEN) == set(MISTAKES) >= set(DRILLS.values()) | set(MYSTERIES.values())
    assert {m.hop for m in MISTAKES.values()} <= set(HOPS)
    assert len(DRILLS) >= 4 and len(MYSTERIES) >= 2


def test_the_copy_runs_and_the_worker_answers(project):
    kitchen = project.kitchen
    assert kitchen.worker.cwd == kitchen.daphne.cwd == project.dir
    registered = project.run("celery -A restaurant inspect registered")
    assert "OK" in registered and "restaurant.orders.tasks.cook_order" in registered
    drill = asyncio.run(project.order_and_listen(table=9))
    assert drill.heard == ["cooking", "ready"]
    report = checklist(kitchen, drill.order_id, table=9)
    assert report.broken is None and [r["answer"] for r in report.rows] == ["yes"] * len(HOPS)


@pytest.mark.parametrize("name", [name for name in MISTAKES if name not in {*DRILLS.values(), *MYSTERIES.values()}])
def test_the_evidence_finds_the_mistake_and_the_right_restart_mends_it(project, name):
    kitchen, mistake = project.kitchen, MISTAKES[name]
    project.break_it(name)
    assert (project.dir / mistake.file).read_text() != (project.original / mistake.file).read_text()
    drill = asyncio.run(project.order_and_listen(table=3, wait=2.5))
    drill.mistake = name
    # the symptom: the waiter answered, but "ready" never reached the customer
    assert drill.answered == 202 and "ready" not in drill.heard, drill
    socket, evidence = SEEN[name]
    assert socket is None or drill.socket == socket, drill.socket
    assert evidence(project, kitchen), name
    # the answer key: its hop, its file (any path ending in it) and the line that holds the mistake
    hop, file, line = project.key(drill)
    assert hop == mistake.hop and file == mistake.file
    assert (mistake.shown or mistake.new).strip() in project.path(file).read_text().splitlines()[line - 1]
    assert project.names_it(drill, hop, str(project.path(file)), str(line))
    assert not project.names_it(drill, next(h for h in HOPS if h != hop), file, line)
    assert not project.names_it(drill, hop, "restaurant/orders/views.py", line)

    # mend the line, restart only the programs that run it: the others keep their pid
    before = {"worker": kitchen.worker.pid, "daphne": kitchen.daphne.pid}
    project.edit(mistake.file, mistake.new, mistake.old)
    project.restart(*mistake.programs)
    for program in {"worker", "daphne"} - set(mistake.programs):
        assert getattr(kitchen, program).pid == before[program], program
    mended = asyncio.run(project.order_and_listen(table=4))
    assert mended.heard == ["cooking", "ready"], mended
    assert (project.dir / mistake.file).read_text() == (project.original / mistake.file).read_text()


def test_the_where_to_look_map_points_at_real_lines(kernels):
    """Every row's file:line holds what the row says (a def, a setting, a call), within 2 lines."""
    import json

    from conftest import ROOT
    rows = json.loads(kernels().run("import json, labkit\nprint(json.dumps(labkit.where_to_look().rows))"))
    actors = {r["actor"] for r in rows}
    assert {"waiter (a view)", "spiking a ticket", "cook (a task)", "pressing the buzzer",
            "buzzer (a consumer)", "a buzz's handler", "the page's WebSocket"} <= actors
    for row in rows:
        path, line = row["where"].rsplit(":", 1)
        lines = (ROOT / path).read_text().splitlines()[int(line) - 1:int(line) + 2]
        text = "\n".join(lines)
        wanted = {
            "waiter (a view)": "def " + row["what"].split("-> ")[-1].rstrip("()"),
            "cook (a task)": "def " + row["what"],
            "spiking a ticket": row["what"].removesuffix("(...)"),
            "pressing the buzzer": row["what"],
            "buzzer (a consumer)": "class " + row["what"].split("-> ")[-1],
            "a buzz's handler": "def " + row["what"].split("-> ")[-1].rstrip("()"),
            "waiter (Django's view)": 'path("' + row["what"].split(" ->")[0].lstrip("/"),
            "what a page sends": "def receive_json(",
            "the page's WebSocket": "new WebSocket(",
            "the ticket rail (broker)": "CELERY_BROKER_URL =",
            "beat's schedule": "CELERY_BEAT_SCHEDULE =",
            "the pass (channel layer)": "CHANNEL_LAYERS =",
            "the ASGI app (Daphne runs it)": "application =",
        }[row["actor"]]
        assert wanted in text, (row, text)
