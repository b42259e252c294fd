"""The web processes: Daphne (the door: pages, the waiter's views and the buzzers' WebSockets),
Uvicorn serving the same ASGI application (lesson 27), lesson 01's one-waiter (Django's
development server without threads, one request at a time), and lesson 27's `manage.py runserver`
(Django's, or Daphne's with "daphne" in INSTALLED_APPS)."""
from __future__ import annotations

import re
import sys

from labkit.runtime.browser import browser_url, proxy_base, with_key
from labkit.runtime.ports import free_port, port_accepts, require_free
from labkit.runtime.run import Run
from labkit.runtime.service import Service


class Daphne(Service):
    """`daphne restaurant.classroom.asgi:application` (the restaurant's application behind the door):
    serves the pages and keeps the buzzers' WebSockets open."""

    name = "daphne"
    # what it serves: the restaurant's behind the door (another project's: labkit/services/projects.py)
    application = "restaurant.classroom.asgi:application"
    ready_timeout = 30.0
    advice = "Daphne could not start: read its log below (an import error in asgi.py or consumers.py?)."
    LISTENING = re.compile(r"Listening on TCP address 127\.0\.0\.1:(\d+)")

    def __init__(self, run: Run, env: dict, port: int | None = None, root_path: str = "",
                 requires: list[Service] | None = None, settings: dict | None = None,
                 door_key: str = ""):
        """``settings``: extra environment for this Daphne only (ORDERUP_FAULT_LAYER=memory).
        ``door_key``: requests without it are refused (restaurant/classroom/door.py)."""
        super().__init__(run, {**env, **(settings or {}), "ORDERUP_DOOR_KEY": door_key, "ORDERUP_PROGRAM": "web"},
                         requires)
        self.door_key = door_key
        self.options = dict(port=port, root_path=root_path,
                            settings=tuple(sorted((settings or {}).items())))

    def command(self) -> list[str]:
        # port 0: the operating system picks a free port and Daphne logs which (no race)
        cmd = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.options["port"] or 0)]
        if self.options["root_path"]:
            cmd += ["--root-path", self.options["root_path"]]
        return cmd + [self.application]

    def prepare(self) -> None:
        if self.options["port"]:
            require_free(self.options["port"], "Daphne")

    def wait_until_ready(self) -> None:
        self.port = int(self.wait_for_log(self.LISTENING).group(1))
        self.run.record(self)

    @property
    def url(self) -> str:
        """Daphne's address from this machine (the kernel, tests); browsers: ``browser_url``."""
        return f"http://127.0.0.1:{self.port}"

    def socket_url(self, path: str) -> str:
        """A WebSocket address on this Daphne, with the door key."""
        return with_key(f"ws://127.0.0.1:{self.port}/{path.lstrip('/')}", self.door_key)

    def browser_url(self, path: str = "") -> str:
        """Where the learner's browser finds ``path``. On a laptop: straight to Daphne, with the door
        key (the page keeps it as a cookie for its own requests). Under a Jupyter server (Binder,
        JupyterHub): the front desk's link for this run, <base_url>orderup/run/<run>/<path>, which
        sends the browser on to this Daphne with the key, or says the restaurant is closed."""
        base = proxy_base()
        if base is not None:
            return f"{base.rstrip('/')}/orderup/run/{self.run.id}/{path.lstrip('/')}"
        return with_key(browser_url(self.port, path), self.door_key)


class Uvicorn(Daphne):
    """`uvicorn restaurant.classroom.asgi:application`: another ASGI server for the same application,
    the same consumers and the same door; only the program that speaks HTTP and WebSocket changes."""

    name = "uvicorn"
    advice = "Uvicorn could not start: read its log below (an import error in asgi.py or consumers.py?)."
    LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")

    def command(self) -> list[str]:
        # port 0 as for Daphne: Uvicorn logs the port it got. Django's ASGI handler does not speak
        # the lifespan protocol (start-up and shut-down events), so Uvicorn is told not to ask.
        cmd = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(self.options["port"] or 0),
               "--ws", "websockets-sansio", "--lifespan", "off"]
        if self.options["root_path"]:
            cmd += ["--root-path", self.options["root_path"]]
        return cmd + [self.application]


class OneWaiter(Service):
    """Django's development server without threads: a WSGI web process that answers one request at
    a time, as one gunicorn sync worker does. Lesson 01 shows what a slow view does to the queue."""

    name = "one-waiter"
    ready_timeout = 30.0
    port_tries = 3  # it is given a free port, which can be taken before it binds it
    advice = "The development server could not start: read its log below."

    def __init__(self, run: Run, env: dict, requires: list[Service] | None = None, door_key: str = ""):
        super().__init__(run, {**env, "ORDERUP_DOOR_KEY": door_key, "ORDERUP_PROGRAM": "web"}, requires)
        self.door_key = door_key
        self.options = {}

    def command(self) -> list[str]:
        return [sys.executable, "manage.py", "runserver", "--nothreading", "--noreload",
                "--skip-checks", f"127.0.0.1:{self.port}"]

    def prepare(self) -> None:
        self.port = free_port()

    def wait_until_ready(self) -> None:
        self.wait_for(lambda: port_accepts(self.port), f"waiting for port {self.port} to accept connections")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class DevServer(OneWaiter):
    """`manage.py runserver` as a project runs it in development (with threads, without the reloader).
    Django's own is a WSGI server; with "daphne" in INSTALLED_APPS (``daphne_app``: the classroom's
    settings add it when ORDERUP_DAPHNE_APP=1), Daphne's runserver command replaces it and serves the
    ASGI application, WebSockets too (lesson 27)."""

    name = "runserver"

    def __init__(self, run: Run, env: dict, requires: list[Service] | None = None, door_key: str = "",
                 daphne_app: bool = False):
        super().__init__(run, {**env, "ORDERUP_DAPHNE_APP": "1"} if daphne_app else env, requires, door_key)
        self.options = {"daphne_app": daphne_app}

    def command(self) -> list[str]:
        return [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{self.port}"]

    socket_url = Daphne.socket_url  # the same door key in the address, for labkit.Buzzer
