"""Lesson 10's drills: each broken hop gives its symptom, and the checklist points at that hop."""
from __future__ import annotations

import asyncio

import pytest

from labkit.drills.breakdowns import (
    BREAKDOWNS,
    BROKEN_HOP,
    customer_origin,
    fix,
    order_and_listen,
    run_drill,
)
from labkit.drills.checklist import HOPS, checklist

EXPECTED = {  # breakdown -> (the hop the checklist must name, what the customer's buzzer shows)
    "no worker": ("cook", "open"),
    "in-memory layer": ("layer", "open"),
    "wrong group": ("group", "open"),
    "no handler": ("consumer", "closed by Daphne (code 1011)"),
    "origin refused": ("socket", "refused (HTTP 403)"),
}


@pytest.fixture
def kitchen(restaurant):
    return restaurant.open()


def test_every_breakdown_has_a_drill():
    assert set(EXPECTED) == set(BREAKDOWNS) == set(BROKEN_HOP)
    assert all(BROKEN_HOP[name] == hop for name, (hop, _) in EXPECTED.items())
    assert {hop for hop, _ in EXPECTED.values()} <= set(HOPS)


def test_a_working_relay_answers_yes_everywhere(kitchen):
    drill = asyncio.run(order_and_listen(kitchen, table=9))  # nothing broken
    assert drill.heard == ["cooking", "ready"]
    report = checklist(kitchen, drill.order_id, table=9)
    assert report.broken is None and [r["answer"] for r in report.rows] == ["yes"] * len(HOPS)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_drill_breaks_its_hop_and_the_checklist_finds_it(kitchen, name):
    hop, socket = EXPECTED[name]
    drill = asyncio.run(run_drill(kitchen, name, table=3))
    # the symptom: the waiter answered, but "ready" never reached the customer
    assert drill.answered == 202 and "ready" not in drill.heard
    assert drill.socket == socket
    report = checklist(kitchen, drill.order_id, table=3)
    assert report.broken == hop, repr(report)
    # every hop before the broken one answered yes: the evidence points at exactly one hop
    answers = [r["answer"] for r in report.rows]
    assert answers[:HOPS.index(hop)] == ["yes"] * HOPS.index(hop)
    # the learner names the hop first: the verdict agrees with the right one, not with another
    assert checklist(kitchen, drill.order_id, table=3, guess=hop).verdict.endswith("agreed.")
    wrong = next(h for h in HOPS if h != hop)
    assert "agreed" not in checklist(kitchen, drill.order_id, table=3, guess=wrong).verdict
    with pytest.raises(ValueError, match="name one of the hops"):
        checklist(kitchen, drill.order_id, table=3, guess="the kitchen")

    asyncio.run(fix(kitchen, name))
    mended = asyncio.run(order_and_listen(kitchen, table=4, origin=customer_origin(kitchen, name)))
    assert mended.heard == ["cooking", "ready"], mended


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
