"""`make restaurant`: the restaurant outside Jupyter, under supervisor with its production settings.
It opens, serves table 5's page, buzzes the table when its order is ready, lets manage.py reach the
same database, says so when its port is taken, and Ctrl+C leaves nothing running; so does a kill."""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys

import websockets

from labkit.kitchen.web_client import WebClient
from labkit.runtime.ports import free_port
from labkit.runtime.waiting import wait_until

from conftest import ROOT, course_processes, names


def open_outside(home, port: int, log) -> subprocess.Popen:
    """The launcher, in a session of its own, with SIGINT ignored as a background job's shell leaves it:
    its own handler must make Ctrl+C work anyway."""
    return subprocess.Popen([sys.executable, "-m", "labkit.kitchen.outside", "--port", str(port)], cwd=ROOT,
                            env={**os.environ, "ORDERUP_HOME": str(home)}, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True,  # a terminal of its own: Ctrl+C reaches it alone
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))


async def order_and_hear(port: int) -> list[str]:
    """Table 5's buzzer open, an order placed as the page places it: the statuses it hears."""
    origin = f"http://127.0.0.1:{port}"
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/table/5/", origin=origin) as buzzer:
        waiter = WebClient(origin)
        status, order = await asyncio.to_thread(waiter.post, "/orders/", {"table": 5, "item": "soup"})
        assert status == 202, order  # accepted: the cook has it
        heard = []
        while "ready" not in heard:
            message = json.loads(await asyncio.wait_for(buzzer.recv(), timeout=20))
            heard.append(message["order"]["status"])
        return heard


@contextlib.contextmanager
def restaurant_outside(home, tmp_path):
    """`make restaurant`'s launcher on a free port, open: yields the port and what it printed. Closed
    with Ctrl+C afterwards, which must leave nothing running (a launcher that hangs is killed, its
    watchdog stops the rest, and the test fails)."""
    port = free_port()
    log_path = tmp_path / "outside.log"
    with open(log_path, "w") as log:
        launcher = open_outside(home, port, log)
    try:
        wait_until(lambda: "Ctrl+C stops everything" in log_path.read_text() or launcher.poll() is not None,
                   timeout=90, what="the restaurant to open")
        yield port, log_path.read_text()
    finally:
        os.kill(launcher.pid, signal.SIGINT)  # Ctrl+C
        try:
            launcher.wait(timeout=120)
        except subprocess.TimeoutExpired:  # say so, and leave nothing behind: the watchdog stops the rest
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait(timeout=10)
            wait_until(lambda: not course_processes(home), timeout=30, what="the watchdog to stop every program")
            raise
    assert launcher.returncode == 0 and "Closed: nothing of the restaurant is running." in log_path.read_text()
    assert course_processes(home) == [], names(course_processes(home))


def test_make_restaurant_opens_serves_buzzes_and_closes_with_nothing_left(home, tmp_path):
    with restaurant_outside(home, tmp_path) as (port, said):
        assert f"http://127.0.0.1:{port}/table/5/" in said, said
        status, page = WebClient(f"http://127.0.0.1:{port}").get("/table/5/")
        assert status == 200, page
        assert asyncio.run(order_and_hear(port))[-2:] == ["cooking", "ready"]
        # manage.py, in another terminal, with the variables it printed
        env_file = re.search(r"set -a; \. (\S+); set \+a", said).group(1)
        statuses = ("from restaurant.orders.models import Order; "
                    "print(list(Order.objects.values_list('status', flat=True)))")
        typed = f'set -a; . {env_file}; set +a; {sys.executable} manage.py shell -c "{statuses}"'
        shell = subprocess.run(["bash", "-c", typed], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert "['ready']" in shell.stdout, shell.stdout + shell.stderr
        assert oct(os.stat(env_file).st_mode & 0o777) == "0o600"  # the Redis password is in it
        assert len(course_processes(home)) >= 5  # Redis, supervisord, the worker (and pool), beat, Daphne


def test_a_taken_port_is_said_plainly(home, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "labkit.kitchen.outside", "--port", str(port)], cwd=ROOT,
                              env={**os.environ, "ORDERUP_HOME": str(home)}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"Port {port}, for Daphne, is taken by" in done.stderr and f"PORT={port + 1}" in done.stderr, done.stderr
    assert course_processes(home) == []


def test_killing_it_leaves_nothing_running(home, tmp_path):
    """A terminal closed with SIGKILL: the run's watchdog stops supervisord's programs too."""
    with open(tmp_path / "outside.log", "w") as log:
        launcher = open_outside(home, free_port(), log)
    wait_until(lambda: "Ctrl+C stops everything" in (tmp_path / "outside.log").read_text(), timeout=90,
               what="the restaurant to open")
    os.killpg(launcher.pid, signal.SIGKILL)
    launcher.wait(timeout=10)
    wait_until(lambda: not course_processes(home), timeout=30, what="the watchdog to stop every program")


def test_the_classroom_runs_the_production_choices_on_its_own_redis_and_database():
    """ORDERUP_PRODUCTION=1 (lesson 19's worker): restaurant/production.py's Celery and Channels choices
    on top of the classroom's settings, whose Redis, database and channel-layer hosts stay the kernel's."""
    code = ("import json, django; django.setup(); from django.conf import settings as s; print(json.dumps(["
            "getattr(s, 'CELERY_TASK_ACKS_LATE', False), getattr(s, 'CELERY_WORKER_PREFETCH_MULTIPLIER', 4), "
            "s.CELERY_BROKER_URL, "
            "{**s.CHANNEL_LAYERS['default']['CONFIG'], 'hosts': [{k: repr(v) for k, v in h.items()} "
            "for h in s.CHANNEL_LAYERS['default']['CONFIG']['hosts']]}, str(s.DATABASES['default']['NAME'])]))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "restaurant.classroom.settings",
           "ORDERUP_REDIS_URL": "redis://:pw@127.0.0.1:7001", "ORDERUP_RUN_DIR": "/tmp/a-run"}
    plain = json.loads(subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                                      text=True, check=True).stdout)
    production = json.loads(subprocess.run([sys.executable, "-c", code], env={**env, "ORDERUP_PRODUCTION": "1"},
                                           cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    assert plain[:2] == [False, 4] and production[:2] == [True, 1]
    assert production[2] == plain[2] == "redis://:pw@127.0.0.1:7001/0"
    # the hosts stay the kernel's; production adds its connection's retry to each (lesson 04)
    retry = production[3]["hosts"][0].pop("retry")
    assert production[3]["hosts"] == plain[3]["hosts"] and plain[3]["hosts"][0]["address"] == "'redis://:pw@127.0.0.1:7001/2'"
    assert retry.startswith("<redis.asyncio.retry.Retry") and "retry" not in plain[3]["hosts"][0]
    assert (production[3]["capacity"], production[3]["expiry"]) == (300, 30) and "capacity" not in plain[3]
    assert production[4] == plain[4] == "/tmp/a-run/restaurant.sqlite3"
