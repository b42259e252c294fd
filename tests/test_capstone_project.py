"""The capstone's project, clinic/, run by labkit with the restaurant's guarantees: a Redis of its own
with a password, its worker, beat and Daphne started from its folder as its README starts them,
Daphne behind the door key, and nothing left running once it is closed, or once its kernel dies. Its
own tests pass, run as its README says; and its code carries nothing of the course."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import redis
import websockets

from labkit.kitchen.buzzer import Buzzer
from labkit.kitchen.front_desk import Desk
from labkit.kitchen.other_project import OpenProject, clinic
from labkit.runtime.browser import with_key
from labkit.runtime.waiting import wait_until
from labkit.services.door import HEADER

from conftest import ROOT, course_processes, names

CLINIC = ROOT / "clinic"
TASKS = ["appointments.tasks.send_reminder", "appointments.tasks.send_due_reminders", "results.tasks.notify_doctor"]


def test_the_clinics_code_carries_nothing_of_the_course():
    for path in sorted(CLINIC.rglob("*.py")):
        text = path.read_text()
        for sign in ("ORDERUP_", "labkit", "classroom", "door", "restaurant"):
            assert sign not in text, (str(path.relative_to(ROOT)), sign)


def http(url: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, data=json.dumps(data).encode() if data is not None else None,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode(), dict(refused.headers)


async def a_result_reaches_the_doctors_page(project: OpenProject) -> dict:
    """The doctor's page open (its WebSocket, through Daphne, with the key), the analyser posts a
    result: what the page receives."""
    page = await Buzzer.connect(daphne=project.daphne, path="ws/doctors/1/")
    try:
        status, body, _ = await asyncio.to_thread(
            http, project.url("api/results/"),
            {"doctor": 1, "patient_name": "Ana Silva", "test": "HbA1c", "value": "6.1 %"},
            {"Authorization": f"Bearer {project.environment['LAB_API_TOKEN']}", HEADER: project.door_key})
        assert status == 201, body
        assert await page.wait_for_count(1, timeout=20), project.worker.log_tail()
        return page.buzzes[0]
    finally:
        await page.close()


async def refused_socket(url: str, origin: str) -> int | None:
    try:
        async with websockets.connect(url, origin=origin):
            return None
    except websockets.InvalidStatus as refused:
        return refused.response.status_code


def test_labkit_runs_the_clinic_with_the_restaurants_guarantees(home):
    project = OpenProject(clinic(), home)
    try:
        project.open()
        assert [(s.name, s.running) for s in project.services] == [
            ("redis", True), ("worker", True), ("beat", True), ("daphne", True)]
        for program in (project.worker, project.beat, project.daphne):
            assert program.cwd == CLINIC and all(p.cwd() == str(CLINIC) for p in program.processes()[:1])
        assert project.worker.command_line.startswith("celery -A config worker")
        assert "--queues=reminders,notifications" in project.worker.command_line
        # its own Redis, on 127.0.0.1, with a password
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=project.redis.port).ping()
        assert project.redis.client().ping()
        # the worker answers `celery inspect`, typed in the project's folder
        registered = project.terminal("celery -A config inspect registered")
        assert all(task in registered for task in TASKS), registered
        assert "Installed 2 object(s)" in project.terminal("python manage.py loaddata doctors", check=True)

        # the door: no key, no page and no socket; the project's own Origin check still stands
        socket = f"ws://127.0.0.1:{project.daphne.port}/ws/doctors/1/"
        assert http(project.url("doctors/1/"))[0] == 403
        assert asyncio.run(refused_socket(socket, origin=project.daphne.url)) == 403
        status, page, headers = http(with_key(project.url("doctors/1/"), project.door_key))
        assert status == 200 and "Dr Amara Okafor" in page and "orderup_key_" in headers.get("Set-Cookie", "")
        keyed = project.daphne.socket_url("ws/doctors/1/")
        assert asyncio.run(refused_socket(keyed, origin="http://elsewhere.example")) == 403

        result = asyncio.run(a_result_reaches_the_doctors_page(project))
        assert (result["patient_name"], result["value"]) == ("Ana Silva", "6.1 %")
    finally:
        project.close()
    try:
        assert course_processes(home) == [], names(course_processes(home))
    finally:
        project.run.close(remove=True)


@pytest.mark.slow  # a real kernel: not in `make test-fast`
def test_the_clinic_dies_with_its_kernel(home, kernels):
    kernel = kernels()
    kernel.run('import labkit\nclinic = labkit.open_project("clinic")')
    assert len(course_processes(home)) >= 4  # Redis, the worker (and its pool), beat, Daphne
    kernel.kill()
    wait_until(lambda: not course_processes(home), 20, "the clinic's programs to stop after their kernel")


def test_the_clinics_own_tests_pass():
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no"],
                          cwd=CLINIC, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "4 passed" in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]


def test_a_closed_clinics_link_says_so_and_how_to_open_it_again(home):
    """The front desk's run link to a clinic whose notebook closed it names the clinic and
    labkit.open_project, not the restaurant."""
    project = OpenProject(clinic(), home)
    try:
        status, page, _ = Desk(False, home).tables(f"/run/{project.run.id}/doctors/1/")
        assert status == 503 and "This clinic is closed" in page, page
        assert "labkit.open_project(&quot;clinic&quot;)" in page and "open_restaurant" not in page, page
    finally:
        project.run.close(remove=True)
