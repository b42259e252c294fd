"""A learner's own modules run in the real programs: a task in the worker (--include), a schedule
in beat and routes in Daphne (the classroom's ORDERUP_YOUR_SETTINGS and ORDERUP_YOUR_ROUTES)."""
from __future__ import annotations

import asyncio
import json
import re
import time

import pytest
import websockets
from celery import Celery

from labkit.authoring.checks import check, failures
from labkit.kitchen import facts
from labkit.kitchen.web_client import WebClient
from labkit.runtime.errors import LabCheckFailed, LabkitError
from labkit.runtime.waiting import wait_until


def test_a_task_of_the_learner_runs_in_the_worker_and_a_fresh_worker_keeps_it(restaurant):
    restaurant.start_worker(concurrency=1)
    (restaurant.run.dir / "my_recipes.py").write_text(
        "from celery import shared_task\n\n@shared_task\ndef plate(dish):\n    return dish + ', plated'\n")
    restaurant.load_module("my_recipes")
    assert "--include=my_recipes" in restaurant.worker.command_line
    app = Celery("probe", broker=f"{restaurant.redis_url}/{facts.database('broker')}",
                 backend=f"{restaurant.redis_url}/{facts.database('results')}")
    try:
        assert app.send_task("my_recipes.plate", ["soup"]).get(timeout=10) == "soup, plated"
        restaurant.stop_worker()
        restaurant.start_worker(concurrency=1)  # a drill's fresh worker: still imports it
        assert app.send_task("my_recipes.plate", ["tea"]).get(timeout=10) == "tea, plated"
    finally:
        app.close()


def test_a_module_that_does_not_import_says_so(restaurant):
    restaurant.start_redis()
    (restaurant.run.dir / "my_broken.py").write_text("def oops(:\n")
    with pytest.raises(LabkitError, match="does not import: SyntaxError"):
        restaurant.load_module("my_broken")
    with pytest.raises(LabkitError, match="run the %%writefile cell"):
        restaurant.load_module("my_missing")


def test_the_learner_s_schedule_goes_on_top_of_the_restaurant_s(restaurant):
    restaurant.start_redis()
    (restaurant.run.dir / "my_schedule.py").write_text(
        'CELERY_BEAT_SCHEDULE = {"my-bell": {"task": "restaurant.techniques.periodic.ring_bell", "schedule": 0.5}}\n')
    beat = restaurant.start_beat(name="my-beat", settings={"ORDERUP_YOUR_SETTINGS": "my_schedule"})
    wait_until(lambda: len(re.findall("Sending due task my-bell", beat.log_text())) >= 2, timeout=10,
               what="my-bell twice")
    assert "Sending due task ring-the-bell" in beat.log_text()  # the restaurant's entries stay


def test_the_learner_s_nested_setting_changes_only_what_it_names():
    from restaurant.classroom.settings import _on_top  # what ORDERUP_YOUR_SETTINGS applies (lab 26)
    ours = {"default": {"BACKEND": "layers.Redis", "CONFIG": {"hosts": ["redis://here"], "expiry": 60}}}
    assert _on_top(ours, {"default": {"CONFIG": {"capacity": 300}}}) == {
        "default": {"BACKEND": "layers.Redis", "CONFIG": {"hosts": ["redis://here"], "expiry": 60, "capacity": 300}}}
    assert _on_top(ours, {"other": {"CONFIG": {}}})["default"] == ours["default"]
    assert _on_top({"visibility_timeout": 3600}, 30) == 30 and _on_top(3, {"a": 1}) == {"a": 1}


def test_the_learner_s_routes_come_first_and_their_handler_runs(restaurant):
    (restaurant.run.dir / "my_consumers.py").write_text(
        "from django.http import JsonResponse\nfrom django.urls import path\n"
        "from restaurant.orders.consumers import OrderConsumer\n\n"
        "class Late(OrderConsumer):\n    async def order_delayed(self, event):\n"
        "        await self.send_json({'delayed_by': event['minutes']})\n\n"
        "def how_late(request):\n    return JsonResponse({'minutes': 10})\n\n"
        "websocket_urlpatterns = [path('ws/my-table/<int:table>/', Late.as_asgi())]\n"
        "urlpatterns = [path('my/late/', how_late)]\n")
    daphne = restaurant.start_daphne(settings={"ORDERUP_YOUR_ROUTES": "my_consumers"})

    async def talk():
        from channels_redis.core import RedisChannelLayer
        layer = RedisChannelLayer(hosts=[f"{restaurant.redis_url}/{facts.database('channel layer')}"])
        socket = await websockets.connect(daphne.socket_url("ws/my-table/7/"), origin=daphne.url)
        ours = await websockets.connect(daphne.socket_url("ws/table/7/"), origin=daphne.url)  # still routed
        await asyncio.sleep(0.2)  # both have joined table_7
        await layer.group_send("table_7", {"type": "order.delayed", "minutes": 10})
        heard = json.loads(await asyncio.wait_for(socket.recv(), timeout=5))
        await socket.close()
        await ours.close()
        return heard

    assert asyncio.run(talk()) == {"delayed_by": 10}
    browser = WebClient(daphne.url)  # the module's views too, and the restaurant's still
    assert browser.get("/my/late/") == (200, {"minutes": 10}) and browser.get("/orders/")[0] == 200


