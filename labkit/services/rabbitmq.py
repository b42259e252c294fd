"""A private RabbitMQ broker for one kernel, for the lessons that put Celery on AMQP.

Like ``RedisServer``: its own session, its log in the run folder, stopped by the run's watchdog
when the kernel dies, ready when a real AMQP login succeeds (never after a fixed sleep).

What makes RabbitMQ harder than Redis is Erlang's port mapper, **epmd**. A node registers its
name with the epmd on port 4369, and starts one (``epmd -daemon``: it forks and calls setsid,
so it escapes the service's process group) when none answers. That epmd is shared by every user
of the host, so two learners' brokers would meet in it, and it outlives the kernel. Here each
broker gets a private epmd instead::

    sh launch.sh:  <epmd> -port P -address 127.0.0.1 &   # foreground: same session and group
                   wait until it answers; run rabbitmq-server; stop epmd when the broker ends

with ``ERL_EPMD_PORT=P`` so the broker (and ``rabbitmqctl``) use it, and
``ERL_AFLAGS=-start_epmd false`` so no Erlang VM of the run ever starts a shared daemon: the
broker's one-off "epmd-starter" VM and its once-a-minute epmd check find ours or fail quietly.
The process tree, all carrying the run's marker in their environment::

    sh launch.sh                <- the service's pid; session and group leader
    |- epmd -port P             (same group: killpg reaches it; stopped when the broker ends)
    `- beam.smp                 (rabbitmq-server exec'd into it; same group; SIGTERM = clean stop)
       `- erl_child_setup       (calls setsid; reached as a child of beam, and by the marker;
          `- inet_gethost x2     exits by itself when beam dies, even by SIGKILL)

All state lives in the run folder (``rabbitmq/``): Mnesia data, config, enabled plugins (none),
a private HOME holding the Erlang cookie (mode 0400). The AMQP user is made up per run
(``default_user``/``default_pass``), so no ``guest`` user exists; every listener is on 127.0.0.1.

Finding the installation (and Debian's root-only wrapper): rabbitmq_install.py.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import kombu
import psutil

from labkit.runtime.errors import PortInUse
from labkit.runtime.ports import HOST, free_port, port_accepts, require_free
from labkit.runtime.run import Run
from labkit.runtime.service import Service
from labkit.services.rabbitmq_install import (
    INSTALL_ADVICE,
    SEARCH_DIRS,
    RabbitMQNotFound,
    find_epmd,
    find_rabbitmq_server,
)
from labkit.services.rabbitmq_queues import RabbitMQQueues

__all__ = ["RabbitMQServer", "RabbitMQNotFound", "find_rabbitmq_server", "amqp_url"]

# Written to the run folder and started as: sh launch.sh EPMD SERVER (with ERL_EPMD_PORT set).
# epmd runs in the foreground, in this session; the broker starts only once epmd answers, and
# only if it is *our* epmd that answers (a port taken since we picked it makes epmd exit). This
# shell stays as the parent of both, so that when the broker ends -- stopped or crashed -- epmd
# ends too, even while the kernel lives on.
LAUNCH = r"""
"$1" -port "$ERL_EPMD_PORT" -address 127.0.0.1 &
epmd_pid=$!
while :; do  # epmd binds first thing and exits at once if it cannot: check it lives, then ask it
    sleep 0.05
    kill -0 "$epmd_pid" 2>/dev/null || { echo "labkit: epmd exited: port $ERL_EPMD_PORT in use?"; exit 71; }
    "$1" -port "$ERL_EPMD_PORT" -names >/dev/null 2>&1 && break
done
echo "labkit: private epmd (pid $epmd_pid) on 127.0.0.1:$ERL_EPMD_PORT"
"$2" &
server_pid=$!
trap 'kill -TERM "$server_pid" 2>/dev/null' TERM INT HUP
code=0
while kill -0 "$server_pid" 2>/dev/null; do  # wait returns early when a trapped signal arrives
    wait "$server_pid"
    code=$?
