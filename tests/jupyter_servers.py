"""A real `jupyter server` for tests: a base_url, token auth, jupyter-server-proxy, folders of its
own, and optionally another Unix user, as Binder and JupyterHub run one per learner."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from labkit.ports import free_port
from labkit.processes import wait_until

from conftest import ROOT


class JupyterServer:
    def __init__(self, home: Path, base_url: str, env: dict, extra_args: tuple = (),
                 local_hostnames: tuple = (), user: str | None = None, python: str = sys.executable):
        """``home``: the server's HOME (and course home). ``user``: run as that Unix user (with
        ``python``, an environment that user can read); the caller is then root."""
        self.base_url, self.token, self.port = base_url, "orderup-test-token", free_port()
        self.runtime = home / "jupyter-runtime"
        self.log_path = home.parent / f"jupyter-server-{home.name}.log"
        self.log = self.log_path.open("w")
        environment = {**os.environ, **env, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(self.runtime),
                       "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"), "ORDERUP_HOME": str(home)}
        command = [python, "-m", "jupyter", "server", "--no-browser", "--ip=127.0.0.1",
                   f"--port={self.port}", f"--ServerApp.base_url={base_url}",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={ROOT}",
                   # Jupyter checks the Host header, as Django does: a hub's public name must pass
                   f"--ServerApp.local_hostnames={json.dumps(['localhost', *local_hostnames])}",
                   *extra_args]
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

    def get(self, path: str, method: str = "GET") -> bytes:
        """``path`` under the base_url, with the server's token."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{self.base_url}{path}", method=method,
            headers={"Authorization": f"token {self.token}"}, data=b"{}" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def api(self, method: str, path: str) -> dict:
        body = self.get(f"api/{path}", method)
        return json.loads(body) if body else {}

    def answers(self) -> bool:
        assert self.proc.poll() is None, self.log_path.read_text()[-3000:]
        try:
            return bool(self.api("GET", "status"))
        except OSError:
            return False

    def start_kernel(self):
        """A kernel started by the server (so it is the server's child, as in JupyterLab)."""
        from jupyter_client import BlockingKernelClient
        kernel_id = self.api("POST", "kernels")["id"]
        client = BlockingKernelClient(connection_file=str(self.runtime / f"kernel-{kernel_id}.json"))
        client.load_connection_file()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        return kernel_id, client

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
