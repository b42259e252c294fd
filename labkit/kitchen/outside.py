"""The restaurant outside Jupyter, for your own editor, terminal and browser: `make restaurant`
(``python -m labkit.kitchen.outside``).

It starts a private Redis, then the worker, beat and Daphne under supervisord with the restaurant's
own program files (deploy/supervisor/) and its production settings (restaurant/production.py), as a
deployment runs them, and prints the address of table 5's page, the logs, and the variables that
let `python manage.py ...` in another terminal reach the same Redis and database.

Ctrl+C stops everything: supervisord stops each program within its grace period, then Redis stops.
Nothing outlives this process: its programs carry its run's mark, and the run's watchdog stops them
if this process is killed. A taken port is said plainly, with who holds it.
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys

from labkit.runtime.errors import LabkitError
from labkit.runtime.paths import course_home, course_root
from labkit.runtime.ports import port_is_free, who_listens_on
from labkit.runtime.run import Run
from labkit.runtime.waiting import wait_until
from labkit.services.redis import RedisServer
from labkit.services.supervisor import Supervisord, program_file

PROGRAMS = ("worker", "beat", "daphne")


def environment(redis: RedisServer, port: int) -> dict[str, str]:
    """What every program (and manage.py) reads: the production settings, this Redis, one database."""
    return {"DJANGO_SETTINGS_MODULE": "restaurant.production", "REDIS_URL": redis.url,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40), "RESTAURANT_PORT": str(port),
            "SQLITE_PATH": str(course_home() / "outside" / "restaurant.sqlite3")}


def write_env_file(run: Run, env: dict[str, str]):
    """The variables, for `set -a; . FILE; set +a` in another terminal: readable by this user only."""
    path = run.dir / "restaurant.env"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.writelines(f"{name}='{value}'\n" for name, value in env.items())
    return path


def open_outside(port: int) -> tuple[Run, RedisServer, Supervisord, dict]:
    """Redis, the database's tables, then the three programs under supervisord; ready when all run."""
    if not port_is_free(port):
        raise LabkitError(f"Port {port}, for Daphne, is taken by {who_listens_on(port)}.\n"
                          f"Stop that program, or choose another port: make restaurant PORT={port + 1}")
    run = Run()
    redis = RedisServer(run).start()
    env = environment(redis, port)
    (course_home() / "outside").mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=course_root(), check=True,
                   env={**os.environ, **env}, capture_output=True, text=True)
    manager = Supervisord(run, env, [program_file(p) for p in PROGRAMS], requires=[redis]).start()
    # supervisor calls a program RUNNING once it has lived startsecs; Daphne may not listen yet
    try:
        wait_until(lambda: _listening(port), timeout=60, what=f"for Daphne to listen on port {port}")
    except TimeoutError as late:
        close_outside(run, redis, manager)
        raise LabkitError(f"{late} Daphne's log ends:\n{manager.log_path_of('daphne').read_text()[-2000:]}") from None
    return run, redis, manager, env


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def close_outside(run: Run, redis: RedisServer, manager: Supervisord) -> None:
    manager.stop()  # supervisord stops its programs, each within its stopwaitsecs
    redis.stop()
    run.close()


def _as_ctrl_c(signum, frame):
    raise KeyboardInterrupt  # SIGTERM (a terminal closed, `kill`) closes the restaurant as Ctrl+C does


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make restaurant", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000),
                        help="Daphne's port on 127.0.0.1 (default 8000; or PORT=...)")
    port = parser.parse_args(argv).port
    try:
        run, redis, manager, env = open_outside(port)
    except (LabkitError, subprocess.CalledProcessError) as failed:
        print(f"The restaurant did not open: {failed}", file=sys.stderr)
        if isinstance(failed, subprocess.CalledProcessError):
            print(failed.stdout, failed.stderr, file=sys.stderr)
        return 1
    env_file = write_env_file(run, env)
    ctl = f"{sys.executable} -m supervisor.supervisorctl --configuration {manager.config_path}"
    print(f"The restaurant is open: http://127.0.0.1:{port}/table/5/\n\n"
          f"  programs:   {ctl} status   (or restart worker, tail -f worker, ...)\n"
          f"  logs:       {run.dir}/worker.log, beat.log, daphne.log\n"
          f"  manage.py:  in another terminal, in {course_root()}:\n"
          f"              set -a; . {env_file}; set +a; {sys.executable} manage.py shell\n\n"
          "Daphne answers anyone on this machine at that address, as manage.py runserver does.\n"
          "Ctrl+C stops everything.", flush=True)
    # Ctrl+C and SIGTERM close the restaurant, even where the shell that started this ignores SIGINT
    # (a background job's does, and Python then leaves it ignored)
    signal.signal(signal.SIGINT, _as_ctrl_c)
    signal.signal(signal.SIGTERM, _as_ctrl_c)
    try:
        manager.proc.wait()  # until Ctrl+C (or supervisord itself ends)
    except KeyboardInterrupt:
        print("\nClosing: the worker finishes the dishes in hand first.", flush=True)
    finally:
        close_outside(run, redis, manager)
    print("Closed: nothing of the restaurant is running.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