done
kill -TERM "$epmd_pid" 2>/dev/null
wait "$epmd_pid"
echo "labkit: rabbitmq-server exited with code $code; epmd stopped"
exit "$code"
"""

#: log lines that mean one of our ports was taken between picking it and binding it
BROKER_PORT_TAKEN = re.compile(r"eaddrinuse|dist_port_already_used|epmd exited: port|Address already in use",
                        re.IGNORECASE)


def amqp_url(port: int, user: str, password: str) -> str:
    """amqp://user:password@127.0.0.1:port// (the path after the first / is the vhost: "/")."""
    return f"amqp://{quote(user, safe='')}:{quote(password, safe='')}@{HOST}:{port}//"


class RabbitMQServer(RabbitMQQueues, Service):
    """A private RabbitMQ: 127.0.0.1 only, a user and password made up for this run, a private
    epmd and Erlang cookie, every file in the run folder. Stop/start keeps its address and data
    (durable queues and persistent messages survive a restart, as on a real broker)."""

    name = "rabbitmq"
    ready_timeout = 90.0   # 5-8 s here (2 cores); Erlang boots slowly on a busy shared machine
    advice = "The RabbitMQ broker did not come up."

    def __init__(self, run: Run, binary: Path | None = None, port: int | None = None):
        """``binary``: the rabbitmq-server script (None: :func:`find_rabbitmq_server`). ``port``:
        the AMQP port (None: a free one). Raises RabbitMQNotFound, saying what to install."""
        binary = Path(binary) if binary else find_rabbitmq_server()
        if binary is None:
            chosen = os.environ.get("RABBITMQ_SERVER")
            why = (f"RABBITMQ_SERVER is set to {chosen!r}, which is not a runnable rabbitmq-server script."
                   if chosen else
                   "No rabbitmq-server was found on PATH or in " + ", ".join(SEARCH_DIRS) + ".")
            raise RabbitMQNotFound(f"{why}\n{INSTALL_ADVICE}")
        self.binary = binary
        self.ctl = binary.parent / "rabbitmqctl"
        self.erl = shutil.which("erl")
        self.epmd = find_epmd(self.erl) if self.erl else None
        if not (self.erl and self.epmd):
            raise RabbitMQNotFound(
                f"RabbitMQ is installed ({binary}) but Erlang's {'epmd' if self.erl else 'erl'} is not "
                f"on PATH, so the broker cannot run.\nInstall Erlang (it comes with the rabbitmq-server "
                "package of apt, brew and conda) or put its bin folder on PATH.")
        super().__init__(run)
        self.requested_port = port
        self.user = f"orderup-{secrets.token_hex(4)}"
        self.password = secrets.token_urlsafe(24)
        self.node = f"orderup-{secrets.token_hex(4)}@localhost"
        self.dir = run.dir / "rabbitmq"
        self.home = self.dir / "home"            # holds .erlang.cookie, mode 0400
        self.config_path = self.dir / "rabbitmq.conf"
        self.cwd = self.dir                      # so an erl_crash.dump lands here, not in the repo
        self.dist_port: int | None = None
        self.epmd_port: int | None = None
        self.startup_seconds: float | None = None  # measured by the last start

    # -- addresses ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """amqp://user:password@127.0.0.1:port// -- Celery's broker_url. Keep it out of outputs."""
        return amqp_url(self.port, self.user, self.password)

    def connection(self, **kwargs) -> kombu.Connection:
        """A kombu connection to this broker (not yet connected)."""
        return kombu.Connection(self.url, **kwargs)

    @property
    def server_pid(self) -> int | None:
        """The Erlang VM's (beam.smp) pid; ``pid`` is the launching shell above it and epmd."""
        for proc in self.processes()[1:]:
            try:
                if proc.name().startswith("beam"):
                    return proc.pid
            except psutil.Error:
                pass
        return None

    # -- files and environment ------------------------------------------------------------------
    def _write_files(self) -> None:
        for folder in (self.dir, self.home, self.dir / "mnesia", self.dir / "log", self.dir / "conf.d"):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        cookie = self.home / ".erlang.cookie"
        if not cookie.exists():  # Erlang refuses a cookie file others can read
            fd = os.open(cookie, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(20).upper())
        # the password lives in a file only this user can read, never on a command line
        fd = os.open(self.config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(
                f"default_user = {self.user}\n"
                f"default_pass = {self.password}\n"
                "default_vhost = /\n"
                # one log: the service's log file (stdout), without colour codes
                "log.console = true\nlog.console.level = info\nlog.console.use_colors = off\n"
                "log.file = false\n"
            )
        (self.dir / "launch.sh").write_text(LAUNCH.lstrip())
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq-env.conf").touch()  # instead of /etc/rabbitmq/rabbitmq-env.conf

    def environment(self) -> dict:
        env = {k: v for k, v in super().environment().items()
               if not k.startswith(("RABBITMQ_", "ERL_EPMD_")) and k not in ("ERL_FLAGS", "ERL_ZFLAGS")}
        d = self.dir
        env.update({
            "HOME": str(self.home),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": HOST,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(d / "mnesia"),
            "RABBITMQ_LOG_BASE": str(d / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.config_path),
            "RABBITMQ_CONFIG_FILES": str(d / "conf.d" / "*.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(d / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(d / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(d / "enabled_plugins"),
            "RABBITMQ_MOTD_FILE": str(d / "motd"),
            # Erlang distribution: on 127.0.0.1, through our own epmd, never starting a shared one
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": HOST,
            "ERL_AFLAGS": " ".join(filter(None, [os.environ.get("ERL_AFLAGS"), "-start_epmd false"])),
            "ERL_CRASH_DUMP": str(d / "erl_crash.dump"),
            # Makes the rabbitmq-server script exec the VM instead of running it behind a shell
            # that traps SIGTERM and always exits 0: beam stops cleanly on SIGTERM by itself, and
            # a crash shows as one ("killed (SIGKILL)", "exited (code 1)"). A leftover switch the
            # script reads (checked with 3.10); where it is ignored, the trapping shell works too.
            "detached": "true",
        })
        return env

    def command(self) -> list[str]:
        return ["/bin/sh", str(self.dir / "launch.sh"), self.epmd, str(self.binary)]

    # -- life cycle ------------------------------------------------------------------------------
    PORT_TAKEN = BROKER_PORT_TAKEN

    @property
    def port_tries(self) -> int:
        return 1 if self.requested_port else 3  # free ports can be taken before the broker binds them

    def prepare(self) -> None:
        if self.port is None:  # a first start; a restart keeps its address, node and data
            if self.requested_port:
                require_free(self.requested_port, "RabbitMQ")
            self.port = self.requested_port or free_port()
            self.dist_port, self.epmd_port = free_port(), free_port()
        if len({self.port, self.dist_port, self.epmd_port}) < 3:
            raise PortInUse("labkit picked the same port twice for RabbitMQ.")
        self._write_files()
        self._launched_at = time.monotonic()

    def release_ports(self) -> None:
        self.port = self.dist_port = self.epmd_port = None

    def wait_until_ready(self) -> None:
        self.wait_for(self._accepts_login, "waiting for an AMQP login to succeed", interval=0.1)
        self.startup_seconds = time.monotonic() - self._launched_at

    def _accepts_login(self) -> bool:
        if not port_accepts(self.port):  # cheap: the listener opens only at the end of the boot
            return False
        try:
            with self.connection(connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
                return True
        except Exception:  # refused, reset, or the broker is still finishing its boot
            return False

    def failure(self, what: str, advice: str | None = None):
        """As for every service, plus the broker's *first* error lines: a failed Erlang boot ends
        with a long crash report that would push the reason out of the log's tail."""
        error = super().failure(what, advice)
        lines = self.log_text().splitlines()
        first = next((i for i, line in enumerate(lines) if "[error]" in line), None)
        if first is None or first >= len(lines) - 25:
            return error
        reason = "\n".join(lines[first:first + 8])
        return type(error)(f"{error.args[0].split(chr(10))[0]}\n{advice or self.advice}\n"
                           f"Its first errors ({self.log_path}):\n{reason}\n"
                           f"Last lines of its log:\n{self.log_tail(6)}")

    def __repr__(self) -> str:
        where = f" on {HOST}:{self.port}" if self.port else ""
        return f"<RabbitMQServer {self.state}, pid {self.pid}{where}, node {self.node}>"
