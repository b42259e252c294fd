"""Table 5's page in a real browser (the system's Chromium, driven by Playwright).

Once directly (a laptop: the browser talks to Daphne on 127.0.0.1), once the way Binder and
JupyterHub serve it: through a Jupyter server with jupyter-server-proxy and base_url /user/alice/,
under a host name that is not 127.0.0.1, with the restaurant opened by a kernel of that server.

Without Chromium these tests skip on a learner's machine; under CI (CI=true) they fail instead.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import http.server
import os
import re
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest

from labkit.runtime.waiting import wait_until

from conftest import course_processes, execute
from jupyter_servers import JupyterServer
from test_outside import restaurant_outside

pytestmark = pytest.mark.slow  # real kernels, browsers or installs: not in `make test-fast`

HUB_HOST = "hub.orderup.test"      # a made-up public name for the hub; Chromium maps it to 127.0.0.1
FOREIGN_HOST = "elsewhere.orderup.test"
COOK_SECONDS = 1.0


def chromium_executable() -> str:
    for candidate in (os.environ.get("ORDERUP_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    message = "no Chromium found: install Debian's `chromium` package (or set ORDERUP_CHROMIUM)"
    if os.environ.get("CI"):
        pytest.fail(message + "; CI must run the browser tests, not skip them")
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    executable = chromium_executable()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            chromium_sandbox=os.geteuid() != 0,  # Chromium's sandbox refuses to run as root
            args=[
                f"--host-resolver-rules=MAP {HUB_HOST} 127.0.0.1, MAP {FOREIGN_HOST} 127.0.0.1",
                # no calls home: this machine has no network but loopback
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-gpu",
            ],
        )
        yield chromium
        chromium.close()


class Watch:
    """Everything the page asks the network for, and every WebSocket frame it receives."""

    def __init__(self, page):
        self.requests: list[tuple[float, str, str]] = []
        self.frames: list[tuple[float, str]] = []
        self.sockets: list[str] = []
        page.on("request", lambda r: self.requests.append((time.time(), r.method, r.url)))
        page.on("websocket", self._socket)

    def _socket(self, socket) -> None:
        self.sockets.append(socket.url)
        socket.on("framereceived", lambda payload: self.frames.append((time.time(), str(payload))))


def order_and_wait_for_ready(page, url: str) -> dict:
    """Open the page, place an order with its form, wait for "ready"; return what happened."""
    watch = Watch(page)
    page.goto(url)
    page.wait_for_selector("body[data-buzzer=open]", timeout=10_000)

    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        clicked = time.time()
        page.click("button[type=submit]")
    assert answer.value.status == 202, answer.value.text()
    answered = time.time()
    requests_before_waiting = len(watch.requests)

    page.wait_for_selector("#status.ready", timeout=(COOK_SECONDS + 5) * 1000)
    ready_seen = time.time()
    status = page.inner_text("#status")
    buzzes = page.evaluate("window.orderUp.buzzes")
    return dict(
        elapsed=ready_seen - clicked, status=status, buzzes=buzzes, watch=watch,
        requests_while_waiting=[r for r in watch.requests[requests_before_waiting:] if r[0] >= answered],
    )


def assert_ready_by_buzzer_only(seen: dict) -> None:
    assert seen["status"].endswith(": ready"), seen["status"]
    # one cook time, plus 2 s for everything else on a loaded 2-core machine (the waiter, the rail,
    # the buzzer, the browser); a page that polled every few seconds, or waited for a reload, would
    # be later still
    assert seen["elapsed"] <= COOK_SECONDS + 2.0, f"ready after {seen['elapsed']:.2f} s"
    # after the waiter's answer the page asked nothing: no polling, no reload
    assert seen["requests_while_waiting"] == [], seen["requests_while_waiting"]
    states = [b["order"]["status"] for b in seen["buzzes"]]
    assert states == ["cooking", "ready"], states
    assert any('"ready"' in frame for _, frame in seen["watch"].frames)
    for buzz in seen["buzzes"]:  # the buzz reached the browser after the cook pressed the buzzer
        assert buzz["received_at"] >= buzz["sent_at"]


@pytest.fixture
def kitchen(restaurant, monkeypatch):
    monkeypatch.setenv("ORDERUP_COOK_SECONDS", str(COOK_SECONDS))
    monkeypatch.setenv("ORDERUP_BROWSER", "direct")
    restaurant.open()
    return restaurant


def test_page_shows_ready_without_polling(browser, kitchen):
    page = browser.new_page()
    seen = order_and_wait_for_ready(page, kitchen.page_url(5))
    page.close()
    assert_ready_by_buzzer_only(seen)
    assert kitchen.page_url(5).startswith("http://127.0.0.1:")


@contextlib.contextmanager
def another_site():
    """A web server on this machine for "another site": a page of another origin (it is served
    from loopback, so Chromium's local-network rules treat it like the restaurant's own page)."""
    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<p>another site</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_a_socket_from_a_foreign_origin_is_refused(browser, kitchen):
    """A page of another site opens a socket to the buzzer: Daphne refuses it (WSREJECT), and the
    page sees only a drop (code 1006), as browsers report every refused handshake."""
    page = browser.new_page()
    with another_site() as site_port:
        page.goto(f"http://{FOREIGN_HOST}:{site_port}/")
        code = page.evaluate("""url => new Promise(done => {
            const socket = new WebSocket(url);
            socket.onopen = () => done("open");
            socket.onclose = (event) => done(event.code);
        })""", kitchen.daphne.socket_url("ws/table/5/"))
    page.close()
    assert code == 1006
    wait_until(lambda: "WSREJECT /ws/table/5/" in kitchen.daphne.log_text(), timeout=5,
               what="Daphne to log the refused socket")

    # and from Python: a foreign Origin, and no Origin at all, are both refused with 403
    import asyncio

    import websockets
    from websockets.exceptions import InvalidStatus

    async def handshake(origin):
        try:
            async with websockets.connect(kitchen.daphne.socket_url("ws/table/5/"), origin=origin):
                return 101
        except InvalidStatus as refused:
            return refused.response.status_code

    def status(origin):  # in a thread of its own: Playwright keeps an event loop in this one
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, handshake(origin)).result()

    assert status(f"http://{FOREIGN_HOST}") == 403
    assert status(None) == 403
    assert status(kitchen.daphne.url) == 101  # the restaurant's own page may


# -- through Jupyter, as Binder and JupyterHub serve it --------------------------------------------

def test_page_through_jupyter_server_proxy_with_a_base_url(browser, home):
    server = JupyterServer(home, "/user/alice/", env={
        "ORDERUP_COOK_SECONDS": str(COOK_SECONDS),
        "ORDERUP_ALLOWED_HOSTS": HUB_HOST,  # what an instructor puts in the hub's spawner environment
    }, local_hostnames=(HUB_HOST,))
    try:
        kernel_id, client = server.start_kernel()
        path = execute(client, "import labkit\nkitchen = labkit.open_restaurant()\n"
                               "print(kitchen.page_url(5))").strip()
        port = execute(client, "print(kitchen.daphne.port)").strip()
        run = execute(client, "print(kitchen.run.id)").strip()
        key = execute(client, "print(kitchen.door_key)").strip()
        # labkit found the server's base_url: the link goes to the front desk, without the key
        assert path == f"/user/alice/orderup/run/{run}/table/5/"

        origin = f"http://{HUB_HOST}:{server.port}"
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{origin}/user/alice/api/status?token={server.token}")  # log in, as a hub does
        seen = order_and_wait_for_ready(page, origin + path)
        # the desk sent the browser on through the proxy, with the key; the socket went that way too
        assert page.url == f"{origin}/user/alice/proxy/{port}/table/5/?key={key}"
        assert seen["watch"].sockets == [f"ws://{HUB_HOST}:{server.port}/user/alice/proxy/{port}/ws/table/5/"]

        # the notebook closes the restaurant: the same link now says so, and what to run
        execute(client, "labkit.close_restaurant()")
        closed = page.goto(origin + path)
        assert closed.status == 503
        assert "is closed" in page.inner_text("h1") and "labkit.open_restaurant()" in page.inner_text("body")
        context.close()
        assert_ready_by_buzzer_only(seen)

        client.stop_channels()
        server.api("DELETE", f"kernels/{kernel_id}")
        # the kernel is gone, and its watchdog takes the restaurant with it
        wait_until(lambda: not course_processes(home), timeout=15, what="the kernel's services to stop")
    finally:
        server.stop()


def test_named_proxy_entries_lead_to_the_open_restaurants(home):
    """binder/jupyter_server_config.py: <base_url>orderup/ lists this user's restaurants, with links
    that lead on to their pages; <base_url>flower/ says when Flower is not running. The desk
    listens on a Unix socket in a 0700 folder: no TCP port another user could try."""
    server = JupyterServer(home, "/user/alice/", env={})
    try:
        assert b"No restaurant is open" in server.get("orderup/")
        kernel_id, client = server.start_kernel()
        execute(client, "import labkit\nkitchen = labkit.open_restaurant(worker=False)")
        port = execute(client, "print(kitchen.daphne.port)").strip()
        run = execute(client, "print(kitchen.run.id)").strip()
        key = execute(client, "print(kitchen.door_key)").strip()
        desk = server.get("orderup/").decode()
        assert f'href="run/{run}/table/5/"' in desk and key not in desk
        moved = server.response(f"orderup/run/{run}/table/5/")
        assert moved.status == 302
        assert moved.headers["Location"] == f"../../../../../proxy/{port}/table/5/?key={key}"
        assert b"<h1>Table 5</h1>" in server.get(f"proxy/{port}/table/5/?key={key}")  # where it leads
        login = server.response(f"orderup/run/{run}/accounts/login/?next=../../kitchen/")  # its query goes on
        assert login.headers["Location"] == f"../../../../../proxy/{port}/accounts/login/?next=../../kitchen/&key={key}"
        assert server.response("flower/").status == 503
        assert b"Flower is not running" in server.response("flower/").body

        desk_processes = [p for p in server.children() if "labkit.kitchen.front_desk" in " ".join(p.cmdline())]
        assert len(desk_processes) == 2, desk_processes
        for desk_process in desk_processes:
            assert [c for c in desk_process.net_connections("inet") if c.status == "LISTEN"] == []
            (sock,) = [c.laddr for c in desk_process.net_connections("unix") if c.laddr]
            assert os.stat(os.path.dirname(sock)).st_mode & 0o777 == 0o700, sock

        client.stop_channels()
        server.api("DELETE", f"kernels/{kernel_id}")
        wait_until(lambda: b"No restaurant is open" in server.get("orderup/"), timeout=15,
                   what="the front desk to notice the closed restaurant")
        gone = server.response(f"orderup/run/{run}/table/5/")
        assert gone.status == 503 and b"shut down or restarted" in gone.body
    finally:
        server.stop()


def test_a_refused_order_shows_its_status_and_reason(browser, kitchen):
    """The page never fails silently: without its CSRF cookie Django refuses the POST, and the
    page says so, with Django's reason."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(kitchen.page_url(5))
    page.wait_for_selector("body[data-buzzer=open]", timeout=10_000)
    context.clear_cookies(name="csrftoken")
    page.click("button[type=submit]")
    page.wait_for_selector("#status.refused", timeout=5_000)
    text = page.inner_text("#status")
    context.close()
    assert text == "The order was refused (HTTP 403): refused by Django's CSRF check: CSRF cookie not set.", text


