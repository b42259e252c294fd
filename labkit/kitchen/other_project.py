"""Another Django project, opened by a kernel with the restaurant's guarantees: a private Redis (a
password, a free port on 127.0.0.1), the project's worker, beat and Daphne (behind a door key, each
in a session of its own), all in a run folder of their own whose watchdog stops them when the kernel
dies.

    clinic = labkit.open_project("clinic")   # Redis, manage.py migrate, the worker, beat and Daphne
    clinic                                   # the status table
    clinic.page("doctors/1/")                # a link for the browser, with the door key
    clinic.terminal("celery -A config inspect registered")   # typed in the project's folder
    labkit.close_project("clinic")

With ``copy=True`` the programs run from a copy of the project in the run folder, which ``edit``
changes line by line as an editor would (the capstone's planted faults, labkit/drills/clinic.py),
and ``restart`` starts the programs that run a changed file again.

The project's code runs only in its own programs: this kernel's Django stays the restaurant's
(kernel_django.py). A notebook reaches the project as a developer does: HTTP and WebSockets through
Daphne, commands in a terminal (``terminal``: manage.py, celery inspect, pytest).
"""
from __future__ import annotations

import importlib.util
import os
import secrets
import shlex
import shutil
from dataclasses import replace
from pathlib import Path

from labkit.kitchen import door_keys
from labkit.kitchen.small_machine import default_concurrency, make_room
from labkit.runtime import editing, reaper
from labkit.runtime.browser import Link
from labkit.runtime.errors import LabkitError
from labkit.runtime.paths import course_root
from labkit.runtime.ports import quiet_port
from labkit.runtime.run import Run
from labkit.runtime.service import Service, start_together
from labkit.runtime.tables import Table, fmt_duration
from labkit.runtime.typed import run_as_typed
from labkit.services import projects
from labkit.services.projects import DjangoProject
from labkit.services.redis import RedisServer, redis_url


def clinic() -> DjangoProject:
    """The course's second project, clinic/ (clinic/README.md: its commands and its variables)."""
    return DjangoProject(course_root() / "clinic", celery_app="config", settings="config.settings.dev",
                   asgi_application="config.asgi:application", queues=("reminders", "notifications"),
                   environment={"REDIS_URL": "{redis_url}", "DJANGO_SECRET_KEY": "{secret}",
                                "DJANGO_ALLOWED_HOSTS": "{allowed_hosts}", "LAB_API_TOKEN": "{secret}",
                                "SQLITE_PATH": "{run_dir}/clinic.sqlite3"})


PROJECTS = {"clinic": clinic}


def allowed_hosts() -> list[str]:
    """127.0.0.1 and localhost, and the hub's names behind Binder or JupyterHub, found as the
    restaurant's classroom finds them (restaurant/classroom/hosts.py, loaded from its file: importing
    the restaurant's package would set its Celery app up in this process)."""
    spec = importlib.util.spec_from_file_location("classroom_hosts", course_root() / "restaurant/classroom/hosts.py")
    hosts = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hosts)
    return [*hosts.LOCAL_HOSTS, *hosts.hub_hosts(os.environ)]


