"""Django's own tasks framework's worker (lesson 30): `python manage.py db_worker`, from
django-tasks-db, which runs the tasks its database backend keeps as rows of the project's database.
No broker: it asks the database for a ready task, and sleeps ``interval`` seconds when there is none."""
from __future__ import annotations

import re
import sys

from labkit.runtime.run import Run
from labkit.runtime.service import Service


class DbWorker(Service):
    """`manage.py db_worker`: takes ready tasks from the database's task table and runs them."""

    name = "db-worker"
    ready_timeout = 30.0
    advice = ("The database worker could not start. A task module that does not import stops it: "
              "read the traceback below, fix the code, run the cell again.")
    READY = re.compile(r"Starting worker worker_id=")

    def __init__(self, run: Run, env: dict, interval: float = 1.0, requires: list[Service] | None = None):
        super().__init__(run, {**env, "ORDERUP_PROGRAM": "db-worker"}, requires)
        self.options = {"interval": interval}

    def command(self) -> list[str]:
        # --no-reload: the default follows DEBUG, and a reloader would run the worker in a child process
        return [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
                f"--interval={self.options['interval']}"]

    def wait_until_ready(self) -> None:
        self.wait_for(lambda: self.READY.search(self.log_text()), "waiting for 'Starting worker'")
