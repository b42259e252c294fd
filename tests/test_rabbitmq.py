"""labkit's private RabbitMQ against the real broker: private, usable by Celery, and gone -- epmd
included -- after a stop or when its kernel dies.

Without RabbitMQ these tests skip on a learner's machine; under CI (CI=true) they fail instead.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time

import kombu
import psutil
import pytest

from labkit.runtime import reaper
from labkit.runtime.errors import PortInUse
from labkit.runtime.run import Run
from labkit.services import rabbitmq as rabbitmq_server
from labkit.services.rabbitmq import RabbitMQNotFound, RabbitMQServer
from labkit.services.rabbitmq_install import (
    DEBIAN_WRAPPER_MARK,
    SEARCH_DIRS,
    find_rabbitmq_server,
)

from conftest import ROOT

ERLANG_PROGRAMS = {"beam.smp", "epmd", "erl_child_setup", "inet_gethost", "rabbitmq-server"}
EPMD_DEFAULT_PORT = 4369


def require_rabbitmq() -> None:
    if find_rabbitmq_server() is None:
        message = ("no RabbitMQ found: install Debian's `rabbitmq-server` package "
                   "(or set RABBITMQ_SERVER)")
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message + "; CI must run the RabbitMQ tests, not skip them")
        pytest.skip(message)


def erlang_processes(run_id: str) -> list[str]:
    """What `ps` would show of the run's Erlang side: live processes carrying the run's marker."""
    found = []
    for proc in psutil.process_iter(["name", "cmdline", "status"]):
        try:
            if proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if proc.environ().get(reaper.RUN_MARKER) == run_id:
                found.append(f"{proc.pid} {' '.join(proc.info['cmdline'] or [proc.info['name']])}"[:100])
        except (psutil.Error, OSError):
            continue
    return found


def ps_lines_with(word: str) -> list[str]:
    """`ps -eo pid,args` lines that mention ``word`` (a port, say), for the processes that hide
    their environment from psutil."""
    out = subprocess.run(["ps", "-eo", "pid=,stat=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if word in line and " Z" not in line]


def named(procs) -> dict[psutil.Process, str]:
    """{process: name} for those (processes or pids) still there: the broker runs short-lived
    shells now and then, which may be gone by the time we look."""
    found = {}
    for proc in procs:
        try:
            proc = proc if isinstance(proc, psutil.Process) else psutil.Process(proc)
            found[proc] = proc.name()
        except psutil.Error:
            pass
    return found


def listening_on(port: int) -> bool:
    try:
        return any(c.laddr.port == port and c.status == psutil.CONN_LISTEN
                   for c in psutil.net_connections("tcp"))
    except psutil.Error:
        return False


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    """One broker for the module's read-mostly tests (it takes ~6 s to start)."""
    require_rabbitmq()
    run = Run(tmp_path_factory.mktemp("rabbit-home"))
    server = RabbitMQServer(run)
    epmd_was_listening = listening_on(EPMD_DEFAULT_PORT)
    server.start()
    server.epmd_was_listening = epmd_was_listening
    yield server
    server.stop()
    run.close(remove=True)


@pytest.fixture
def run(home):
    require_rabbitmq()
    r = Run(home)
    yield r
    r.close(remove=True)


# --- private, and all in the run folder ------------------------------------------------------

