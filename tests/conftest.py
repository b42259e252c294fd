"""Shared fixtures: a private course home per test, restaurants and real Jupyter kernels."""
from __future__ import annotations

import os
import re
import signal
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from labkit.kitchen.restaurant import Restaurant
from labkit.runtime import reaper

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A course home of its own, so a test only ever sees (and cleans) its own runs."""
    path = tmp_path / "home"
    monkeypatch.setenv("ORDERUP_HOME", str(path))
    return path


@pytest.fixture
def restaurant(home):
    r = Restaurant(home, in_process_django=False)
    yield r
    r.close()
    r.run.close(remove=True)


def course_processes(home: Path) -> list[psutil.Process]:
    """Every live service process started under ``home``: each run's processes as the reaper finds
    them (``reaper.processes_of_run``: recorded in the state file, their children, the run's marker
    in the environment, or a working folder in the run folder, as Redis's, whose process title hides
    its environment), and any process whose environment names this home and carries a run marker
    (one whose run folder is gone already)."""
    found = {}
    for run_dir in (home / "runs").glob("*"):
        for proc in reaper.processes_of_run(run_dir):
            found[proc.pid] = proc
    for proc in psutil.process_iter():
        try:
            env = proc.environ()
        except (psutil.Error, OSError):
            continue
        if env.get("ORDERUP_HOME") == str(home) and reaper.RUN_MARKER in env:
            found[proc.pid] = proc
    alive = []
    for proc in found.values():
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except psutil.Error:
            pass
    return alive


def names(procs: list[psutil.Process]) -> list[str]:
    out = []
    for p in procs:
        try:
            out.append(" ".join(p.cmdline())[:80])
        except psutil.Error:
            pass
    return out


@dataclass
class Outcome:
    """What one cell did: its printed text, and its error (ename, the lines shown) if it raised."""
    stdout: str = ""
    ename: str | None = None
    shown: str = ""


def run_cell(client, code: str, timeout: float = 120) -> Outcome:
    """Run ``code`` in the kernel behind ``client``: what it printed, and how it failed if it did."""
    out, stdout = Outcome(), []

    def hook(msg):
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream" and content["name"] == "stdout":
            stdout.append(content["text"])
        elif kind == "error":
            out.ename = content["ename"]
            out.shown = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(content["traceback"]))

    client.execute_interactive(code, timeout=timeout, output_hook=hook)
    out.stdout = "".join(stdout)
    return out


def execute(client, code: str, timeout: float = 120) -> str:
    """Run ``code`` in the kernel behind ``client``; return its stdout; raise if the cell raised."""
    done = run_cell(client, code, timeout)
    if done.ename:
        raise AssertionError(f"kernel cell failed:\n{done.ename}: {done.shown}")
    return done.stdout


class Kernel:
    """A real IPython kernel, started the way JupyterLab and nbval start one."""

    def __init__(self, home: Path, cwd: Path = ROOT / "notebooks"):
        from jupyter_client import KernelManager
        self.km = KernelManager(kernel_name="python3")
        env = {**os.environ, "ORDERUP_HOME": str(home)}
        self.km.start_kernel(env=env, cwd=str(cwd))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=180)  # a loaded machine (the suite at its start) can take a minute

    @property
    def pid(self) -> int:
        return self.km.provisioner.process.pid

    def run(self, code: str, timeout: float = 120) -> str:
        """Execute ``code``; return its stdout; raise if the cell raised."""
        return execute(self.kc, code, timeout)

    def run_notebook(self, path: Path, timeout: float = 180) -> None:
        """Run every code cell in order, as "Run All" does; stop at the first error."""
        import nbformat
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                self.run(cell.source, timeout=timeout)

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)

    def shutdown(self) -> None:
        try:
            self.kc.stop_channels()
        finally:
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=True)


@pytest.fixture
def kernels(home):
    """Start kernels with ``kernels()``; all are shut down (and their runs checked) afterwards."""
    started: list[Kernel] = []

    def start() -> Kernel:
        k = Kernel(home)
        started.append(k)
        return k

    yield start
    for k in started:
        k.shutdown()

