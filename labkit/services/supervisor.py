"""supervisord: the process manager a deployment runs the restaurant's programs under, with the
restaurant's own program files (deploy/supervisor/worker.conf, beat.conf, daphne.conf).

    manager = Supervisord(run, env, [program_file("worker")]).start()   # ready once each program runs
    print(manager.ctl("status"))                                   # supervisorctl, as typed
    manager.ctl("restart", "worker")                               # stop (its grace period), start

It starts like every other program of the course: its own session, its log in the run folder,
stopped with the run (and by the run's watchdog: its programs carry the run's mark in their
environment). Its control socket is a Unix socket in the run's private folder; labkit writes the
supervisord sections (where its socket and logs go), the restaurant's files say how each program runs.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from labkit.runtime.paths import course_root
from labkit.runtime.run import Run
from labkit.runtime.service import Service

PROGRAM_FILES = course_root() / "deploy" / "supervisor"


def program_file(name: str) -> Path:
    """The restaurant's file for program ``name``: worker, beat or daphne."""
    return PROGRAM_FILES / f"{name}.conf"


class Supervisord(Service):
    name = "supervisor"
    ready_timeout = 60.0
    advice = "supervisord or one of its programs did not start: read its log and the programs' logs."

    def __init__(self, run: Run, env: dict, files: list[Path], requires: list[Service] | None = None):
        """``files``: the programs' files (program_file("worker"), or a copy of one): each names one
        program after itself (worker.conf: [program:worker])."""
        super().__init__(run, env, requires)
        self.files = [Path(f) for f in files]
        self.programs = [f.stem for f in self.files]
        self.config_path = run.dir / "supervisord.conf"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "supervisor.supervisord", "--configuration", str(self.config_path)]

    @property
    def socket_path(self) -> Path:
        return self.run.socket_path("supervisor.sock")

    def prepare(self) -> None:
        """supervisord's own sections, and the programs' files."""
        files = " ".join(str(f) for f in self.files)
        self.config_path.write_text(
            "[supervisord]\nnodaemon=true\n"
            f"logfile={self.run.dir / 'supervisord.log'}\npidfile={self.run.dir / 'supervisord.pid'}\n"
            f"childlogdir={self.run.dir}\n\n"
            f"[unix_http_server]\nfile={self.socket_path}\nchmod=0700\n\n"
            "[rpcinterface:supervisor]\n"
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
            f"[supervisorctl]\nserverurl=unix://{self.socket_path}\n\n"
            f"[include]\nfiles = {files}\n")

    def environment(self) -> dict:
        env = super().environment()
        env.setdefault("VIRTUAL_ENV", sys.prefix)  # the restaurant's files run its programs from there
        env.setdefault("RESTAURANT_LOG_DIR", str(self.run.dir))
        env.setdefault("RESTAURANT_STATE_DIR", str(self.run.dir))
        return env

    def stop(self, timeout: float = 90.0) -> None:
        """SIGTERM: supervisord stops each program within its own grace period (stopwaitsecs), then
        exits; SIGKILL for everything only after ``timeout``."""
        super().stop(timeout=timeout)

    def ctl(self, *args: str, timeout: float = 120) -> str:
        """``supervisorctl ARGS`` against this supervisord: what it printed."""
        done = subprocess.run([sys.executable, "-m", "supervisor.supervisorctl", "--configuration",
                               str(self.config_path), *args], capture_output=True, text=True, timeout=timeout)
        return (done.stdout + done.stderr).rstrip()

    def states(self) -> dict[str, str]:
        """Each program's state, as `supervisorctl status` says it: {"worker": "RUNNING", ...}."""
        lines = self.ctl("status", timeout=10).splitlines() if self.running else []
        return {line.split()[0]: line.split()[1] for line in lines if len(line.split()) > 1}

    def program_pid(self, name: str) -> int | None:
        """The pid of program ``name``, as supervisorctl gives it (0 or None: not running)."""
        answer = self.ctl("pid", name, timeout=10).strip()
        return int(answer) if answer.isdigit() and int(answer) > 0 else None

    def wait_until_ready(self) -> None:
        self.wait_for(lambda: all(self.states().get(p) == "RUNNING" for p in self.programs),
                      f"waiting for {', '.join(self.programs)} to be RUNNING")

    def log_path_of(self, program: str) -> Path:
        return Path(self.environment()["RESTAURANT_LOG_DIR"]) / f"{program}.log"
