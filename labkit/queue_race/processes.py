"""The race's processes: each library's workers and the driver, as runtime Services (their own
session, a log, recorded for the watchdog), and the peak memory of their process trees."""
from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import psutil

from labkit.queue_race.arq_env import arq_python
from labkit.runtime import reaper
from labkit.runtime.run import Run
from labkit.runtime.service import Service

RACERS = Path(__file__).resolve().parent / "racers"


def worker_commands(library: str, concurrency: int) -> list[list[str]]:
    """The command lines of one library's workers: one per process that the race starts itself."""
    py, n = sys.executable, str(concurrency)
    if library == "raw":
        return [[py, "race_raw.py", "worker"] for _ in range(concurrency)]
    if library == "celery":
        return [[py, "-m", "celery", "-A", "race_celery", "worker", "--pool=prefork",
                 f"--concurrency={n}", "--without-mingle", "--without-gossip", "--loglevel=WARNING",
                 "--hostname=race@%h"]]
    if library in ("rq", "rq-simple"):
        cmd = [py, "-m", "rq.cli", "worker-pool", "--num-workers", n, "--logging-level", "WARNING"]
        if library == "rq-simple":
            cmd += ["--worker-class", "rq.SimpleWorker"]
        return [cmd + ["race"]]
    if library == "dramatiq":
        return [[py, "-m", "dramatiq", "race_dramatiq", "--processes", n, "--threads", "1"]]
    if library == "huey":
        return [[py, "-m", "huey.bin.huey_consumer", "race_huey.huey", "--workers", n,
                 "--worker-type", "process", "--quiet"]]
    if library == "arq":
        return [[str(arq_python()), "-m", "arq", "race_arq.WorkerSettings",
                 "--custom-log-dict", "race_arq.LOG_CONFIG"] for _ in range(concurrency)]
    raise ValueError(library)


def driver_python(library: str) -> str:
    return str(arq_python()) if library == "arq" else sys.executable


class RaceProcess(Service):
    """A worker or a driver of the race: its own session, a log file, recorded for the watchdog
    (so it dies with the kernel), and an environment with nothing of the restaurant's in it."""

    ready_timeout = 60.0
    # SIGKILL to the whole process group (pool children, work horses): how a library shuts down is
    # not raced, and a graceful stop costs 1-6 s (RQ's pool, Dramatiq) for nothing here
    stop_signal = signal.SIGKILL

    def __init__(self, run: Run, name: str, cmd: list[str], env: dict):
        self.name = name
        super().__init__(run, env)
        self.cmd = cmd
        self.cwd = RACERS

    def command(self) -> list[str]:
        return self.cmd

    def environment(self) -> dict:
        # Celery turns its Django fix-up on when DJANGO_SETTINGS_MODULE is set (as in a kernel):
        # the race's processes get none of the restaurant's settings, and only the racers' folder.
        dropped = ("DJANGO_", "ORDERUP_", "CELERY_", "RQ_", "PYTHON", "VIRTUAL_ENV")
        env = {k: v for k, v in os.environ.items() if not k.startswith(dropped) or k == "ORDERUP_HOME"}
        env.update(self.extra_env)
        env["PYTHONPATH"] = str(RACERS)
        env["PYTHONUNBUFFERED"] = "1"
        env[reaper.RUN_MARKER] = self.run.id
        return env

    def wait_until_ready(self) -> None:
        """Nothing to wait for here: the driver's warm-up waits until the workers answer."""


PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
#: Linux lists each thread's children in /proc: reading the tree costs microseconds, not the
#: millisecond of psutil's scan of every process (which, every 20 ms, slowed the libraries measured)
PROC_CHILDREN = Path(f"/proc/{os.getpid()}/task/{threading.get_native_id()}/children").exists()


def _tree_linux(root: int) -> list[int]:
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        pids.append(pid)
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    stack.extend(int(child) for child in f.read().split())
            except OSError:
                pass
    return pids


def _rss_linux(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0  # ended meanwhile


class MemorySampler(threading.Thread):
    """Every ``interval`` s: the resident memory of every process of ``services`` (with their
    children, found anew each time: RQ's work horses come and go), summed. Keeps the peak."""

    def __init__(self, services: list[Service], interval: float = 0.02):
        super().__init__(daemon=True)
        self.services, self.interval = services, interval
        self.peak, self.processes_at_peak, self.pids_seen = 0, 0, set()
        self.samples = 0
        self._done = threading.Event()

    def sample(self) -> tuple[int, int]:
        """(resident bytes, processes) of the services' trees, now."""
        total, count = 0, 0
        for service in self.services:
            if service.pid is None:
                continue
            if PROC_CHILDREN:
                for pid in _tree_linux(service.pid):
                    rss = _rss_linux(pid)
                    if rss:
                        total, count = total + rss, count + 1
                        self.pids_seen.add(pid)
            else:  # macOS: psutil (slower; good enough where the race is only a demonstration)
                for proc in service.processes():
                    try:
                        total += proc.memory_info().rss
                        count += 1
                        self.pids_seen.add(proc.pid)
                    except psutil.Error:
                        pass
        return total, count

    def run(self) -> None:
        while not self._done.is_set():
            total, count = self.sample()
            self.samples += 1
            if total > self.peak:
                self.peak, self.processes_at_peak = total, count
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


