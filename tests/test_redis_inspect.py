"""Looking inside Redis: real Celery messages published to a real server, decoded."""
from __future__ import annotations

import base64
import json

import pytest
from celery import Celery

from labkit.look.redis import decode_ticket, keys, monitor, tickets


@pytest.fixture
def broker(restaurant):
    server = restaurant.start_redis()
    app = Celery("probe", broker=f"{server.url}/0")
    yield server, app
    app.close()


def test_a_published_task_is_a_ticket_in_the_celery_list(broker):
    server, app = broker
    app.send_task("restaurant.orders.tasks.cook_order", args=[42], kwargs={"cook_seconds": 0.1})
    app.send_task("restaurant.orders.tasks.cook_order", args=[43])
    client = server.client(0)
    table = keys(client=client)
    row = {r["key"]: r for r in table}["celery"]
    assert (row["type"], row["size"], row["ttl"]) == ("list", 2, "none")
    assert "_kombu.binding.celery" in table.column("key")

    first, second = tickets("celery", client=client)
    assert first.args == [42] and first.kwargs == {"cook_seconds": 0.1}   # oldest first
    assert second.args == [43]
    assert first.task == "restaurant.orders.tasks.cook_order"
    for header in ("task", "id", "eta", "expires", "retries", "root_id", "parent_id", "argsrepr", "origin"):
        assert header in first.headers
    assert first.properties["delivery_info"]["routing_key"] == "celery"
    assert first.properties["body_encoding"] == "base64"
    assert json.loads(base64.b64decode(first.body_encoded))[0] == [42]
    assert "decoded -> args=[42]" in repr(first)


def test_decode_ticket_on_a_raw_message():
    body = base64.b64encode(json.dumps([[7], {"x": 1}, {"callbacks": None}]).encode()).decode()
    raw = json.dumps({"body": body, "content-type": "application/json", "headers": {"task": "t", "id": "i"},
                      "properties": {"body_encoding": "base64"}})
    ticket = decode_ticket(raw)
    assert (ticket.task, ticket.id, ticket.args, ticket.kwargs) == ("t", "i", [7], {"x": 1})
    assert ticket.size == len(raw)


def test_monitor_sees_the_lpush_of_a_publish(broker):
    server, app = broker
    seen = monitor(action=lambda: app.send_task("restaurant.orders.tasks.cook_order", args=[1]),
                   client=server.client(0))
    commands = seen.column("command")
    assert any(c.startswith("LPUSH celery ") for c in commands), commands
    assert all(not c.startswith("AUTH") for c in commands)


def test_keys_shows_ttls_and_sizes(broker):
    server, _ = broker
    client = server.client(3)
    client.set("greeting", "hello", ex=100)
    client.hset("order:1", mapping={"table": 5, "item": "soup"})
    rows = {r["key"]: r for r in keys(db=3, client=client)}
    assert rows["greeting"]["type"] == "string" and rows["greeting"]["size"] == 5
    assert rows["greeting"]["ttl"] in ("100 s", "99 s")
    assert rows["order:1"]["size"] == 2 and rows["order:1"]["ttl"] == "none"