def test_broker_is_private_and_keeps_everything_in_the_run_folder(broker):
    with broker.connection() as conn:
        conn.ensure_connection(max_retries=1)
    for user, password in (("guest", "guest"), (broker.user, "not-the-password")):
        refused = kombu.Connection(f"amqp://{user}:{password}@127.0.0.1:{broker.port}//", connect_timeout=5)
        with pytest.raises(Exception, match="ACCESS_REFUSED|AccessRefused|Login was refused"):
            refused.ensure_connection(max_retries=1)
        refused.release()
    assert broker.url == f"amqp://{broker.user}:{broker.password}@127.0.0.1:{broker.port}//"
    users = broker.rabbitmqctl("-q", "list_users", "--formatter", "json")
    assert [u["user"] for u in json.loads(users)] == [broker.user]  # no guest

    family = named(broker.processes())
    ports = set()
    for proc, name in family.items():
        try:
            listening = [c.laddr for c in proc.net_connections("inet") if c.status == psutil.CONN_LISTEN]
            cmdline = " ".join(proc.cmdline())
        except psutil.NoSuchProcess:
            continue
        assert all(addr.ip in ("127.0.0.1", "::1") for addr in listening), (name, listening)
        ports.update(addr.port for addr in listening)
        assert broker.password not in cmdline
    assert ports == {broker.port, broker.dist_port, broker.epmd_port}
    assert EPMD_DEFAULT_PORT not in ports
    if not broker.epmd_was_listening:
        assert not listening_on(EPMD_DEFAULT_PORT), "no shared epmd was started on 4369"

    # one session, one process group for everything killpg must reach
    names = {name: p for p, name in family.items()}
    assert {"sh", "epmd", "beam.smp", "erl_child_setup"} <= set(names)
    for name in ("epmd", "beam.smp"):
        assert os.getsid(names[name].pid) == os.getpgid(names[name].pid) == broker.pid != os.getsid(0)
    assert broker.server_pid == names["beam.smp"].pid

    assert stat.S_IMODE(os.stat(broker.config_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(broker.home / ".erlang.cookie").st_mode) == 0o400
    assert broker.dir.is_relative_to(broker.run.dir) and broker.log_path.parent == broker.run.dir
    assert (broker.dir / "mnesia" / broker.node).is_dir()
    assert "Server startup complete" in broker.log_text()
    print(f"startup {broker.startup_seconds:.1f} s, broker tree {broker.memory() / 2**20:.0f} MiB RSS")


def test_queue_listing_and_depth(broker):
    with broker.connection() as conn:
        queue = conn.SimpleQueue("test-listing")
        for n in range(4):
            queue.put({"ticket": n})
        queue.close()
    listed = {q["name"]: q for q in broker.list_queues()}
    assert listed["test-listing"]["messages_ready"] == 4
    assert listed["test-listing"]["messages_unacknowledged"] == 0
    assert broker.queue_depth("test-listing") == {"name": "test-listing", "messages_ready": 4, "consumers": 0}
    assert broker.queue_depth("no-such-queue") is None
    assert broker.queue("test-listing") == listed["test-listing"] and broker.queue("no-such-queue") is None
    with broker.connection() as conn:  # one message taken and held, unacknowledged
        held = conn.default_channel.basic_get("test-listing", no_ack=False)
        assert broker.counts("test-listing") == (3, 1)
        conn.default_channel.basic_reject(held.delivery_tag, requeue=True)
    assert broker.counts("test-listing") == (4, 0)


CELERY_APP = """
    import os
    from celery import Celery

    app = Celery("rabbit_kitchen", broker=os.environ["ORDERUP_BROKER_URL"], backend="rpc://")
    app.conf.broker_connection_retry_on_startup = True

    @app.task
    def cook(dish):
        return f"{dish} is ready"
"""


def test_celery_round_trip_through_rabbitmq(broker, tmp_path, monkeypatch):
    (tmp_path / "rabbit_kitchen.py").write_text(textwrap.dedent(CELERY_APP))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ORDERUP_BROKER_URL", broker.url)
    sys.modules.pop("rabbit_kitchen", None)
    import rabbit_kitchen

    # tickets sent before any cook is there wait on the broker, visible in the queue listing
    results = [rabbit_kitchen.cook.delay(dish) for dish in ("soup", "pie", "tea")]
    assert {q["name"]: q["messages_ready"] for q in broker.list_queues()}["celery"] == 3

    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rabbit_kitchen", "worker", "--pool=solo",
         "--loglevel=INFO", "--without-mingle", "--without-gossip", "--hostname=rabbit-cook@%h"],
        cwd=tmp_path, env={**os.environ, "ORDERUP_BROKER_URL": broker.url},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        assert [r.get(timeout=60) for r in results] == ["soup is ready", "pie is ready", "tea is ready"]
        assert broker.queue_depth("celery")["messages_ready"] == 0
        assert broker.queue_depth("celery")["consumers"] == 1
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        log = worker.communicate(timeout=30)[0]
        rabbit_kitchen.app.close()
    assert "Connected to amqp://" in log and "rabbit_kitchen.cook" in log


