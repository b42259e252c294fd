"""Flower, the kitchen's monitor: a web page that watches the workers and their tasks live."""
from __future__ import annotations

import json
import os
import re
import sys

from labkit.runtime import unix_http
from labkit.runtime.browser import Link, jupyter_base_url
from labkit.runtime.run import Run
from labkit.runtime.service import Service


class Flower(Service):
    """`celery -A restaurant flower`: a web page that watches the workers and their tasks live,
    from the events the workers publish and from `celery inspect` calls it makes itself.

    Flower can revoke tasks and shut workers down, so it has no TCP port, which every user of a
    shared machine could reach: it listens on a Unix socket in the run folder (mode 0700), which only
    this user's programs can open. The browser reaches it through the Jupyter server's named entry
    <base_url>flower/ (the front desk, ``labkit/kitchen/front_desk.py``, passes each request on), so only
    someone logged in to this user's Jupyter server gets there. Flower writes absolute links, so it
    is told that prefix (--url_prefix)."""

    name = "flower"
    ready_timeout = 30.0
    advice = "Flower could not start: read its log below."
    ENTRY = "flower"  # the named entry in binder/jupyter_server_config.py

    def __init__(self, run: Run, env: dict, requires: list[Service] | None = None):
        # Flower 2 serves its API only to a logged-in user unless told otherwise: the socket, which
        # only this user can open, is the lock here
        super().__init__(run, {**env, "FLOWER_UNAUTHENTICATED_API": "true", "ORDERUP_PROGRAM": "flower"}, requires)
        self.options = {}
        self.socket = run.socket_path("flower.sock")
        self.url_prefix = ""

    def prepare(self) -> None:
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
                "serve it on a port of this machine yourself: "
                "python -m labkit.kitchen.front_desk --show flower --port 5555")

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
