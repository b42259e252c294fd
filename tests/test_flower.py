"""Flower, the kitchen's monitor, reached the way Binder and JupyterHub serve it: started by a
kernel of a Jupyter server with base_url /user/alice/, listening on a Unix socket only its user can
open, and reached through the server's flower/ entry, in a real browser (the system's Chromium) and
from Python."""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import psutil
import pytest

from labkit.runtime.waiting import wait_until

from conftest import ROOT, course_processes, execute
from jupyter_servers import JupyterServer
from test_browser import HUB_HOST, browser  # noqa: F401 (the module's Chromium fixture)

pytestmark = pytest.mark.slow  # real kernels, browsers or installs: not in `make test-fast`


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url), timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def test_flower_answers_through_jupyter_server_proxy(browser, home):  # noqa: F811
    server = JupyterServer(home, "/user/alice/", env={"ORDERUP_ALLOWED_HOSTS": HUB_HOST},
                           local_hostnames=(HUB_HOST,))
    try:
        kernel_id, client = server.start_kernel()
        execute(client, "import labkit\nkitchen = labkit.open_restaurant(daphne=False)\n"
                        "flower = kitchen.start_flower()")
        path = execute(client, "print(flower.browser_url)").strip()
        sock = execute(client, "print(flower.socket)").strip()
        # Flower writes absolute links: it serves under the flower/ entry's path, which the entry keeps
        assert path == "/user/alice/flower/"
        # no TCP port at all: a Unix socket in the run folder, which only this user can enter
        flower_process = psutil.Process(int(execute(client, "print(flower.pid)")))
        assert tcp_listening(flower_process) == []
        assert os.stat(os.path.dirname(sock)).st_mode & 0o777 == 0o700

        # through Jupyter (its token): the desk passes the request on to Flower's socket
        status, body = fetch(f"http://127.0.0.1:{server.port}{path}api/workers?refresh=1&token={server.token}")
        assert status == 200, body[:500]
        assert any(name.startswith("cook@") for name in json.loads(body)), body[:500]
        # without logging in to Jupyter: Jupyter refuses (it redirects to its login page)
        assert server_refuses(f"http://127.0.0.1:{server.port}{path}api/workers")

        # a browser on the hub's host name: log in to Jupyter, then Flower's dashboard lists the cook
        context = browser.new_context()
        page = context.new_page()
        origin = f"http://{HUB_HOST}:{server.port}"
        page.goto(f"{origin}/user/alice/api/status?token={server.token}")
        answer = page.goto(origin + path)
        assert answer.status == 200
        page.wait_for_selector("text=cook@", timeout=15_000)  # the workers table, filled by its API
        failed = []
        # the browser's own favicon fetch, when the reload cuts it short, is not Flower's page failing
        page.on("requestfailed", lambda r: None if "favicon" in r.url else failed.append(r.url))
        page.reload()
        page.wait_for_selector("text=cook@", timeout=15_000)
        context.close()
        assert failed == []

        execute(client, "kitchen.stop_flower()")
        assert fetch(f"http://127.0.0.1:{server.port}{path}?token={server.token}")[0] == 503
        client.stop_channels()
        server.api("DELETE", f"kernels/{kernel_id}")
        wait_until(lambda: not course_processes(home), timeout=15, what="Flower and the kitchen to stop")
    finally:
        server.stop()


def tcp_listening(process: psutil.Process) -> list:
    """The TCP ports ``process`` listens on (its connections out, to Redis say, do not count)."""
    return [c.laddr for c in process.net_connections("inet") if c.status == psutil.CONN_LISTEN]


def server_refuses(url: str) -> bool:
    """Jupyter answers a request without its token with a redirect to its login page (or 403)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None
    try:
        urllib.request.build_opener(NoRedirect).open(url, timeout=10)
    except urllib.error.HTTPError as refused:
        return refused.code in (302, 403) and b"cook@" not in refused.read()
    return False


def test_flower_listens_on_a_socket_only_its_user_can_open(restaurant, monkeypatch):
    monkeypatch.setenv("ORDERUP_BROWSER", "direct")
    restaurant.open(daphne=False)
    flower = restaurant.start_flower()
    assert flower.browser_url is None and "cannot open" in flower.link()  # no Jupyter: says how
    assert tcp_listening(flower.processes()[0]) == []
    assert os.stat(flower.socket.parent).st_mode & 0o777 == 0o700
    assert any(name.startswith("cook@") for name in flower.api("workers?refresh=1"))
    assert restaurant.start_flower() is flower  # starting again keeps the one that runs
    pid = flower.pid
    restaurant.start_flower()
    assert flower.pid == pid


def test_the_desk_serves_flower_on_a_port_by_hand(restaurant, monkeypatch, home):
    """On a laptop without Jupyter: `python -m labkit.kitchen.front_desk --show flower --port N`."""
    import subprocess
    import sys

    from labkit.runtime.ports import free_port
    monkeypatch.setenv("ORDERUP_BROWSER", "direct")
    restaurant.open(daphne=False)
    restaurant.start_flower()
    port = free_port()
    desk = subprocess.Popen([sys.executable, "-m", "labkit.kitchen.front_desk", "--show", "flower",
                             "--port", str(port)],
                            cwd=ROOT, env={**os.environ, "ORDERUP_HOME": str(home)})
    try:
        def answers():
            try:
                return fetch(f"http://127.0.0.1:{port}/api/workers?refresh=1")
            except urllib.error.URLError:  # not listening yet
                return None
        status, body = wait_until(answers, timeout=15, what="the desk to listen")
        assert status == 200 and any(name.startswith("cook@") for name in json.loads(body)), body[:300]
    finally:
        desk.terminate()
        desk.wait(timeout=10)
