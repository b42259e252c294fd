"""Make sure no service outlives the kernel that started it.

Every kernel that starts a service gets a *run*: a folder with a ``state.json`` that lists the
kernel (the owner) and the services it started, and a watchdog process::

    python labkit/runtime/reaper.py watch RUN_DIR      # stdin: the read end of a pipe

Only the kernel holds the pipe's write end. When the kernel dies, even by SIGKILL (which nbval
uses and which skips atexit), the kernel's end closes, the watchdog reads EOF and stops every
process of the run: the services in ``state.json``, their children, any process whose
environment carries the run's ``ORDERUP_RUN_ID`` marker, and any process working in a folder below
the run folder (Redis writes its process title over its environment, and with it the marker, and
works in its data folder). Never the process that reaps or its ancestors; not the run folder itself,
where the watchdog works, and where a learner's terminal may be looking at the logs. Works on Linux and macOS alike
(``prctl(PR_SET_PDEATHSIG)`` is Linux-only and fires on *thread* exit).

If the watchdog itself was killed, the next kernel's first start calls :func:`clean_leftovers`,
which does the same for every run whose owner is gone.

This file runs as a script by path, so it must import nothing but the standard library and
psutil (importing the ``labkit`` package would load redis, IPython, ...).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import psutil

STATE_FILE = "state.json"
RUN_MARKER = "ORDERUP_RUN_ID"


def read_state(run_dir: Path) -> dict:
    try:
        return json.loads((Path(run_dir) / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def write_state(run_dir: Path, state: dict) -> None:
    write_json(Path(run_dir) / STATE_FILE, state)


def write_json(path: Path, data: dict) -> None:
    """Write atomically, so a watchdog never reads half a file."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def same_process(pid: int | None, started: float | None) -> psutil.Process | None:
    """The process with this pid, if it is still the one we started (pids get reused)."""
    if not pid:
        return None
    try:
        proc = psutil.Process(pid)
        if started is not None and abs(proc.create_time() - started) > 0.5:
            return None
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc
    except psutil.Error:
        return None


def owner_alive(state: dict) -> bool:
    owner = state.get("owner") or {}
    return same_process(owner.get("pid"), owner.get("started")) is not None


def processes_of_run(run_dir: Path, state: dict | None = None) -> list[psutil.Process]:
    """Every live process that belongs to the run: recorded services, their children, and any
    process marked as the run's (its id in the environment, or a working folder below the run's).
    Never this process or its ancestors."""
    run_dir = Path(run_dir)
    state = read_state(run_dir) if state is None else state
    spared = _me_and_my_ancestors()
    folders = {run_dir, run_dir.resolve()}  # a process's folder comes with links resolved (macOS: /private/var)
    found: dict[int, psutil.Process] = {}
    for svc in (state.get("services") or {}).values():
        proc = same_process(svc.get("pid"), svc.get("started"))
        if proc is None:
            continue
        found[proc.pid] = proc
        try:
            for child in proc.children(recursive=True):
                found[child.pid] = child
        except psutil.Error:
            pass
    # Marked ones: the run's id in their environment, or a working folder below the run's. Redis
    # writes its process title over its environment (the marker goes with it) and moves into its
    # data folder. The run folder itself is left out: the watchdog works there (it ends when the run
    # closes), and so may a learner's terminal, reading the logs.
    run_id = state.get("run_id")
    for proc in psutil.process_iter():
        if proc.pid in spared or proc.pid in found:
            continue
        try:
            if proc.uids().real != os.getuid():
                continue
            if (run_id and proc.environ().get(RUN_MARKER) == run_id) or _below(proc.cwd(), folders):
                found[proc.pid] = proc
        except (psutil.Error, OSError):
            continue
    return [proc for pid, proc in found.items() if pid not in spared]


def _me_and_my_ancestors() -> set[int]:
    """This process and those above it (a kernel working in its run folder is not the run's)."""
    try:
        return {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    except psutil.Error:
        return {os.getpid(), os.getppid()}


def _below(folder: str, run_folders: set[Path]) -> bool:
    """Is ``folder`` below the run folder (not the run folder itself)?"""
    return any(Path(folder) != run_folder and Path(folder).is_relative_to(run_folder) for run_folder in run_folders)


def _alive(proc: psutil.Process) -> bool:
    """Still running? A zombie is not: it only waits for its parent (or init) to reap it."""
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _wait_gone(procs: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait up to ``timeout`` s for ``procs`` to end; return those still alive."""
    deadline = time.monotonic() + timeout
    alive = [p for p in procs if _alive(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.02)
        alive = [p for p in alive if _alive(p)]
    return alive


def stop_processes(procs: list[psutil.Process], grace: float = 2.0) -> list[int]:
    """SIGTERM, wait up to ``grace`` seconds, then SIGKILL what is left. Returns the pids."""
    for proc in procs:
        try:
            proc.send_signal(signal.SIGTERM)
        except psutil.Error:
            pass
    for proc in _wait_gone(procs, grace):
        try:
            proc.kill()
        except psutil.Error:
            pass
    _wait_gone(procs, 2)
    return [p.pid for p in procs]


def reap(run_dir: Path, remove: bool = False) -> list[int]:
    """Stop every process of a run; with ``remove``, delete the run folder too."""
    run_dir = Path(run_dir)
    state = read_state(run_dir)
    pids = stop_processes(processes_of_run(run_dir, state))
    if remove:
        if state.get("sockets_dir"):  # a private folder for Unix sockets, when the run's path is long
            shutil.rmtree(state["sockets_dir"], ignore_errors=True)
        shutil.rmtree(run_dir, ignore_errors=True)
    return pids


def clean_leftovers(home: Path) -> dict[str, list[int]]:
    """Reap every run under ``home`` whose owning kernel is gone. Returns {run id: pids stopped}."""
    cleaned = {}
    runs = Path(home) / "runs"
    if not runs.is_dir():
        return cleaned
    for run_dir in sorted(runs.iterdir()):
        state = read_state(run_dir)
        if not state:
            # a folder without state: a run that never got going; keep it only if it is brand new
            continue
        if owner_alive(state):
            continue
        cleaned[run_dir.name] = reap(run_dir, remove=True)
    return cleaned


def watch(run_dir: Path) -> None:
    """Block until the owner's end of the pipe on stdin closes, then reap the run."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except OSError:
        pass
    state = read_state(run_dir)
    reap(run_dir, remove=not owner_alive(state))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "watch":
        sys.exit("usage: reaper.py watch RUN_DIR")
    watch(Path(sys.argv[2]))
