"""The rules for services started from notebooks, checked with real Jupyter kernels."""
from __future__ import annotations

import json
import threading
import time

import psutil
import pytest
import redis

from conftest import ROOT, course_processes, names

pytestmark = pytest.mark.slow  # real kernels, browsers or installs: not in `make test-fast`

LESSON_00 = ROOT / "notebooks" / "00-open-the-restaurant.ipynb"
OPEN = "import labkit, json; kitchen = labkit.open_restaurant()"
DESCRIBE = ("print(json.dumps({'port': kitchen.redis.port, 'password': kitchen.redis.password, "
            "'pids': [p.pid for s in kitchen.services for p in s.processes()]}))")


def test_killing_the_kernel_stops_every_service_within_5_seconds(kernels, home):
    kernel = kernels()
    info = json.loads(kernel.run(f"{OPEN}\nkitchen.start_beat()\n{DESCRIBE}"))
    family = [psutil.Process(pid) for pid in info["pids"]]
    assert len(family) >= 5  # redis, worker + 2 pool children, daphne, beat
    assert {p.pid for p in course_processes(home)} == set(info["pids"])

    kernel.kill()  # SIGKILL, as nbval does: no atexit, no cleanup code runs in the kernel
    started = time.monotonic()
    gone, alive = psutil.wait_procs(family, timeout=5)
    assert not alive, f"still running after 5 s: {names(alive)}"
    print(f"all {len(family)} service processes gone {time.monotonic() - started:.2f} s after SIGKILL")
    assert course_processes(home) == []


def test_interrupting_a_cell_leaves_the_services_running(kernels):
    kernel = kernels()
    info = json.loads(kernel.run(f"{OPEN}\n{DESCRIBE}"))
    msg_id = kernel.kc.execute("import time; time.sleep(30)")
    time.sleep(1.0)
    kernel.km.interrupt_kernel()  # the toolbar's stop button: SIGINT to the kernel's process group
    reply = kernel.kc.get_shell_msg(timeout=10)
    assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert all(psutil.pid_exists(pid) for pid in info["pids"])
    # and they still work
    assert redis.Redis(port=info["port"], password=info["password"]).ping()
    assert "ready" in kernel.run("from django.test import Client\n"
                                 "o = Client().post('/orders/', {'table': 2}).json()\n"
                                 "print(labkit.follow_order(o['id']).rows[-1]['status'])")


def test_restarting_the_kernel_then_running_lesson_00_twice(kernels, home):
    kernel = kernels()
    before = json.loads(kernel.run(f"{OPEN}\n{DESCRIBE}"))
    kernel.km.restart_kernel(now=True)  # what "Restart kernel" does when the kernel is busy or stuck
    kernel.kc.wait_for_ready(timeout=180)
    kernel.run_notebook(LESSON_00)
    kernel.run_notebook(LESSON_00)  # and again, in the same kernel
    after = json.loads(kernel.run(f"{OPEN}\n{DESCRIBE}"))

    assert not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
                   for p in before["pids"]), "the old kernel's services must be gone"
    running = course_processes(home)
    assert {p.pid for p in running} == set(after["pids"]), names(running)
    cmdlines = [" ".join(p.cmdline()) for p in running]
    assert sum("worker" in c and "celery" in c for c in cmdlines) == 3  # one worker: main + 2 children
    assert sum("daphne" in c for c in cmdlines) == 1
    assert len(list((home / "runs").iterdir())) == 1  # the dead kernel's run folder was cleaned up


def test_two_kernels_run_lesson_00_at_once_on_separate_private_redises(kernels):
    a, b = kernels(), kernels()
    errors = []

    def lesson(kernel):
        try:
            kernel.run_notebook(LESSON_00)
        except Exception as e:  # noqa: BLE001 -- reported below
            errors.append(e)

    threads = [threading.Thread(target=lesson, args=(k,)) for k in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors

    info_a = json.loads(a.run(f"{OPEN}\nkitchen.redis.client().set('secret', 'A')\n{DESCRIBE}"))
    info_b = json.loads(b.run(f"{OPEN}\n{DESCRIBE}"))
    assert info_a["port"] != info_b["port"]
    assert not set(info_a["pids"]) & set(info_b["pids"])
    assert redis.Redis(port=info_a["port"], password=info_a["password"]).get("secret") == b"A"
    for password in (None, info_b["password"]):
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=info_a["port"], password=password, protocol=2).get("secret")


def test_after_redis_restarts_the_kernel_can_still_ask_the_worker(kernels):
    kernel = kernels()
    out = kernel.run(f"{OPEN}\n"
                     "print(kitchen.is_idle())\n"
                     "kitchen.redis.stop()\n"
                     "kitchen.start_redis()\n"
                     "labkit.wait_until(kitchen.is_idle, timeout=30, what='the worker to answer')\n"
                     "from restaurant import celery_app\n"
                     "print(celery_app.control.purge())")
    assert out.split() == ["True", "0"]