def test_under_supervisor_the_page_survives_daphne_stopped_and_started_with_supervisorctl(browser, home, tmp_path):
    """`make restaurant`, run as a deployment runs it: table 5's page open, its order's ticket waiting
    (the worker stopped with supervisorctl), Daphne stopped, the worker started again: the cook's
    "ready" buzz reaches no one. supervisorctl starts Daphne again: the page reconnects by itself, asks
    the waiter for its order once, and shows "ready" (lesson 25's fix, in the restaurant's own page)."""
    with restaurant_outside(home, tmp_path) as (port, said):
        ctl = re.search(r"programs:\s+(.+?) status", said).group(1).split()

        def supervisorctl(*args: str) -> str:
            done = subprocess.run([*ctl, *args], capture_output=True, text=True, timeout=120)
            return done.stdout + done.stderr

        database = sqlite3.connect(home / "outside" / "restaurant.sqlite3")
        page = browser.new_page()
        watch = Watch(page)
        page.goto(f"http://127.0.0.1:{port}/table/5/")
        page.wait_for_selector("body[data-buzzer=open]", timeout=10_000)
        assert "stopped" in supervisorctl("stop", "worker")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.click("button[type=submit]")
        order_id = answer.value.json()["id"]
        assert "stopped" in supervisorctl("stop", "daphne")
        page.wait_for_selector("body[data-buzzer=closed]", timeout=10_000)
        assert "started" in supervisorctl("start", "worker")

        def status() -> str:
            try:
                return database.execute("select status from orders_order where id = ?", (order_id,)).fetchone()[0]
            except sqlite3.OperationalError:  # the cook is writing it: "database is locked"
                return "being written"

        wait_until(lambda: status() == "ready", timeout=30, what="the cook to finish while Daphne is down")
        assert "started" in supervisorctl("start", "daphne")
        page.wait_for_selector("#status.ready", timeout=30_000)
        buzzes = [b["order"]["status"] for b in page.evaluate("window.orderUp.buzzes")]
        asked = [url for _, method, url in watch.requests if method == "GET" and url.endswith(f"/orders/{order_id}/")]
        page.close()
        database.close()
        assert "ready" not in buzzes, buzzes  # the buzz was missed: the page caught up by asking
        assert len(asked) == 1, asked           # once, after it reconnected
        assert len(watch.sockets) >= 2, watch.sockets