# --- no orphans -------------------------------------------------------------------------------

def test_stop_leaves_no_erlang_process_and_restart_keeps_address_and_data(run):
    server = RabbitMQServer(run)
    server.start()
    family = list(named(server.processes()))
    assert set(named(family).values()) >= {"epmd", "beam.smp", "erl_child_setup"}
    with server.connection() as conn:
        conn.SimpleQueue("kept").put("a durable ticket")
    url, epmd_port = server.url, server.epmd_port

    started = time.monotonic()
    server.stop()
    stop_seconds = time.monotonic() - started
    assert server.state == "stopped"
    gone, alive = psutil.wait_procs(family, timeout=5)
    assert not alive and erlang_processes(run.id) == []
    assert ps_lines_with(f"-port {epmd_port}") == []
    assert not listening_on(server.port) and not listening_on(epmd_port)

    server.start()  # same node, same data folder: the durable queue and its message are back
    assert server.url == url
    assert server.queue_depth("kept")["messages_ready"] == 1
    server.kill(signal.SIGKILL)  # a crash of the whole group: epmd and beam go at once
    assert server.state == "killed (SIGKILL)"
    wait_for_nothing(run.id)
    print(f"clean stop took {stop_seconds:.1f} s")


def wait_for_nothing(run_id: str, timeout: float = 10.0) -> float:
    started = time.monotonic()
    while erlang_processes(run_id):
        assert time.monotonic() - started < timeout, f"still running: {erlang_processes(run_id)}"
        time.sleep(0.1)
    return time.monotonic() - started


def test_killing_the_owner_stops_the_broker_and_its_epmd(home):
    """SIGKILL the process that started the broker (a kernel dying): the run's watchdog stops
    the whole tree, the private epmd included, and nothing of it is left in `ps`."""
    require_rabbitmq()
    script = textwrap.dedent(f"""
        import json, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from labkit.runtime.run import Run
        from labkit.services.rabbitmq import RabbitMQServer
        run = Run()
        server = RabbitMQServer(run).start()
        print(json.dumps({{"run": run.id, "epmd_port": server.epmd_port, "port": server.port,
                          "pids": [p.pid for p in server.processes()]}}), flush=True)
        time.sleep(300)
    """)
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "ORDERUP_HOME": str(home)})
    try:
        info = json.loads(owner.stdout.readline())
        family = named(info["pids"])
        assert set(family.values()) >= {"epmd", "beam.smp", "erl_child_setup"}
        family = list(family)
    finally:
        killed = time.monotonic()
        owner.kill()  # SIGKILL: nothing in the owner runs, only its watchdog notices
        owner.wait()
    gone, alive = psutil.wait_procs(family, timeout=10)
    assert not alive, [p.name() for p in alive]
    wait_for_nothing(info["run"])
    seconds = time.monotonic() - killed
    assert ps_lines_with(f"-port {info['epmd_port']}") == []
    assert not listening_on(info["port"]) and not listening_on(info["epmd_port"])
    print(f"every process of the broker gone {seconds:.1f} s after the owner's SIGKILL")
    # The watchdog removes the folder too, unless it saw the owner still exiting; then the next
    # kernel's first start does (as for every service): Mnesia, cookie and config go with it.
    next_run = Run(home)
    try:
        assert not (home / "runs" / info["run"]).exists()
    finally:
        next_run.close(remove=True)


