"""One program of the restaurant, and the one life cycle every such program goes through.

    service.start()      launch, wait until ready (retrying on a port taken meanwhile), record it
    service.stop()       SIGTERM, then SIGKILL after a timeout; the whole process group
    service.restart()
    with service: ...    started for the block, stopped after it (tests, scripts)
    start_together([a, b])   launch several, then wait for each: their slow starts overlap

Each runs in its own session (the kernel's Interrupt button does not reach it), logs to a file in
the run folder, and is ready when a condition holds (a PING answered, a log line), never after a
fixed sleep. A subclass says what to run (``command``), what to do before each launch
(``prepare``: ports, files), when it is ready (``wait_until_ready``), and, if it picks its own
ports, how to tell that one was taken before it could bind it (``port_taken``).
"""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import psutil

from labkit.runtime import reaper
from labkit.runtime.errors import PortInUse, ServiceFailed
from labkit.runtime.paths import course_root
from labkit.runtime.run import Run
from labkit.runtime.waiting import wait_until


def resident_memory(procs) -> int:
    """The resident memory of ``procs`` together, in bytes (those that ended meanwhile count 0)."""
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.Error:
            pass
    return total


class Service:
    """One program of the restaurant, started from the kernel and watched through its log."""

    name = "service"
    ready_timeout = 30.0
    #: one line of advice that goes with a failure to start
    advice = "Read the log lines below for the reason."
    #: launches to try when a port the service picked was taken before the program could bind it
    port_tries = 1
    #: what the program's log says when its port was taken (for ``port_taken``)
    PORT_TAKEN = re.compile(r"[Aa]ddress already in use|port is already in use")
    #: how ``stop`` asks first: SIGTERM, a clean shutdown; SIGKILL is sent after its timeout anyway
    stop_signal = signal.SIGTERM

    def __init__(self, run: Run, env: dict | None = None, requires: list[Service] | None = None):
        self.run = run
        self.extra_env = dict(env or {})
        self.requires = list(requires or [])  # started first (the worker needs Redis, ...)
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.socket = None  # a Unix socket's path, for a service that listens on one
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

    def prepare(self) -> None:
        """Before each launch: pick or check ports, write files. Nothing by default."""

    def port_taken(self) -> bool:
        """After a failed start: was a port it picked taken before the program could bind it?"""
        return bool(self.PORT_TAKEN.search(self.log_text()))

    def release_ports(self) -> None:
        """Forget the ports it picked, so that ``prepare`` picks new ones."""
        self.port = None

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

    @property
    def command_line(self) -> str:
        """The command as you would type it in a terminal: ``python -m celery ...`` is ``celery ...``
        (the course's own Python runs it), a program given by its full path by its name."""
        cmd = self.command()
        if cmd[:2] == [sys.executable, "-m"]:
            cmd = cmd[2:]
        elif os.path.isabs(cmd[0]):
            cmd = [os.path.basename(cmd[0]), *cmd[1:]]
        return shlex.join(cmd)

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
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.code_root), str(self.run.dir),
                                                          env.get("PYTHONPATH")]))
        env[reaper.RUN_MARKER] = self.run.id
        return env

    def start(self) -> Service:
        """Start the service and wait until it is ready. Does nothing if it is already running."""
        if self.running:
            return self
        for needed in self.requires:
            needed.start()
        self.launch()
        return self.await_ready()

    def launch(self) -> None:
        """Prepare (ports, files) and start the program, without waiting for it."""
        self.prepare()
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

    def await_ready(self) -> Service:
        """Wait until the launched program is ready. If a port it picked was taken before it could
        bind it, pick again and relaunch (``port_tries`` times in all); any other failure stops it."""
        for attempt in range(1, self.port_tries + 1):
            try:
                self.wait_until_ready()
                self.run.record(self)
                return self
            except BaseException:
                taken = self.port_taken()
                self.stop(timeout=2)
                if not taken:
                    raise
                if attempt == self.port_tries:
                    raise PortInUse(f"The {self.name}'s port was taken before it could bind it, "
                                    f"{self.port_tries} times in a row.") from None
            self.release_ports()
            self.launch()
        raise AssertionError("unreachable")

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the service to stop (SIGTERM), then force it (SIGKILL) after ``timeout`` seconds."""
        if self.proc is None:
            return
        family = self.processes()
        if self.running:
            self._signal_group(self.stop_signal)
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

    def restart(self) -> Service:
        self.stop()
        return self.start()

    def __enter__(self) -> Service:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)  # the service leads its own session, so pgid == pid
        except ProcessLookupError:
            pass

    # -- logs ----------------------------------------------------------------------------------
    def log_size(self) -> int:
        """Where the log ends now: ``log_text(since=...)`` reads only what comes after."""
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_text(self, since_start: bool = True, since: int | None = None) -> str:
        """The log, from this start of the service (or all of it, or from offset ``since``)."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(since if since is not None else self._log_offset if since_start else 0)
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


def start_together(services: list[Service]) -> None:
    """Launch every service that is not running, then wait for each: the slow starts overlap."""
    launched = [s for s in services if not s.running]
    for service in launched:
        service.launch()
    try:
        for service in launched:
            service.await_ready()
    except BaseException:
        for service in launched:
            service.stop(timeout=2)
        raise
