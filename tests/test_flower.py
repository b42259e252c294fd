"""Flower, the kitchen's monitor, reached the way Binder and JupyterHub serve it: started by a
kernel of a Jupyter server with base_url /user/alice/, and opened through jupyter-server-proxy,
in a real browser (the system's Chromium) and from Python."""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request


from labkit.processes import wait_until

from conftest import ROOT, course_processes, execute
from jupyter_servers import JupyterServer
from test_browser import HUB_HOST, browser  # noqa: F401 (the module's Chromium fixture)


def fetch(url: str, user: str | None = None, password: str | None = None) -> tuple[int, bytes]:
    headers = {}
    if user:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def test_flower_answers_through_jupyter_server_proxy(browser, home):  # noqa: F811
    server = JupyterServer(home, "/user/alice/", env={"ORDERUP_ALLOWED_HOSTS": HUB_HOST},
                           local_hostnames=(HUB_HOST,),
                           extra_args=(f"--config={ROOT / 'binder' / 'jupyter_server_config.py'}",))
    try:
        kernel_id, client = server.start_kernel()
        execute(client, "import labkit\nkitchen = labkit.open_restaurant(daphne=False)\n"
                        "flower = kitchen.start_flower()")
        port = execute(client, "print(flower.port)").strip()
        password = execute(client, "print(flower.password)").strip()
        path = execute(client, "print(flower.browser_url)").strip()
        # Flower writes absolute links: it serves under the proxy's path, which the proxy keeps
        assert path == f"/user/alice/proxy/absolute/{port}/"
        through_jupyter = f"http://127.0.0.1:{server.port}{path}"

        # Jupyter lets the request in (its token), Flower asks for its own password
        assert fetch(f"{through_jupyter}?token={server.token}")[0] == 401
        status, body = fetch(f"{through_jupyter}api/workers?refresh=1&token={server.token}", "cook", password)
        assert status == 200, body[:500]
        assert any(name.startswith("cook@") for name in json.loads(body)), body[:500]

        # the front desk's flower/ entry links to it
        desk = server.get("flower/").decode()
        assert f'href="../proxy/absolute/{port}/"' in desk

        # a browser on the hub's host name: log in to Jupyter, then Flower's dashboard lists the cook
        context = browser.new_context(http_credentials={"username": "cook", "password": password})
        page = context.new_page()
        origin = f"http://{HUB_HOST}:{server.port}"
        page.goto(f"{origin}/user/alice/api/status?token={server.token}")
        answer = page.goto(origin + path)
        assert answer.status == 200
        page.wait_for_selector("text=cook@", timeout=15_000)  # the workers table, filled by its API
        failed = []
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.reload()
        page.wait_for_selector("text=cook@", timeout=15_000)
        context.close()
        assert failed == []

        client.stop_channels()
        server.api("DELETE", f"kernels/{kernel_id}")
        wait_until(lambda: not course_processes(home), timeout=15, what="Flower and the kitchen to stop")
    finally:
        server.stop()


def test_flower_refuses_without_its_password(restaurant, monkeypatch):
    monkeypatch.setenv("ORDERUP_BROWSER", "direct")
    restaurant.open(daphne=False)
    flower = restaurant.start_flower()
    assert flower.browser_url == f"http://127.0.0.1:{flower.port}/"
    assert fetch(flower.url)[0] == 401
    assert fetch(flower.url, "cook", "not-the-password")[0] == 401
    status, body = fetch(flower.url + "api/workers?refresh=1", "cook", flower.password)
    assert status == 200 and any(name.startswith("cook@") for name in json.loads(body))
    # the password is in Flower's environment, never on its command line (other users see those)
    assert flower.password not in " ".join(flower.processes()[0].cmdline())
    assert restaurant.start_flower() is flower  # starting again keeps the one that runs
    pid = flower.pid
    restaurant.start_flower()
    assert flower.pid == pid
