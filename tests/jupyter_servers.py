"""A real `jupyter server` for tests: a base_url, token auth, jupyter-server-proxy, folders of its
own, and optionally another Unix user, as Binder and JupyterHub run one per learner."""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

from labkit.runtime.ports import free_port
from labkit.runtime.waiting import wait_until

from conftest import ROOT


class Answer(NamedTuple):
    status: int
    headers: dict
    body: bytes


class JupyterServer:
    def __init__(self, home: Path, base_url: str, env: dict, extra_args: tuple = (),
                 local_hostnames: tuple = (), user: str | None = None, python: str = sys.executable,
                 root_dir: Path = ROOT, course_config: bool = True, log_dir: Path | None = None):
        """``home``: the server's HOME (and course home). ``user``: run as that Unix user (with
        ``python``, an environment that user can read); the caller is then root. ``root_dir``: the
        folder its file browser shows (a copy of the course, for a test that saves notebooks).
        ``course_config``: load binder/jupyter_server_config.py from this checkout (False: only what
        the environment's own etc/jupyter holds, as after Binder's build)."""
        self.base_url, self.token, self.port = base_url, "orderup-test-token", free_port()
        self.runtime = home / "jupyter-runtime"
        self.log_path = (log_dir or home.parent) / f"jupyter-server-{home.name}.log"
        self.log = self.log_path.open("w")
        environment = {**os.environ, **env, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(self.runtime),
                       "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"), "ORDERUP_HOME": str(home)}
        command = [python, "-m", "jupyter", "server", "--no-browser", "--ip=127.0.0.1",
                   f"--port={self.port}", f"--ServerApp.base_url={base_url}",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root_dir}",
                   # Jupyter checks the Host header, as Django does: a hub's public name must pass
                   f"--ServerApp.local_hostnames={json.dumps(['localhost', *local_hostnames])}",
                   *extra_args]
        if course_config:  # the course's named entries (orderup/, flower/), as Binder and a hub install them
            command.append(f"--config={ROOT / 'binder' / 'jupyter_server_config.py'}")
        if user is None:
            home.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                command.append("--allow-root")
        else:
            # a login environment of that user's own: nothing of root's but the variables we pass
            # (no ORDERUP_HOME: the course uses its default, ~/.cache/orderup, as on Binder)
            keep = {k: v for k, v in environment.items()
                    if k.startswith(("ORDERUP_", "JUPYTER", "LANG", "PYTHONPATH")) and k != "ORDERUP_HOME"}
            environment = {**keep, "HOME": str(home), "USER": user, "LOGNAME": user,
                           "PATH": f"{Path(python).parent}:/usr/bin:/bin"}
            command = [shutil.which("runuser") or "runuser", "--preserve-environment", "-u", user, "--", *command]
        self.proc = subprocess.Popen(command, env=environment, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_until(self.answers, timeout=90, what="the Jupyter server to answer")

    def get(self, path: str, method: str = "GET", body: dict | None = None) -> bytes:
        """``path`` under the base_url, with the server's token."""
        data = json.dumps(body or {}).encode() if method == "POST" else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{self.base_url}{path}", method=method,
            headers={"Authorization": f"token {self.token}"}, data=data)
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def response(self, path: str) -> Answer:
        """GET ``path`` under the base_url, with the token, without following redirects."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", f"{self.base_url}{path}", headers={"Authorization": f"token {self.token}"})
            answer = connection.getresponse()
            return Answer(answer.status, dict(answer.getheaders()), answer.read())
        finally:
            connection.close()

    def children(self) -> list:
        """The server's processes and everything they started (runuser's child, kernels, desks)."""
        import psutil
        try:
            main = psutil.Process(self.proc.pid)
            return [main, *main.children(recursive=True)]
        except psutil.Error:
            return []

    def api(self, method: str, path: str, body: dict | None = None) -> dict:
        answer = self.get(f"api/{path}", method, body)
        return json.loads(answer) if answer else {}

    def answers(self) -> bool:
        assert self.proc.poll() is None, self.log_path.read_text()[-3000:]
        try:
            return bool(self.api("GET", "status"))
        except OSError:
            return False

    def start_kernel(self, cwd: str | None = None):
        """A kernel started by the server (so it is the server's child, as in JupyterLab), in the
        folder ``cwd`` of its root_dir (as a notebook's kernel starts in the notebook's folder)."""
        from jupyter_client import BlockingKernelClient
        kernel_id = self.api("POST", "kernels", {"path": cwd} if cwd else None)["id"]
        client = BlockingKernelClient(connection_file=str(self.runtime / f"kernel-{kernel_id}.json"))
        client.load_connection_file()
        client.start_channels()
        # a client that is not the kernel's manager calls the kernel dead when its heartbeat has not
        # answered within a second, which a loaded machine's kernel, still importing, may not have:
        # ask again while the server still lists the kernel
        deadline = time.monotonic() + 90
        while True:
            try:
                client.wait_for_ready(timeout=max(1, deadline - time.monotonic()))
                return kernel_id, client
            except RuntimeError as error:
                alive = self.api("GET", f"kernels/{kernel_id}").get("execution_state") not in (None, "dead")
                if not alive or time.monotonic() > deadline:
                    raise RuntimeError(f"{error}; the server's log: {self.log_path.read_text()[-3000:]}") from error
                time.sleep(0.5)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the server (and runuser, when there is one)
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass
        self.log.close()