def staff_member(kitchen, monkeypatch, username: str) -> None:
    """A staff user ``username`` (password "order-up"), made with manage.py createsuperuser."""
    from labkit.kitchen.kernel_django import manage
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "order-up")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", f"{username}@example.com")
    manage(kitchen, "createsuperuser", f"--username={username}")


def log_in(page, username: str) -> None:
    """Fill Django's login form on ``page`` and send it."""
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "order-up")
    page.click("button[type=submit]")


def test_the_kitchen_display_shows_what_a_table_sends_to_staff_only(browser, kitchen, monkeypatch):
    """The chef logs in on the login page the kitchen's page sends her to, and her display shows
    table 4's "Call the waiter" as the table's page sends it; nobody else gets the display."""
    staff_member(kitchen, monkeypatch, "chef")

    stranger = browser.new_context()
    page = stranger.new_page()
    page.goto(kitchen.daphne.browser_url("kitchen/"))
    assert "/accounts/login/?next=/kitchen/" in page.url, page.url  # not staff: sent to log in
    stranger.close()

    chefs = browser.new_context()
    display = chefs.new_page()
    display.goto(kitchen.daphne.browser_url("kitchen/"))
    log_in(display, "chef")
    display.wait_for_selector("body[data-display=open]", timeout=10_000)

    table = browser.new_page()  # another browser's table page, not logged in
    table.goto(kitchen.page_url(4))
    table.wait_for_selector("body[data-buzzer=open]", timeout=10_000)
    table.click("#call-waiter")
    table.wait_for_function("document.getElementById('talk').textContent.startsWith('Sent to the kitchen')",
                            timeout=10_000)
    display.wait_for_selector("#messages li", timeout=10_000)
    shown = display.inner_text("#messages li")
    messages = display.evaluate("window.orderUp.messages")
    table.close()
    chefs.close()
    assert shown == "Table 4: Call the waiter, please", shown
    assert messages == [{"type": "table.message", "table": 4, "text": "Call the waiter, please"}], messages


