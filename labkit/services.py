"""The restaurant's programs besides Redis: the Celery worker (cook), beat (timer), Daphne (door)
and Flower (the kitchen's monitor)."""
from __future__ import annotations

import json
import os
import re
import sys

from . import doors, unix_http
from .browser import Link, browser_url, jupyter_base_url, proxy_base
from .ports import free_port, port_accepts, require_free
from .processes import Run, Service


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
    ready_timeout = 60.0
    advice = ("The worker could not start. A task module that does not import (a syntax error, a "
              "missing name) stops it: read the traceback below, fix the code, run the cell again.")

    def __init__(self, run: Run, env: dict, concurrency: int = 2, pool: str = "prefork",
                 queues: list[str] | None = None, hostname: str = "cook@%h",
                 extra_args: list[str] | None = None, name: str | None = None,
                 requires: list[Service] | None = None, settings: dict | None = None):
        """``settings``: extra environment for this worker only (ORDERUP_VISIBILITY_TIMEOUT=3, ...)."""
        if name:
            self.name = name
        super().__init__(run, {**env, **(settings or {})}, requires)
        self.options = dict(concurrency=concurrency, pool=pool, queues=tuple(queues or ()),
                            hostname=hostname, extra_args=tuple(extra_args or ()),
                            settings=tuple(sorted((settings or {}).items())))

    def command(self) -> list[str]:
        o = self.options
        cmd = [sys.executable, "-m", "celery", "-A", "restaurant", "worker", "--loglevel=INFO",
               f"--pool={o['pool']}", f"--concurrency={o['concurrency']}", f"--hostname={o['hostname']}",
               # no other workers to sync with at start-up: skip the one-second mingle
               "--without-mingle", "--without-gossip"]
        if o["queues"]:
            cmd.append("--queues=" + ",".join(o["queues"]))
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
    ready_timeout = 30.0
    advice = "Beat could not start: read its log below."

    def __init__(self, run: Run, env: dict, extra_args: list[str] | None = None, name: str | None = None,
                 requires: list[Service] | None = None):
        if name:
            self.name = name
        super().__init__(run, env, requires)
        self.options = dict(extra_args=tuple(extra_args or ()))

    def command(self) -> list[str]:
        return [sys.executable, "-m", "celery", "-A", "restaurant", "beat", "--loglevel=INFO",
                f"--schedule={self.run.dir / (self.name + '-schedule')}",
                *self.options["extra_args"]]

    READY = re.compile(r"beat: Starting\.\.\.")

    def wait_until_ready(self) -> None:
        self.wait_for(ready_or_broker_down(self, self.READY), "waiting for 'beat: Starting...'")


class Daphne(Service):
    """`daphne restaurant.asgi:application`: serves the pages and keeps the buzzers' WebSockets open."""

    name = "daphne"
    ready_timeout = 30.0
    advice = "Daphne could not start: read its log below (an import error in asgi.py or consumers.py?)."
    LISTENING = re.compile(r"Listening on TCP address 127\.0\.0\.1:(\d+)")

    def __init__(self, run: Run, env: dict, port: int | None = None, root_path: str = "",
                 requires: list[Service] | None = None, settings: dict | None = None,
                 door_key: str = ""):
        """``settings``: extra environment for this Daphne only (ORDERUP_CHANNEL_LAYER=memory).
        ``door_key``: requests without it are refused (restaurant/door.py)."""
        super().__init__(run, {**env, **(settings or {}), "ORDERUP_DOOR_KEY": door_key}, requires)
        self.door_key = door_key
        self.options = dict(port=port, root_path=root_path,
                            settings=tuple(sorted((settings or {}).items())))

    def command(self) -> list[str]:
        # port 0: the operating system picks a free port and Daphne logs which (no race)
        cmd = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.options["port"] or 0)]
        if self.options["root_path"]:
            cmd += ["--root-path", self.options["root_path"]]
        return cmd + ["restaurant.asgi:application"]

    def before_launch(self) -> None:
        if self.options["port"]:
            require_free(self.options["port"], "Daphne")

    def wait_until_ready(self) -> None:
        self.port = int(self.wait_for_log(self.LISTENING).group(1))
        doors.register(self.port, self.door_key)
        self.run.record(self)

    @property
    def url(self) -> str:
        """Daphne's address from this machine (the kernel, tests); browsers: ``browser_url``."""
        return f"http://127.0.0.1:{self.port}"

    def socket_url(self, path: str) -> str:
        """A WebSocket address on this Daphne, with the door key."""
        return doors.with_key(f"ws://127.0.0.1:{self.port}/{path.lstrip('/')}", self.door_key)

    def browser_url(self, path: str = "") -> str:
        """Where the learner's browser finds ``path``. On a laptop: straight to Daphne, with the door
        key (the page keeps it as a cookie for its own requests). Under a Jupyter server (Binder,
        JupyterHub): the front desk's link for this run, <base_url>orderup/run/<run>/<path>, which
        sends the browser on to this Daphne with the key, or says the restaurant is closed."""
        base = proxy_base()
        if base is not None:
            return f"{base.rstrip('/')}/orderup/run/{self.run.id}/{path.lstrip('/')}"
        return doors.with_key(browser_url(self.port, path), self.door_key)


