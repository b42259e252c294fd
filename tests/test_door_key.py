"""The door key: another user of the machine reaches the port, not the restaurant, on Daphne and on
Uvicorn (lesson 27), which serve the same application behind the same door."""
from __future__ import annotations

import asyncio
import urllib.error
import urllib.request

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from labkit.kitchen.web_client import WebClient


@pytest.fixture(params=["daphne", "uvicorn"])
def daphne(restaurant, request):
    """The restaurant's web server: Daphne, or Uvicorn (which has the same methods)."""
    return restaurant.start_daphne() if request.param == "daphne" else restaurant.start_uvicorn()


def status_of(url: str, headers: dict | None = None) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as refused:
        return refused.code


def socket_status(url: str, origin: str, headers: dict | None = None) -> int:
    async def handshake():
        try:
            async with websockets.connect(url, origin=origin, additional_headers=headers):
                return 101
        except InvalidStatus as refused:
            return refused.response.status_code
    return asyncio.run(handshake())


PAGES = ["/orders/", "/orders/1/", "/table/5/", "/kitchen/", "/accounts/login/"]
SOCKETS = ["ws/table/5/", "ws/me/", "ws/kitchen/"]


@pytest.fixture
def chef(restaurant, daphne, monkeypatch):
    """A member of staff, logged in through the server: her session opens every socket."""
    from labkit.kitchen.kernel_django import manage
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "order-up")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "chef@example.com")
    manage(restaurant, "createsuperuser", "--username=chef")  # a new restaurant's database each test
    client = WebClient(daphne.url)
    assert client.post("/accounts/login/", {"username": "chef", "password": "order-up"})[0] == 200
    assert client.cookie("sessionid")
    return client


def test_pages_and_orders_need_the_key(daphne):
    for page in PAGES:
        assert status_of(daphne.url + page) == 403, page
    assert status_of(daphne.url + "/orders/", {"X-Orderup-Key": "a-guess"}) == 403
    assert status_of(daphne.url + "/orders/", {"X-Orderup-Key": daphne.door_key}) == 200
    assert status_of(daphne.browser_url("table/5/")) == 200  # the link carries it
    assert WebClient(daphne.url).post("/orders/", {"table": 5})[0] == 202  # labkit's client too


def test_the_link_leaves_a_cookie_for_the_pages_own_requests(daphne):
    jar = urllib.request.HTTPCookieProcessor()
    opener = urllib.request.build_opener(jar)
    with opener.open(daphne.browser_url("table/5/"), timeout=10) as page:
        assert page.status == 200
    cookie = next(c for c in jar.cookiejar if c.name.startswith("orderup_key_"))
    assert cookie.value == daphne.door_key and cookie.has_nonstandard_attr("HttpOnly")
    with opener.open(daphne.url + "/orders/", timeout=10) as answer:  # no key in the URL now
        assert answer.status == 200


def test_a_buzzer_needs_the_key(daphne):
    plain = f"ws://127.0.0.1:{daphne.port}/ws/table/5/"
    assert socket_status(plain, daphne.url) == 403
    assert socket_status(plain + "?key=a-guess", daphne.url) == 403
    assert socket_status(daphne.socket_url("ws/table/5/"), daphne.url) == 101
    assert socket_status(plain, daphne.url, {"X-Orderup-Key": daphne.door_key}) == 101
    refused = "WSREJECT /ws/table/5/" if daphne.name == "daphne" else '"WebSocket /ws/table/5/" 403'
    assert refused in daphne.log_text()


def test_a_session_does_not_open_a_socket_without_the_key(daphne, chef):
    """Another user who has the restaurant's session cookie (a staff member's, even) still needs the
    key: the door comes before AuthMiddlewareStack, for every socket the restaurant routes."""
    session = {"Cookie": chef.cookie_header()}
    for path in SOCKETS:
        plain = f"ws://127.0.0.1:{daphne.port}/{path}"
        assert socket_status(plain, daphne.url, session) == 403, path
        assert socket_status(plain, daphne.url, {**session, "X-Orderup-Key": "a-guess"}) == 403, path
        assert socket_status(daphne.socket_url(path), daphne.url, session) == 101, path  # the key opens it


def test_every_run_has_its_own_key(restaurant, home):
    from labkit.kitchen.restaurant import Restaurant
    other = Restaurant(home, in_process_django=False)
    try:
        assert other.door_key != restaurant.door_key and len(restaurant.door_key) >= 16
    finally:
        other.run.close(remove=True)