def test_the_session_cookie_stays_on_its_site_and_the_origin_check_compares_host_names(browser, kitchen,
                                                                                       monkeypatch):
    """Lesson 22's claims, in Chromium. Bob's session cookie (SameSite=Lax, Django's default) goes
    with a WebSocket handshake that a page of the same site starts (another port of the same host),
    and not with one that a page of another site starts. The Origin check compares host names, not
    ports: the same-site page's socket to ws/me/ is let in (and is Bob's), another site's refused."""
    from websockets.sync.server import serve

    staff_member(kitchen, monkeypatch, "bob")
    bob = browser.new_context()
    login = bob.new_page()
    login.goto(kitchen.daphne.browser_url("accounts/login/"))
    log_in(login, "bob")
    login.wait_for_function("!location.pathname.startsWith('/accounts/login/')", timeout=10_000)
    assert any(c["name"] == "sessionid" and c["sameSite"] == "Lax" for c in bob.cookies()), bob.cookies()

    handshakes = []  # the Cookie header of each handshake a recording server on 127.0.0.1 receives

    def record(socket):
        handshakes.append(socket.request.headers.get("Cookie", ""))
        socket.close()

    open_socket = """url => new Promise(done => {
        const socket = new WebSocket(url);
        socket.onopen = () => { done("open"); socket.close(); };
        socket.onclose = (event) => done(event.code);
    })"""
    with serve(record, "127.0.0.1", 0) as recorder, another_site() as site_port:
        threading.Thread(target=recorder.serve_forever, daemon=True).start()
        recording = f"ws://127.0.0.1:{recorder.socket.getsockname()[1]}/"
        outcomes = {}
        for site, host in (("same site", "127.0.0.1"), ("another site", FOREIGN_HOST)):
            page = bob.new_page()
            page.goto(f"http://{host}:{site_port}/")
            page.evaluate(open_socket, recording)
            outcomes[site] = page.evaluate(open_socket, kitchen.daphne.socket_url("ws/me/"))
            page.close()
        recorder.shutdown()
    bob.close()
    assert ["sessionid=" in cookie for cookie in handshakes] == [True, False], handshakes
    assert outcomes == {"same site": "open", "another site": 1006}, outcomes