class OneWaiter(Service):
    """Django's development server without threads: a WSGI web process that answers one request at
    a time, as one gunicorn sync worker does. Lesson 01 shows what a slow view does to the queue."""

    name = "one-waiter"
    ready_timeout = 30.0
    advice = "The development server could not start: read its log below."

    def __init__(self, run: Run, env: dict, requires: list[Service] | None = None, door_key: str = ""):
        super().__init__(run, {**env, "ORDERUP_DOOR_KEY": door_key}, requires)
        self.door_key = door_key
        self.options = {}

    def command(self) -> list[str]:
        return [sys.executable, "-m", "django", "runserver", "--nothreading", "--noreload",
                "--skip-checks", f"127.0.0.1:{self.port}"]

    def before_launch(self) -> None:
        self.port = free_port()

    def wait_until_ready(self) -> None:
        self.wait_for(lambda: port_accepts(self.port), f"waiting for port {self.port} to accept connections")
        doors.register(self.port, self.door_key)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Flower(Service):
    """`celery -A restaurant flower`: a web page that watches the workers and their tasks live,
    from the events the workers publish and from `celery inspect` calls it makes itself.

    Flower can revoke tasks and shut workers down, so it has no TCP port, which every user of a
    shared machine could reach: it listens on a Unix socket in the run folder (mode 0700), which only
    this user's programs can open. The browser reaches it through the Jupyter server's named entry
    <base_url>flower/ (the front desk, ``labkit/frontdesk.py``, passes each request on), so only
    someone logged in to this user's Jupyter server gets there. Flower writes absolute links, so it
    is told that prefix (--url_prefix)."""

    name = "flower"
    ready_timeout = 30.0
    advice = "Flower could not start: read its log below."
    ENTRY = "flower"  # the named entry in binder/jupyter_server_config.py

    def __init__(self, run: Run, env: dict, requires: list[Service] | None = None):
        # Flower 2 serves its API only to a logged-in user unless told otherwise: the socket, which
        # only this user can open, is the lock here
        super().__init__(run, {**env, "FLOWER_UNAUTHENTICATED_API": "true"}, requires)
        self.options = {}
        self.socket = run.socket_path("flower.sock")
        self.url_prefix = ""

    def before_launch(self) -> None:
        base = jupyter_base_url()
        if base is not None or os.environ.get("ORDERUP_BROWSER") == "proxy":
            self.url_prefix = f"{(base or '/').rstrip('/')}/{self.ENTRY}"
        else:
            self.url_prefix = ""
        self.socket.unlink(missing_ok=True)  # left by a Flower that was killed

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "celery", "-A", "restaurant", "flower", f"--unix_socket={self.socket}"]
        if self.url_prefix:
            cmd.append(f"--url_prefix={self.url_prefix}")
        return cmd

    # its event listener is connected to the broker: from now on it hears every event
    LISTENING = re.compile(r"Connected to \S+")

    def wait_until_ready(self) -> None:
        self.wait_for(lambda: unix_http.accepts(self.socket), f"waiting for {self.socket} to accept connections")
        self.wait_for_log(self.LISTENING)
        self.run.record(self)

    @property
    def browser_url(self) -> str | None:
        """Where the learner's browser finds Flower: the Jupyter server's flower/ entry (None
        when no Jupyter server runs this kernel: then nothing but this user's programs can)."""
        return self.url_prefix + "/" if self.url_prefix else None

    def link(self) -> Link | str:
        if self.browser_url:
            return Link(self.browser_url, "Flower")
        return (f"Flower listens on the Unix socket {self.socket}, which a browser cannot open. "
                "Run the notebook in JupyterLab (`make lab`) and open Flower from the launcher, or "
                "serve it on a port of this machine yourself: python -m labkit.frontdesk --show flower --port 5555")

    def get(self, path: str) -> tuple[int, bytes]:
        """GET ``path`` (under Flower's prefix) over its socket: (status, body)."""
        status, _, body = unix_http.request(self.socket, "GET", f"{self.url_prefix}/{path.lstrip('/')}")
        return status, body

    def api(self, path: str):
        """GET Flower's HTTP API (``"tasks"``, ``"workers?refresh=1"``); JSON."""
        status, body = self.get("api/" + path)
        if status != 200:
            raise self.failure(f"answered {status} to api/{path}: {body[:200]!r}")
        return json.loads(body)