def test_hints_come_in_two_steps_whatever_the_wrong_answers_say():
    failures.clear()
    for attempt, shows_fix in ((1, False), (2, True)):
        with pytest.raises(LabCheckFailed) as failed:  # each wrong answer makes another problem text
            check(False, exercise="99.1", success="s", problem=f"answer {attempt}", hint="the idea", fix="the answer")
        assert "Hint: the idea" in str(failed.value)
        assert ("Fix: the answer" in str(failed.value)) is shows_fix, attempt
    check(True, exercise="99.1", success="s", problem="p", hint="the idea", fix="the answer")
    assert "99.1" not in failures


def test_the_learner_s_record_keeps_attempts_and_passes_only(home):
    from labkit.authoring.checks import progress, record_path
    for ok in (False, False, True, False):  # a pass stays a pass; attempts count until it
        try:
            check(ok, exercise="98.2", success="s", problem="p", hint="h", fix="f")
        except LabCheckFailed:
            pass
    entry = progress()["98"]["2"]
    assert (entry["attempts"], entry["passed"]) == (3, True)
    assert "lab 98, exercise 2" in repr(progress()) and "passed" in progress()._repr_html_()
    text = record_path().read_text()
    assert set(json.loads(text)["98"]["2"]) == {"attempts", "passed", "last"}  # names and outcomes only
    assert record_path().stat().st_mode & 0o077 == 0


def test_a_program_restarts_when_the_learner_s_module_it_reads_changes(restaurant):
    """A learner who fixes a wrong answer sees the fix run: the worker (and Daphne) that read the old
    version is replaced, though the options asked for are the same."""
    restaurant.start_worker(concurrency=1)
    module = restaurant.run.dir / "my_fix.py"
    app = Celery("probe", broker=f"{restaurant.redis_url}/{facts.database('broker')}",
                 backend=f"{restaurant.redis_url}/{facts.database('results')}")
    try:
        module.write_text("from celery import shared_task\n\n@shared_task\ndef answer():\n    return 'wrong'\n")
        restaurant.load_module("my_fix")
        assert app.send_task("my_fix.answer").get(timeout=10) == "wrong"
        first = restaurant.worker.pid
        restaurant.start_worker(concurrency=1)
        assert restaurant.worker.pid == first  # nothing changed: the same worker
        module.write_text("from celery import shared_task\n\n@shared_task\ndef answer():\n    return 'right'\n")
        restaurant.load_module("my_fix")
        assert restaurant.worker.pid != first and app.send_task("my_fix.answer").get(timeout=10) == "right"
    finally:
        app.close()


def test_an_idle_buzzer_still_hears_the_cook(restaurant):
    """A consumer waits for its messages with BZPOPMIN (5 s at a time): with redis-py 8's 5 s
    socket_timeout it died after 5 quiet seconds (channels_redis issue #422); settings.py sets none, as
    redis-py 7 did (10 s made the restaurant's own consumer tests hang)."""
    daphne = restaurant.start_daphne()

    async def talk():
        from channels_redis.core import RedisChannelLayer
        layer = RedisChannelLayer(hosts=[f"{restaurant.redis_url}/{facts.database('channel layer')}"])
        socket = await websockets.connect(daphne.socket_url("ws/table/7/"), origin=daphne.url)
        quiet_since = time.monotonic()
        await asyncio.sleep(7)  # the buzzer hears nothing for longer than one BZPOPMIN
        await layer.group_send("table_7", {"type": "order.update", "order": {"id": 1, "status": "ready"}})
        heard = json.loads(await asyncio.wait_for(socket.recv(), timeout=5))
        await socket.close()
        return heard, time.monotonic() - quiet_since

    heard, quiet = asyncio.run(talk())
    assert heard["order"]["status"] == "ready" and quiet > 6
    assert "TimeoutError" not in daphne.log_text()


def test_a_check_cell_that_cannot_read_the_answer_gives_that_check_s_hint_then_its_fix(home):
    """What IPython shows (labkit's handler) when a check cell raises while it reads a wrong answer:
    the check's own hint, counted as a failure of that exercise, its fix from the second one."""
    from labkit.authoring.checks import answer_error_message
    cell = ('labkit.check(result["status"] == "SUCCESS", exercise="97.3", success=f"{result[\'result\']}",\n'
            '             problem="p", hint="result keys start with celery-task-meta-", fix="the key")')
    failures.clear()
    first = answer_error_message(cell, KeyError("result"))
    second = answer_error_message(cell, KeyError("result"))
    assert first.startswith("Not yet: the check could not read your answer (KeyError: 'result')")
    assert "Hint: result keys start with celery-task-meta-" in first and "Fix:" not in first
    assert "Fix: the key" in second and failures["97.3"] == 2
