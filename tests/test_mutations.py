"""Break the restaurant on purpose, and the lessons must notice: each lesson states its conclusions
as compared outputs, so code that reverses a conclusion fails the suite.

Each mutation is applied to a copy of the course (notebooks and restaurant); the lesson runs there
under nbval, on the mutated code (labkit runs the restaurant of the course folder the notebook is
in), and must fail at the cell that states the conclusion, which now prints False (cells that show
the same evidence, a drill's table say, fail with it).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # each runs a lesson

MUTATIONS = {
    "a no-op that sleeps 10 ms": dict(
        file="restaurant/techniques/timing.py",
        old='def noop() -> None:\n    """Does nothing."""\n',
        new='def noop() -> None:\n    """Does nothing."""\n    import time\n    time.sleep(0.01)\n',
        lesson="02-tickets-on-the-rail", conclusion="inline no-op cheaper than .delay(): True"),
    "a late-ack cook without acks_late": dict(
        file="restaurant/techniques/acknowledgement.py",
        old="@shared_task(acks_late=True)\ndef cook_order_acks_late(",
        new="@shared_task\ndef cook_order_acks_late(",
        lesson="05-crashes-and-acks-late", conclusion="late ack lost none: True"),
    "a supplier call without its time limits": dict(
        file="restaurant/techniques/limits.py",
        old="@shared_task(soft_time_limit=1, time_limit=3)\ndef restock(",
        new="@shared_task\ndef restock(",
        # the two calls hold both cooks for the supplier's 8 s again, and the tart waits for them
        lesson="16-limits", conclusion="the tart was ready long before the supplier answered: True"),
    "an idempotent charge without its guard": dict(
        file="restaurant/techniques/idempotency.py",
        old='    if not cache.add(f"charge:order:{order_id}", "claimed", timeout=24 * 3600):  # SET key value NX EX\n'
            '        return "already charged"\n',
        new="",
        lesson="06-idempotency", conclusion="SET NX charge charged once: True"),
    "a consumer whose handler no longer matches the type": dict(
        file="restaurant/orders/consumers.py",
        old="    async def order_update(self, event):",
        new="    async def order_updated(self, event):",
        # the buzz by hand never arrives: the consumer fails on it, Daphne closes the socket, and the
        # cell that waits for the buzz raises, before its conclusion could print
        lesson="08-buzzers", conclusion="the buzzer went off without a request: True",
        raises="ConnectionClosed"),
    "a long dish acknowledged early": dict(
        file="restaurant/techniques/pools.py",
        old="@shared_task(bind=True, acks_late=True)\ndef cook_dish(",
        new="@shared_task(bind=True)\ndef cook_dish(",
        # acknowledged as it starts, the long dish frees its place: prefetch 1 still holds a short one
        lesson="21-how-many-cooks", conclusion="no short dish waited for the long one: True"),
    "a channel layer with room for the whole rush": dict(
        file="restaurant/settings.py",
        old=""""socket_timeout": None}]},""",
        new=""""socket_timeout": None}], "capacity": 1000},""",
        lesson="26-when-the-pass-overflows", conclusion="the buzzer showed fewer buzzes than were sent: True"),
    "a cook that buzzes the table only": dict(
        file="restaurant/orders/tasks.py",
        old=('    if order.customer_id:\n'
             '        async_to_sync(channel_layer.group_send)(f"user_{order.customer_id}", message)\n'),
        new="",
        # Ana's own buzzer never buzzes: the cell that waits for it times out before the conclusion
        lesson="22-who-is-at-the-table", conclusion="Ana's own buzzer buzzed 'ready': True", raises="TimeoutError"),
    "a kitchen display open to anyone": dict(
        file="restaurant/orders/consumers.py",
        old='        if not self.scope["user"].is_staff:  # an AnonymousUser is not staff either\n'
            '            await self.close()  # refused\n            return\n',
        new="",
        lesson="23-talking-back", conclusion="only staff opened the kitchen's display: True"),
}


def up_to_the_conclusion(notebook, conclusion: str) -> None:
    """Keep the lesson's cells up to the one that prints ``conclusion``: the rest cannot change
    the verdict, and would only make the suite slower (the kernel's services stop with it)."""
    lesson = nbformat.read(notebook, as_version=4)
    last = next(i for i, cell in enumerate(lesson.cells)
                if any(conclusion in out.get("text", "") for out in cell.get("outputs", [])))
    lesson.cells = lesson.cells[:last + 1]
    nbformat.write(lesson, notebook)


@pytest.mark.parametrize("name", MUTATIONS)
def test_a_lesson_fails_when_its_conclusion_is_reversed(name, tmp_path):
    mutation = MUTATIONS[name]
    course = tmp_path / "course"
    for folder in ("notebooks", "restaurant"):
        shutil.copytree(ROOT / folder, course / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", course)
    target = course / mutation["file"]
    code = target.read_text()
    assert mutation["old"] in code, f"the mutation no longer applies to {mutation['file']}: update the test"
    target.write_text(code.replace(mutation["old"], mutation["new"], 1))

    notebook = course / "notebooks" / f"{mutation['lesson']}.ipynb"
    assert mutation["conclusion"] in notebook.read_text(), "the lesson no longer states this conclusion"
    up_to_the_conclusion(notebook, mutation["conclusion"])
    (course / "pytest.ini").write_text("[pytest]\n")  # not the repository's settings: only nbval's, below
    env = {**os.environ, "ORDERUP_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-vv", "--nbval",
         "--nbval-current-env", f"--nbval-sanitize-with={ROOT / 'tests' / 'nbval-sanitize.cfg'}",
         "--nbval-cell-timeout=180", "--nbval-kernel-startup-timeout=180", f"--rootdir={course}", str(notebook)],
        cwd=course, env=env, capture_output=True, text=True, timeout=600)
    report = done.stdout + done.stderr
    assert done.returncode == 1 and re.search(r"\d+ failed", report), report[-3000:]
    if "raises" in mutation:
        assert mutation["raises"] in report, f"the lesson failed, but not with {mutation['raises']}:\n{report[-3000:]}"
    else:
        label = mutation["conclusion"].removesuffix("True")
        assert f"{label}True" in report and f"{label}False" in report, \
            f"the lesson failed, but not at its conclusion '{mutation['conclusion']}':\n{report[-3000:]}"