def test_two_brokers_on_one_host_do_not_meet(broker, run):
    other = RabbitMQServer(run).start()
    try:
        assert len({broker.port, broker.dist_port, broker.epmd_port,
                    other.port, other.dist_port, other.epmd_port}) == 6
        assert other.node != broker.node and other.user != broker.user
        with pytest.raises(Exception, match="ACCESS_REFUSED|AccessRefused|Login was refused"):
            kombu.Connection(f"amqp://{other.user}:{other.password}@127.0.0.1:{broker.port}//",
                             connect_timeout=5).ensure_connection(max_retries=1)
        # each epmd knows its own node only
        for server in (broker, other):
            names = subprocess.run([server.epmd, "-port", str(server.epmd_port), "-names"],
                                   capture_output=True, text=True, timeout=10).stdout
            assert server.node.split("@")[0] in names
            assert (other if server is broker else broker).node.split("@")[0] not in names
    finally:
        other.stop()


# --- failures that explain themselves ------------------------------------------------------------

def test_no_rabbitmq_anywhere(monkeypatch, tmp_path):
    monkeypatch.delenv("RABBITMQ_SERVER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("labkit.services.rabbitmq_install.SEARCH_DIRS", (str(tmp_path),))
    assert find_rabbitmq_server() is None
    with pytest.raises(RabbitMQNotFound) as err:
        RabbitMQServer(run=None)
    message = str(err.value)
    for advice in ("No rabbitmq-server was found", "apt-get install rabbitmq-server",
                   "brew install rabbitmq", "conda install -c conda-forge rabbitmq-server",
                   "RABBITMQ_SERVER="):
        assert advice in message


def test_rabbitmq_server_variable_pointing_nowhere(monkeypatch, tmp_path):
    monkeypatch.setenv("RABBITMQ_SERVER", str(tmp_path / "nope"))
    assert find_rabbitmq_server() is None
    with pytest.raises(RabbitMQNotFound, match="RABBITMQ_SERVER is set to .*not a runnable"):
        RabbitMQServer(run=None)


def test_debians_wrapper_is_looked_through(monkeypatch, tmp_path):
    """/usr/sbin/rabbitmq-server refuses ordinary users (and runs as `rabbitmq` for root)."""
    wrapper = tmp_path / "rabbitmq-server"
    wrapper.write_bytes(b"#!/bin/sh\necho\necho \"" + DEBIAN_WRAPPER_MARK + b" ${SCRIPT}\"\n")
    wrapper.chmod(0o755)
    monkeypatch.setenv("RABBITMQ_SERVER", str(wrapper))
    found = find_rabbitmq_server()
    assert found != wrapper
    if found is not None:
        assert str(found) == "/usr/lib/rabbitmq/bin/rabbitmq-server"
    assert "/usr/lib/rabbitmq/bin" in SEARCH_DIRS


def test_a_failed_boot_shows_the_reason_and_leaves_nothing(run):
    server = RabbitMQServer(run)
    write_files = server._write_files

    def broken_config():
        write_files()
        with open(server.config_path, "a") as f:
            f.write("log.console.use_colors = perhaps\n")

    server._write_files = broken_config
    started = time.monotonic()
    with pytest.raises(Exception) as err:
        server.start()
    assert time.monotonic() - started < 30
    message = str(err.value)
    assert "The rabbitmq exited" in message and "did not come up" in message
    assert "log.console.use_colors" in message  # the reason, not just the crash report's tail
    wait_for_nothing(run.id)


def test_rabbitmq_on_a_taken_port(run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUse, match=f"Port {port} on 127.0.0.1 is already in use .* so RabbitMQ"):
            RabbitMQServer(run, port=port).start()


def test_an_epmd_port_taken_since_it_was_picked_means_new_ports(run, monkeypatch):
    """The race free_port() cannot close: someone listens on the picked epmd port before epmd
    binds it. epmd exits, the launcher says so at once, and labkit picks new ports."""
    with socket.socket() as squatter:  # accepts connections and never answers, the worst case
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        picks = iter([None, None, taken])  # amqp, dist, epmd: the third pick is the taken port
        real_free_port = rabbitmq_server.free_port
        monkeypatch.setattr(rabbitmq_server, "free_port", lambda: next(picks, None) or real_free_port())
        server = RabbitMQServer(run).start()
        try:
            assert server.epmd_port != taken
            assert f"epmd exited: port {taken} in use?" in server.log_text(since_start=False)
        finally:
            server.stop()
