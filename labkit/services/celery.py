"""Celery's programs: the worker (the cook), which takes tickets off the rail and runs them, and beat
(the kitchen's timer), which drops tickets on the rail on a schedule."""
from __future__ import annotations

import re
import sys

from labkit.runtime.run import Run
from labkit.runtime.service import Service

#: what kombu logs when the broker does not answer; the worker would retry for minutes
CANNOT_CONNECT = re.compile(r"Cannot connect to redis://\S+: (.*)")


def ready_or_broker_down(service: Service, ready: re.Pattern):
    """A wait condition: the ready line, or a failure as soon as the broker refuses us."""
    def check():
        text = service.log_text()
        if ready.search(text):
            return True
        refused = CANNOT_CONNECT.search(text)
        if refused:
            raise service.failure(f"cannot reach Redis ({refused.group(1).strip().rstrip('.')})",
                                  "Is Redis running? kitchen.start_redis() starts it.")
        return False
    return check


class CeleryWorker(Service):
    """`celery -A restaurant worker`: a separate program that takes tickets off the rail and cooks."""

    name = "worker"
    celery_app = "restaurant"  # celery -A <this> (another project's: labkit/services/projects.py)
    ready_timeout = 60.0
    advice = ("The worker could not start. A task module that does not import (a syntax error, a "
              "missing name) stops it: read the traceback below, fix the code, run the cell again.")

    def __init__(self, run: Run, env: dict, concurrency: int = 2, pool: str = "prefork",
                 queues: list[str] | None = None, hostname: str = "cook@%h",
                 extra_args: list[str] | None = None, name: str | None = None,
                 requires: list[Service] | None = None, settings: dict | None = None,
                 include: tuple[str, ...] = ()):
        """``settings``: extra environment for this worker only (ORDERUP_VISIBILITY_TIMEOUT=3, ...);
        ``include``: more modules to import at start (a learner's own, kitchen/your_code.py)."""
        if name:
            self.name = name
        super().__init__(run, {**env, **(settings or {}), "ORDERUP_PROGRAM": "worker"}, requires)
        self.options = dict(concurrency=concurrency, pool=pool, queues=tuple(queues or ()),
                            hostname=hostname, extra_args=tuple(extra_args or ()),
                            settings=tuple(sorted((settings or {}).items())), include=tuple(include))

    def command(self) -> list[str]:
        o = self.options
        cmd = [sys.executable, "-m", "celery", "-A", self.celery_app, "worker", "--loglevel=INFO",
               f"--pool={o['pool']}", f"--concurrency={o['concurrency']}", f"--hostname={o['hostname']}",
               # no other workers to sync with at start-up: skip the one-second mingle
               "--without-mingle", "--without-gossip"]
        if o["queues"]:
            cmd.append("--queues=" + ",".join(o["queues"]))
        if o["include"]:
            cmd.append("--include=" + ",".join(o["include"]))
        return cmd + list(o["extra_args"])

    READY = re.compile(r"@\S+ ready\.$", re.MULTILINE)

    @property
    def pool_pids(self) -> list[int]:
        """The pool's processes, which run the tasks (the main process only fetches and hands out)."""
        return [p.pid for p in self.processes()[1:]]

    def wait_until_ready(self) -> None:
        self.wait_for(ready_or_broker_down(self, self.READY), "waiting for the 'ready.' line")


class CeleryBeat(Service):
    """`celery -A restaurant beat`: drops tickets on the rail on a schedule; it never cooks."""

    name = "beat"
    celery_app = "restaurant"
    ready_timeout = 30.0
    advice = "Beat could not start: read its log below."

    def __init__(self, run: Run, env: dict, extra_args: list[str] | None = None, name: str | None = None,
                 requires: list[Service] | None = None, settings: dict | None = None):
        if name:
            self.name = name
        super().__init__(run, {**env, **(settings or {}), "ORDERUP_PROGRAM": "beat"}, requires)
        self.options = dict(extra_args=tuple(extra_args or ()), settings=tuple(sorted((settings or {}).items())))

    def command(self) -> list[str]:
        return [sys.executable, "-m", "celery", "-A", self.celery_app, "beat", "--loglevel=INFO",
                f"--schedule={self.run.dir / (self.name + '-schedule')}",
                *self.options["extra_args"]]

    READY = re.compile(r"beat: Starting\.\.\.")

    def wait_until_ready(self) -> None:
        self.wait_for(ready_or_broker_down(self, self.READY), "waiting for 'beat: Starting...'")
