"""Any Django project, run by the restaurant's programs: a description of it (``DjangoProject``), and the
worker, beat and Daphne pointed at it.

    DjangoProject(folder, celery_app="config", settings="config.settings.dev",
            asgi_application="config.asgi:application", queues=("reminders", "notifications"),
            environment={"REDIS_URL": "{redis_url}", "DJANGO_SECRET_KEY": "{secret}"})

Each program runs in the project's folder, as its README says to start it there (`celery -A config
worker -Q ...`, `daphne config.asgi:application`), with the environment the project reads. Nothing
of the course goes into the project's code: Daphne serves ``labkit.services.door:application``,
the project's own application behind the run's door key (door.py).
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from labkit.runtime.paths import REPO_ROOT
from labkit.runtime.run import Run
from labkit.runtime.service import Service
from labkit.services.celery import CeleryBeat, CeleryWorker
from labkit.services.web import Daphne


@dataclass(frozen=True)
class DjangoProject:
    """A Django project as its README runs it."""

    folder: Path                      # where manage.py is: every program runs there
    celery_app: str                   # celery -A <this>
    settings: str                     # DJANGO_SETTINGS_MODULE
    asgi_application: str             # daphne <this>
    queues: tuple[str, ...] = ()      # celery worker -Q <these> (none: Celery's default queue)
    # the variables the project reads, with placeholders labkit fills in for each run: {redis_url}
    # (with its database), {run_dir}, {allowed_hosts} (comma-separated), {secret} (new for each variable)
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return Path(self.folder).name

    def environment_for(self, redis_url: str, run_dir: Path, allowed_hosts: list[str]) -> dict[str, str]:
        """What every program of the project gets, for one run: its settings module and its variables."""
        values = {"redis_url": redis_url, "run_dir": str(run_dir), "allowed_hosts": ",".join(allowed_hosts)}
        return {"DJANGO_SETTINGS_MODULE": self.settings,
                **{name: value.format(**values, secret=secrets.token_urlsafe(32))
                   for name, value in self.environment.items()}}


def in_project(service: Service, project: DjangoProject) -> Service:
    """``service`` set to run ``project``: its Celery app, and its folder as the working folder and
    first on the import path (`python -m celery` and `python -m daphne` import from there)."""
    service.celery_app = project.celery_app
    service.code_root = service.cwd = Path(project.folder)
    return service


def worker(project: DjangoProject, run: Run, env: dict, requires: list[Service], concurrency: int) -> CeleryWorker:
    """`celery -A <app> worker -Q <queues>`, named as Celery names a worker by default (celery@host)."""
    return in_project(CeleryWorker(run, env, concurrency=concurrency, queues=list(project.queues),
                                   hostname="celery@%h", requires=requires), project)


def beat(project: DjangoProject, run: Run, env: dict, requires: list[Service]) -> CeleryBeat:
    """`celery -A <app> beat`, its schedule file in the run folder."""
    return in_project(CeleryBeat(run, env, requires=requires), project)


def daphne(project: DjangoProject, run: Run, env: dict, requires: list[Service], door_key: str) -> Daphne:
    """`daphne <asgi application>`, behind the door (door.py, which labkit's folder on the import
    path lets it import)."""
    path = os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))
    service = in_project(Daphne(run, {**env, "ORDERUP_ASGI_APPLICATION": project.asgi_application,
                                      "PYTHONPATH": path}, requires=requires, door_key=door_key), project)
    service.application = "labkit.services.door:application"
    return service
