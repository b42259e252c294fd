"""labkit.show reads the restaurant's files as they are now; the tape names who said what to Redis."""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from labkit.kitchen.buzzer import Buzzer
from labkit.kitchen.web_client import WebClient
from labkit.look.source import show
from labkit.look.tape import Tape, describe
from labkit.runtime.errors import LabkitError
from labkit.runtime.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent


def test_show_finds_a_function_with_its_decorators_and_line_numbers():
    source = show("restaurant/orders/tasks.py", "cook_order")
    lines = (ROOT / "restaurant/orders/tasks.py").read_text().splitlines()
    assert lines[source.first - 1] == "@shared_task"
    assert source.text.splitlines()[1].startswith("def cook_order(")
    assert lines[source.last - 1].strip() == "return order.as_dict()"
    assert repr(source).startswith(f"# restaurant/orders/tasks.py, lines {source.first}-{source.last}")
    assert f"{source.first}" in source._repr_html_() and "shared_task" in source._repr_html_()


def test_show_takes_objects_methods_prefixes_and_template_elements():
    from restaurant.orders.consumers import OrderConsumer
    from restaurant.techniques.timing import (
        noop,  # a task: show() unwraps Celery's proxy
    )
    assert show(noop).text == show("restaurant/techniques/timing.py", "noop").text
    method = show(OrderConsumer.order_update)
    assert method.text.lstrip().startswith("async def order_update(self, event):")
    settings = show("restaurant/settings.py", "CELERY_").text
    assert "CELERY_BROKER_URL" in settings and "CELERY_BEAT_SCHEDULE" in settings
    assert "CHANNEL_LAYERS" not in settings
    script = show("restaurant/orders/templates/orders/table.html", "<script>").text
    assert script.lstrip().startswith("<script") and script.rstrip().endswith("</script>")
    assert "onmessage" in script
    with pytest.raises(LabkitError, match="nothing named 'no_such_task'"):
        show("restaurant/orders/tasks.py", "no_such_task")


def test_between_keeps_some_lines_of_a_long_function_with_their_numbers():
    from channels_redis.core import RedisChannelLayer
    whole = show(RedisChannelLayer.group_send)
    part = whole.between("group_send_lua = ", "return over_capacity")
    lines = part.text.splitlines()
    assert "group_send_lua" in lines[0] and "return over_capacity" in lines[-1]
    assert whole.first < part.first <= part.last < whole.last
    file_lines = part.path.read_text().splitlines()
    assert file_lines[part.first - 1] == lines[0] and file_lines[part.last - 1] == lines[-1]
    with pytest.raises(LabkitError, match="no lines from"):
        whole.between("not in this function", "return")


def test_the_channel_layer_keeps_the_restaurants_config_besides_the_hosts(monkeypatch):
    """The classroom points the layer at this run's Redis and keeps the rest of the restaurant's
    CONFIG: a capacity written in restaurant/settings.py takes effect (lesson 26)."""
    import importlib

    import restaurant.settings as restaurant_settings
    from restaurant.classroom import settings as classroom
    monkeypatch.setitem(restaurant_settings.CHANNEL_LAYERS["default"], "CONFIG",
                        {**restaurant_settings.CHANNEL_LAYERS["default"]["CONFIG"], "capacity": 1000})
    try:
        config = importlib.reload(classroom).CHANNEL_LAYERS["default"]["CONFIG"]
        assert config["capacity"] == 1000 and config["hosts"][0]["address"].startswith("redis://")
    finally:
        monkeypatch.undo()
        importlib.reload(classroom)


def test_show_reads_the_file_when_called_not_a_copy(tmp_path, monkeypatch):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "restaurant", course / "restaurant", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", course)
    monkeypatch.setenv("ORDERUP_COURSE_ROOT", str(course))
    before = show("restaurant/orders/tasks.py", "buzz")
    tasks = course / "restaurant/orders/tasks.py"
    tasks.write_text(tasks.read_text().replace('"order.update"', '"order.changed"'))
    after = show("restaurant/orders/tasks.py", "buzz")
    assert '"order.update"' in before.text and '"order.changed"' in after.text
    assert str(after.path).startswith(str(course))


def test_describe_reads_celery_and_channels_commands():
    ticket = ('{"body": "W1s0Ml0sIHt9LCB7fV0=", "content-type": "application/json", "headers": '
              '{"task": "restaurant.orders.tasks.cook_order", "id": "x"}, "properties": '
              '{"body_encoding": "base64"}}')
    assert describe(["LPUSH", "celery", ticket]) == ("LPUSH", "celery: cook_order(42)")
    assert describe(["BRPOP", "celery", "celery\\x06\\x163", "1"]) == ("BRPOP", "waits for a ticket on celery")
    assert describe(["ZRANGE", "asgi:group:table_5", "0", "-1"]) == ("group_send", "to the group table_5")
    assert describe(["PING"]) is None


def test_the_tape_names_the_waiter_the_cook_and_the_buzzer(restaurant):
    restaurant.open(fresh=False)

    async def order_and_wait():
        buzzer = await Buzzer.connect(5, daphne=restaurant.daphne)
        status, order = await asyncio.to_thread(WebClient(restaurant.daphne.url).post, "/orders/",
                                                {"table": 5, "item": "soup"})
        assert status == 202
        await buzzer.wait_for("ready", order["id"], timeout=20)
        await buzzer.close()
        return order

    with Tape(restaurant) as tape:
        order = asyncio.run(order_and_wait())
        # the "ready" buzz is sent from inside the task; its result is stored after it returns
        wait_until(lambda: tape.said("cook", "SETEX", "SUCCESS"), timeout=10, what="the cook to store the result")
    assert tape.said("buzzer", "group_add", "table_5")
    assert tape.said("waiter", "LPUSH", f"cook_order({order['id']})")
    assert tape.said("cook", "group_send", "table_5")
    assert tape.said("cook", "SETEX", "SUCCESS")  # the result, stored with its expiry
    assert tape.first("waiter", "LPUSH") < tape.first("cook", "group_send")
    assert "notebook" not in tape.speakers() and "gone" not in tape.speakers()
    assert tape.table().column("who")  # a table to show
