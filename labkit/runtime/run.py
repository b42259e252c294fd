"""A run: one kernel's private folder (logs, config, database, sockets), a state file of the
services it started, and a watchdog that stops them when the kernel dies (``reaper.py``)."""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

from labkit.runtime import reaper
from labkit.runtime.paths import course_home


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

    def record(self, service) -> None:
        """Write down a started service (a runtime Service) in the state file, for the watchdog."""
        self.state["services"][service.name] = {
            "pid": service.pid,
            "started": service.process_started,
            "port": service.port,
            "socket": str(service.socket) if getattr(service, "socket", None) else None,
            "log": str(service.log_path),
        }
        reaper.write_state(self.dir, self.state)

    def forget(self, service) -> None:
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
