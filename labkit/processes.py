"""Start, watch and stop the course's services.

A :class:`Run` is one kernel's private folder (logs, config, database) plus a watchdog that stops
the run's services when the kernel dies (see ``reaper.py``). A :class:`Service` is one program of
the restaurant: started in its own session (so the kernel's Interrupt button does not reach it),
logging to a file, ready when a condition holds, never waited on with a fixed sleep.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import psutil

from . import reaper
from .errors import ServiceFailed

#: where labkit itself is installed from (a checkout, or site-packages on a shared hub)
REPO_ROOT = Path(__file__).resolve().parent.parent


def is_course_root(folder: Path) -> bool:
    return (folder / "restaurant" / "settings.py").is_file() and (folder / "restaurant" / "celery.py").is_file()


def course_root(start: Path | None = None) -> Path:
    """The checkout whose ``restaurant/`` this kernel's programs run: $ORDERUP_COURSE_ROOT, else the
    nearest folder at or above the working folder (a notebook's kernel starts in ``notebooks/``)
    that holds the restaurant, else labkit's own checkout.

    On a workshop hub labkit may be installed once for everyone, while each learner edits a copy
    of their own: the worker and Daphne must import *that* copy's code, never the installed one."""
    if os.environ.get("ORDERUP_COURSE_ROOT"):
        return Path(os.environ["ORDERUP_COURSE_ROOT"]).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_course_root(folder):
            return folder
    return REPO_ROOT


def course_home() -> Path:
    """Where runs live: $ORDERUP_HOME, else ~/.cache/orderup (per user, so per learner on a hub)."""
    if os.environ.get("ORDERUP_HOME"):
        return Path(os.environ["ORDERUP_HOME"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "orderup"


def resident_memory(procs) -> int:
    """The resident memory of ``procs`` together, in bytes (those that ended meanwhile count 0)."""
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total


def wait_until(condition: Callable[[], object], timeout: float = 10.0, what: str = "a condition",
               interval: float = 0.02):
    """Poll ``condition`` until it returns something truthy (and return that); TimeoutError after
    ``timeout`` seconds. Every wait in the course is on a condition like this, never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout:g} s {what}.")
        time.sleep(interval)


class Run:
    """This process's run: a private folder, a state file of its services, and a watchdog."""

    def __init__(self, home: Path | None = None):
        self.home = Path(home or course_home())
        (self.home / "runs").mkdir(parents=True, exist_ok=True)
        os.chmod(self.home, 0o700)
        self.cleaned = reaper.clean_leftovers(self.home)
        self.id = f"{os.getpid()}-{secrets.token_hex(3)}"
        self.dir = self.home / "runs" / self.id
        self.dir.mkdir(mode=0o700)
        me = psutil.Process()
        self.state = {
            "run_id": self.id,
            "owner": {"pid": me.pid, "started": me.create_time()},
            "services": {},
        }
        reaper.write_state(self.dir, self.state)
        self._lifeline = None
        self.watchdog = self._start_watchdog()

    def _start_watchdog(self) -> subprocess.Popen:
        read_end, self._lifeline = os.pipe()  # both ends close-on-exec: no service inherits them
        with open(self.dir / "watchdog.log", "ab") as log:
            watchdog = subprocess.Popen(
                [sys.executable, reaper.__file__, "watch", str(self.dir)],
                stdin=read_end, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=self.dir,
            )
        os.close(read_end)
        self.state["watchdog"] = {"pid": watchdog.pid}
        reaper.write_state(self.dir, self.state)
        return watchdog

    def socket_path(self, name: str) -> Path:
        """Where a service of this run listens on a Unix socket: in the run folder (mode 0700, so
        only this user can connect), or, if that path is too long for a socket (about 100 bytes),
        in a private folder of its own under the system's temporary folder, removed with the run."""
        path = self.dir / name
        if len(str(path)) > 100:
            if not self.state.get("sockets_dir"):
                self.state["sockets_dir"] = tempfile.mkdtemp(prefix=f"orderup-{self.id}-")  # mode 0700
                reaper.write_state(self.dir, self.state)
            path = Path(self.state["sockets_dir"]) / name
        return path

    def record(self, service: "Service") -> None:
        self.state["services"][service.name] = {
            "pid": service.pid,
            "started": service.process_started,
            "port": service.port,
            "socket": str(service.socket) if getattr(service, "socket", None) else None,
            "log": str(service.log_path),
        }
        reaper.write_state(self.dir, self.state)

    def forget(self, service: "Service") -> None:
        self.state["services"].pop(service.name, None)
        reaper.write_state(self.dir, self.state)

    def close(self, remove: bool = False) -> None:
        """Stop everything of this run now (the watchdog does the same when we die)."""
        reaper.reap(self.dir)
        if self._lifeline is not None:
            os.close(self._lifeline)
            self._lifeline = None
            try:
                self.watchdog.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.watchdog.kill()
        if remove:
            if self.state.get("sockets_dir"):
                shutil.rmtree(self.state["sockets_dir"], ignore_errors=True)
            shutil.rmtree(self.dir, ignore_errors=True)


class Service:
    """One program of the restaurant, started from the kernel and watched through its log."""

    name = "service"
    ready_timeout = 30.0
    #: one line of advice that goes with a failure to start
    advice = "Read the log lines below for the reason."

    def __init__(self, run: Run, env: dict | None = None, requires: list["Service"] | None = None):
        self.run = run
        self.extra_env = dict(env or {})
        self.requires = list(requires or [])  # started first (the worker needs Redis, ...)
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.started_at: float | None = None
        self.process_started: float | None = None
        self.log_path = run.dir / f"{self.name}.log"
        # the restaurant's code: this checkout's (a learner's own copy), first on the import path
        self.code_root = course_root()
        self.cwd = self.code_root  # `python -m` puts the working folder first on sys.path
        self._log_offset = 0

    # -- what a subclass says -------------------------------------------------------------
    def command(self) -> list[str]:
        raise NotImplementedError

    def wait_until_ready(self) -> None:
        raise NotImplementedError

    def before_launch(self) -> None:
        """Checks and choices to make before each launch (a port, say). Nothing by default."""

    # -- state ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def uptime(self) -> float | None:
        return time.time() - self.started_at if self.running and self.started_at else None

    @property
    def state(self) -> str:
        if self.proc is None:
            return "not started"
        code = self.proc.poll()
        if code is None:
            return "running"
        if code < 0:
            return f"killed ({signal.Signals(-code).name})"
        return "stopped" if code == 0 else f"exited (code {code})"

    def processes(self) -> list[psutil.Process]:
        """The service's main process and its children (a worker's pool, for example)."""
        if not self.running:
            return []
        try:
            main = psutil.Process(self.pid)
            return [main, *main.children(recursive=True)]
        except psutil.Error:
            return []

    def memory(self) -> int:
        """Resident memory of the service and its children, in bytes."""
        return resident_memory(self.processes())

    # -- life cycle ---------------------------------------------------------------------------
    def environment(self) -> dict:
        env = dict(os.environ)
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the kernel needs it; real programs don't
        env.update(self.extra_env)
        env["PYTHONUNBUFFERED"] = "1"
        # the course's code, and the run folder (lessons write modules there for the worker to import)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.code_root), str(self.run.dir), env.get("PYTHONPATH")]))
        env[reaper.RUN_MARKER] = self.run.id
        return env

    def start(self) -> "Service":
        """Start the service and wait until it is ready. Does nothing if it is already running."""
        if self.running:
            return self
        for needed in self.requires:
            needed.start()
        self.before_launch()
        self._launch()
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop(timeout=2)
            raise
        return self

    def _launch(self) -> None:
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.command(), cwd=self.cwd, env=self.environment(),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own session: Interrupt in the kernel does not reach it
            )
        self.started_at = time.time()
        try:
            self.process_started = psutil.Process(self.proc.pid).create_time()
        except psutil.Error:
            self.process_started = None
        self.run.record(self)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the service to stop (SIGTERM), then force it (SIGKILL) after ``timeout`` seconds."""
        if self.proc is None:
            return
        family = self.processes()
        if self.running:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait(timeout=5)
        reaper.stop_processes([p for p in family if p.is_running()], grace=1.0)
        self.run.forget(self)

    def kill(self, sig: int = signal.SIGKILL, group: bool = True) -> None:
        """Send ``sig`` to the service: to its whole process group (main process and pool
        children, like a crash of the machine) or, with ``group=False``, to the main process only."""
        if not self.running:
            return
        if group:
            self._signal_group(sig)
        else:
            os.kill(self.pid, sig)
        if sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGQUIT, signal.SIGINT):
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def restart(self) -> "Service":
        self.stop()
        return self.start()

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)  # the service leads its own session, so pgid == pid
        except ProcessLookupError:
            pass

    # -- logs ----------------------------------------------------------------------------------
    def log_text(self, since_start: bool = True) -> str:
        """The log, from this start of the service (or all of it)."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._log_offset if since_start else 0)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 15) -> str:
        return "\n".join(self.log_text(since_start=False).splitlines()[-lines:])

    # -- waiting -------------------------------------------------------------------------------
    def wait_for(self, condition: Callable[[], object], waiting_for: str,
                 timeout: float | None = None, interval: float = 0.02):
        """Poll ``condition`` until it returns something truthy; fail fast if the process exits."""
        timeout = self.ready_timeout if timeout is None else timeout

        def ready_or_dead():
            result = condition()
            if not result and self.proc is not None and self.proc.poll() is not None:
                raise self.failure(f"exited with code {self.proc.returncode} while {waiting_for}")
            return result

        try:
            return wait_until(ready_or_dead, timeout, waiting_for, interval)
        except TimeoutError:
            raise self.failure(f"was not ready after {timeout:.0f} s ({waiting_for})") from None

    def wait_for_log(self, pattern: str | re.Pattern, timeout: float | None = None) -> re.Match:
        regex = re.compile(pattern, re.MULTILINE) if isinstance(pattern, str) else pattern
        return self.wait_for(lambda: regex.search(self.log_text()),
                             f"waiting for a log line matching {regex.pattern!r}", timeout)

    def failure(self, what: str, advice: str | None = None) -> ServiceFailed:
        return ServiceFailed(
            f"The {self.name} {what}.\n{advice or self.advice}\n"
            f"Last lines of its log ({self.log_path}):\n{self.log_tail(25)}"
        )

    def __repr__(self) -> str:
        where = f" on 127.0.0.1:{self.port}" if self.port else ""
        return f"<{type(self).__name__} {self.state}, pid {self.pid}{where}>"
