"""`python -m labkit doctor`: a verdict, and leftovers of crashed kernels found and cleaned."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import psutil

from labkit.doctor.report import doctor, system_row
from labkit.runtime.waiting import wait_until
from labkit.services.rabbitmq import find_rabbitmq_server

from conftest import ROOT, course_processes

CRASHING_KERNEL = """
import time
from labkit.kitchen.restaurant import Restaurant
r = Restaurant(in_process_django=False)
r.start_redis()
print(r.run.watchdog.pid, r.redis.pid, flush=True)
time.sleep(120)
"""


def test_a_ready_machine_says_so(home):
    report = doctor()
    assert report.ready and report.verdict.startswith("Ready to cook")
    rows = {r["check"]: r for r in report.rows}
    assert {"python", "django", "redis server", "free ports", "leftovers", "machine", "browser"} <= set(rows)
    assert rows["leftovers"]["found"] == "none"
    assert rows["browser"]["found"].startswith("http://127.0.0.1:<port>/table/5/")
    assert rows["arq's venv (lesson 14)"]["verdict"] == "ok"  # make test builds it
    rabbit = find_rabbitmq_server()  # optional: found when installed, "not installed" otherwise
    assert rows["rabbitmq-server (lesson 13)"]["found"] == (str(rabbit) if rabbit else "not installed")
    assert not rows["rabbitmq-server (lesson 13)"]["verdict"].startswith(("FAIL", "warning"))


def test_a_missing_arq_venv_is_a_warning_that_says_how_to_build_it(home, monkeypatch):
    monkeypatch.setenv("ORDERUP_ARQ_VENV", str(home / "no-such-venv"))
    monkeypatch.setattr("labkit.queue_race.arq_env._arq_checked", set())
    report = doctor()
    row = {r["check"]: r for r in report.rows}["arq's venv (lesson 14)"]
    assert row["found"] == "missing" and "make .venv-arq" in row["verdict"]
    assert report.ready and "arq's venv (lesson 14)" in report.verdict


def test_the_command_line_exits_1_when_not_ready(home):
    env = {**os.environ, "REDIS_SERVER": "/nowhere/redis-server"}
    done = subprocess.run([sys.executable, "-m", "labkit", "doctor"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stdout
    assert "FAIL" in done.stdout and "Not ready: fix redis server" in done.stdout


def test_leftovers_of_a_crashed_kernel_are_found_then_cleaned(home):
    kernel = subprocess.Popen([sys.executable, "-c", CRASHING_KERNEL], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, env={**os.environ, "ORDERUP_HOME": str(home)})
    watchdog_pid, redis_pid = map(int, kernel.stdout.readline().split())
    os.kill(watchdog_pid, signal.SIGKILL)  # the worst case: the watchdog dies first...
    kernel.kill()                          # ...then the kernel, and nobody stops its Redis
    kernel.wait()
    kernel.stdout.close()
    assert psutil.pid_exists(redis_pid)

    report = doctor()
    leftovers = next(r for r in report.rows if r["check"] == "leftovers")
    assert leftovers["verdict"].startswith("warning") and "redis" in leftovers["found"]
    assert report.ready  # a warning, not a failure

    cleaned = doctor(clean=True)
    assert "stopped" in next(r for r in cleaned.rows if r["check"] == "leftovers")["found"]
    wait_until(lambda: not course_processes(home), timeout=10, what="the leftovers to stop")
    assert next(r for r in doctor().rows if r["check"] == "leftovers")["found"] == "none"


def test_under_a_hub_the_doctor_checks_the_front_desk_is_configured(home, monkeypatch, tmp_path):
    """Behind a Jupyter server the page's links go through the front desk: without the course's
    Jupyter configuration they lead nowhere, and the doctor says what to copy where."""
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    monkeypatch.delenv("ORDERUP_BROWSER", raising=False)
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "empty"))
    row = {r["check"]: r for r in doctor().rows}["browser"]
    assert row["found"].startswith("/user/alice/orderup/run/<run>/table/5/")
    assert row["verdict"].startswith("warning") and "binder/jupyter_server_config.py" in row["verdict"]

    config = tmp_path / "etc"
    config.mkdir()
    (config / "jupyter_server_config.py").write_text((ROOT / "binder" / "jupyter_server_config.py").read_text())
    monkeypatch.undo()
    monkeypatch.setenv("ORDERUP_HOME", str(home))
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(config))
    row = {r["check"]: r for r in doctor().rows}["browser"]
    assert row["verdict"] == "ok", row


def test_windows_itself_is_not_ready_and_the_doctor_says_to_use_wsl_2(home, monkeypatch):
    monkeypatch.setattr("platform.system", lambda: "Windows")  # as Python on Windows says
    monkeypatch.setattr("platform.release", lambda: "11")
    report = doctor()
    row = {r["check"]: r for r in report.rows}["operating system"]
    assert row["found"] == "Windows 11 (native)" and row["verdict"].startswith("FAIL")
    assert "WSL 2" in row["verdict"] and "wsl --install" in row["verdict"] and "Binder" in row["verdict"]
    assert not report.ready and report.verdict.startswith("Not ready: fix operating system")


def test_wsl_2_and_macos_are_ready_and_wsl_1_is_told_to_move():
    assert system_row("Linux", "5.15.167.4-microsoft-standard-WSL2") == {
        "check": "operating system", "found": "Linux 5.15.167.4-microsoft-standard-WSL2 (WSL 2: Linux inside Windows)",
        "verdict": "ok"}
    assert system_row("Darwin", "24.1.0")["verdict"] == "ok"
    wsl1 = system_row("Linux", "4.4.0-19041-Microsoft")  # WSL 1's kernel release: Windows translating Linux's calls
    assert wsl1["found"].endswith("(WSL 1)") and wsl1["verdict"].startswith("warning")
    assert "--set-version" in wsl1["verdict"]


def test_make_lab_on_windows_itself_says_to_use_wsl_2_and_installs_nothing(tmp_path):
    """Git Bash's `uname -s` says MINGW64_NT-...: make stops before it creates a virtualenv."""
    venv = tmp_path / "venv"
    done = subprocess.run(["make", "lab", "UNAME=MINGW64_NT-10.0-19045", f"VENV={venv}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "wsl --install" in done.stderr and "WSL 2" in done.stderr, done.stderr
    assert not venv.exists()
