"""labkit's lesson tools against real services: timings, the HTTP rush, the rail board."""
from __future__ import annotations

import itertools
import urllib.error
import urllib.request

import pytest
from celery import Celery

from labkit.kitchen.web_client import WebClient, rush
from labkit.look.board import RailBoard
from labkit.look.timing import Timings, compare, time_calls


def test_percentiles_and_ratios():
    t = Timings("x", [i / 1000 for i in range(1, 101)])  # 1 ms ... 100 ms
    assert t.p50 == pytest.approx(0.0505, abs=0.001)
    assert t.p99 == pytest.approx(0.099, abs=0.0015)
    double = Timings("y", [2 * s for s in t.seconds])
    table = compare(t, double)
    assert table.column("p50 / x") == ["1.0x", "2.0x"]
    calls = []
    timed = time_calls(lambda: calls.append(1), runs=30, warmup=5)
    assert len(timed.seconds) == 30 and len(calls) == 35


@pytest.fixture
def quick_kitchen(restaurant, monkeypatch):
    monkeypatch.setenv("ORDERUP_COOK_SECONDS", "0.3")  # every service inherits it
    return restaurant


def test_one_waiter_makes_customers_queue_and_tickets_do_not(quick_kitchen):
    waiter = quick_kitchen.start_one_waiter()
    cooking = rush(waiter.url, "/orders/inline/", customers=3)
    assert cooking.column("status") == [201, 201, 201] and cooking.column("order") == ["ready"] * 3
    waits = cooking.waits
    assert all(b - a > 0.2 for a, b in itertools.pairwise(waits)), waits  # each queued behind the last
    tickets = rush(waiter.url, "/orders/", customers=3)
    assert tickets.column("status") == [202] * 3 and tickets.column("order") == ["received"] * 3
    assert quick_kitchen.redis.client().llen("celery") == 3


def test_a_post_without_the_csrf_token_is_refused(quick_kitchen):
    daphne = quick_kitchen.start_daphne()
    request = urllib.request.Request(daphne.url + "/orders/", data=b"table=1", method="POST",
                                     headers={"X-Orderup-Key": daphne.door_key})  # past the door
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=10)
    assert err.value.code == 403 and b"CSRF" in err.value.read()
    assert WebClient(daphne.url).post("/orders/", {"table": 1})[0] == 202


def test_rail_board_counts_what_is_in_redis(restaurant):
    server = restaurant.start_redis()
    app = Celery("probe", broker=f"{server.url}/0")
    for _ in range(4):
        app.send_task("restaurant.orders.tasks.noop")
    server.client(1).set("celery-task-meta-x", "{}")
    board = RailBoard(server, seconds=0.5, interval=0.1)
    snap = board.snapshot()
    assert (snap["on the rail"], snap["taken, not yet acked"], snap["results stored"]) == (4, 0, 1)
    board.start()
    board._thread.join(5)
    assert not board._thread.is_alive(), "the board stops by itself"
    assert "<b>4</b>" in board.widget.value and "stopped" in board.widget.value
    app.close()