class OpenProject:
    """One project's programs for this kernel, in one private run folder."""

    def __init__(self, project: DjangoProject, home: Path | None = None, copy: bool = False):
        self.run = Run(home)
        self.original = Path(project.folder)
        self.copied = copy
        if copy:  # the programs run from a copy in the run folder: the course's files stay right
            shutil.copytree(self.original, self.run.dir / project.name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite3*"))
            project = replace(project, folder=self.run.dir / project.name)
        self.project = project
        # A Redis of its own, even where ORDERUP_USE_REDIS names one: the four databases it gives a
        # learner are the restaurant's, and a new day of the restaurant empties them (new_day.py)
        self.redis_port = quiet_port()  # named in the programs' environment before Redis binds it
        self.redis_password = secrets.token_urlsafe(24)
        self.door_key = secrets.token_urlsafe(16)
        self.run.state["door_key"] = self.door_key  # the front desk's links read it there
        self.run.state["project"] = project.name  # and its list of restaurants leaves this run out
        reaper.write_state(self.run.dir, self.run.state)
        self.environment = project.environment_for(
            f"{redis_url(self.redis_port, self.redis_password)}/0",
            self.run.dir, allowed_hosts())
        if copy:  # no bytecode cache: a line changed and changed back within a second still shows
            self.environment["PYTHONDONTWRITEBYTECODE"] = "1"
        self.redis: RedisServer | None = None
        self.worker = self.beat = self.daphne = None

    @property
    def name(self) -> str:
        return self.project.name

    @property
    def services(self) -> list[Service]:
        return [s for s in (self.redis, self.worker, self.beat, self.daphne) if s is not None]

    def start_redis(self) -> RedisServer:
        if self.redis is None:
            self.redis = RedisServer(self.run, port=self.redis_port, password=self.redis_password,
                                     port_was_picked=True)
        if not self.redis.running:
            make_room(self.run)
        return self.redis.start()

    def _worker(self, concurrency: int | None = None):
        if self.worker is None or not self.worker.running:
            self.worker = projects.worker(self.project, self.run, self.environment, [self.redis],
                                          concurrency or default_concurrency())
        return self.worker

    def _beat(self):
        if self.beat is None or not self.beat.running:
            self.beat = projects.beat(self.project, self.run, self.environment, [self.redis])
        return self.beat

    def _daphne(self):
        if self.daphne is None or not self.daphne.running:
            self.daphne = projects.daphne(self.project, self.run, self.environment, [self.redis], self.door_key)
        return self.daphne

    def start_worker(self, concurrency: int | None = None):
        self.start_redis()
        return self._worker(concurrency).start()

    def start_beat(self):
        self.start_redis()
        return self._beat().start()

    def start_daphne(self):
        self.start_redis()
        daphne = self._daphne().start()
        door_keys.register(daphne.port, self.door_key)
        return daphne

    def open(self, worker: bool = True, beat: bool = True, daphne: bool = True,
             concurrency: int | None = None) -> OpenProject:
        """Start Redis, create the database's tables (manage.py migrate), then the worker, beat and
        Daphne side by side. Safe to run again: what runs is kept."""
        self.start_redis()
        self.terminal("python manage.py migrate --noinput", check=True)
        start_together([*([self._worker(concurrency)] if worker else []), *([self._beat()] if beat else []),
                        *([self._daphne()] if daphne else [])])
        if self.daphne is not None and self.daphne.running:
            door_keys.register(self.daphne.port, self.door_key)
        return self

    def close(self) -> OpenProject:
        """Stop every program, Daphne first and Redis last. The run folder (logs) stays."""
        for service in (self.daphne, self.beat, self.worker, self.redis):
            if service is not None:
                service.stop()
        return self

    def restart(self, *programs: str) -> None:
        """Stop and start ``programs`` ("worker", "beat", "daphne"): a program reads its code once, when
        it starts."""
        known = {"worker": self._worker, "beat": self._beat, "daphne": self._daphne}
        if not programs or any(p not in known for p in programs):
            raise LabkitError(f"restart which program? name one or more of {', '.join(map(repr, known))}")
        for name in programs:
            if getattr(self, name) is not None:
                getattr(self, name).stop()
        start_together([known[name]() for name in programs])
        if "daphne" in programs:
            door_keys.register(self.daphne.port, self.door_key)

    # -- the files (of the copy: labkit.open_project(..., copy=True)) -------------------------------
    def path(self, file: str = "") -> Path:
        """``file`` (relative to the project's folder) where the programs read it."""
        return Path(self.project.folder) / file

    def edit(self, file: str, old: str, new: str) -> None:
        """Replace the first ``old`` in ``file`` with ``new``, as an editor would."""
        if not self.copied:
            raise LabkitError(f"{self.name} runs from the course's own files: open it with "
                              f"labkit.open_project({self.name!r}, copy=True) to change a copy.")
        editing.edit(self.path(file), old, new, file)

    def restore(self, file: str) -> None:
        """``file`` of the copy made as the course's again."""
        shutil.copy2(self.original / file, self.path(file))

    def line_of(self, file: str, text: str) -> int | None:
        """The number of the first line of ``file`` that holds ``text``."""
        return editing.line_of(self.path(file), text)

    def changed(self, file: str) -> bool:
        """Whether ``file`` of the copy differs from the course's."""
        return self.path(file).read_bytes() != (self.original / file).read_bytes()

    def terminal(self, command: str, check: bool = False, timeout: float = 120) -> str:
        """Run ``command`` as typed in a terminal in the project's folder, with the project's
        environment (``python manage.py loaddata doctors``, ``celery -A config inspect registered``):
        what it printed. ``python``, ``celery``, ``daphne`` and ``pytest`` are the course's own.
        ``check``: a command that fails raises, with its output."""
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the kernel's only
        env = {**env, **self.environment, reaper.RUN_MARKER: self.run.id}  # reaped with the run's programs
        return run_as_typed(command, self.project.folder, env, timeout=timeout, check=check)

    def celery(self, *args: str, timeout: float = 30) -> str:
        """`celery -A <its app> ARGS` in the project's folder, as the restaurant's ``kitchen.celery``:
        ``clinic.celery("inspect", "registered")``."""
        return self.terminal(shlex.join(["celery", "-A", self.project.celery_app, *args]), timeout=timeout).rstrip()

    # -- where the browser and the notebook's clients go ---------------------------------------------
    def _running_daphne(self):
        if self.daphne is None or not self.daphne.running:
            raise LabkitError(f"Daphne is not running: labkit.open_project({self.name!r}) starts it.")
        return self.daphne

    def url(self, path: str = "") -> str:
        """``path`` on Daphne, from this machine (WebClient adds the door key itself)."""
        return f"{self._running_daphne().url}/{path.lstrip('/')}"

    def page(self, path: str = "") -> Link:
        """A link to ``path`` for the learner's browser, with the door key."""
        return Link(self._running_daphne().browser_url(path), f"{self.name}: /{path.lstrip('/')}")

    # -- looking at it -------------------------------------------------------------------------------
    def status(self) -> Table:
        rows = [{"service": s.name, "state": s.state, "process": f"pid {s.pid}" if s.running else "",
                 "address": f"127.0.0.1:{s.port}" if s.running and s.port else "",
                 "up": fmt_duration(s.uptime) if s.running else "", "command": s.command_line}
                for s in self.services]
        return Table(rows, ["service", "state", "process", "address", "up", "command"], title=self.name)

    def _repr_html_(self) -> str:
        return self.status()._repr_html_()

    def __repr__(self) -> str:
        return repr(self.status())


_open: dict[str, OpenProject] = {}


def open_project(project: str | DjangoProject = "clinic", copy: bool = False, **options) -> OpenProject:
    """Open a project for this kernel: "clinic" (the course's), or a DjangoProject of your own; with
    ``copy``, its programs run from a new copy of it, which ``edit`` changes. Safe to run again: what
    runs from the project's own folder is kept, a copy made anew."""
    if isinstance(project, str):
        if project not in PROJECTS:
            raise LabkitError(f"No project called {project!r}: labkit knows {', '.join(PROJECTS)}, "
                              "or give it a labkit.DjangoProject(...) of your own.")
        project = PROJECTS[project]()
    opened = _open.get(project.name)
    if opened is not None and (copy or opened.copied):
        # a copy starts afresh each time (a notebook run again, or after lines of it were changed):
        # a new copy, new programs, new logs
        opened.close()
        opened.run.close(remove=True)
        opened = None
    if opened is None:
        _open[project.name] = OpenProject(project, copy=copy)
    return _open[project.name].open(**options)


def close_project(name: str = "clinic") -> None:
    """Stop every program of that project this kernel started."""
    if name in _open:
        _open[name].close()
