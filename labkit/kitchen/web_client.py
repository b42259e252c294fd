"""Talk to the restaurant over real HTTP, like a browser: cookies, the CSRF token, timings.

    client = labkit.WebClient(kitchen.daphne.url)
    client.post("/orders/", {"table": 5})
    labkit.rush(kitchen.daphne.url, "/orders/inline/", customers=5)   # five customers at once
"""
from __future__ import annotations

import http.cookiejar
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from labkit.kitchen import door_keys
from labkit.runtime.tables import Table, fmt_duration


class WebClient:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.last_headers: dict[str, str] = {}  # the last answer's headers (Server: who answered)
        self.last_url = ""  # where the last answer came from, after any redirect (a login page, say)

    def _send(self, request: urllib.request.Request) -> tuple[int, dict]:
        key = door_keys.key_for(self.base_url)  # one of this kernel's web services: show its door key
        if key:
            request.add_header(door_keys.header(), key)
        try:
            with self.opener.open(request, timeout=60) as response:
                self.last_headers = {k.lower(): v for k, v in response.headers.items()}
                self.last_url = response.geturl()
                return response.status, _answer(response.read())
        except urllib.error.HTTPError as error:
            self.last_headers = {k.lower(): v for k, v in error.headers.items()}
            self.last_url = error.geturl()
            answer = _answer(error.read())
            return error.code, {"error": answer.pop("page")[:200]} if "page" in answer else answer

    def get(self, path: str) -> tuple[int, dict]:
        return self._send(urllib.request.Request(self.base_url + path))

    def cookie(self, name: str) -> str | None:
        """The value of the cookie ``name`` the restaurant left here (``sessionid``, once logged in)."""
        return next((c.value for c in self.cookies if c.name == name), None)

    def cookie_header(self) -> str:
        """Every cookie, as a browser's Cookie header would carry them (to a WebSocket, say)."""
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)

    def csrf_token(self) -> str:
        token = next((c.value for c in self.cookies if c.name == "csrftoken"), None)
        if token is None:
            self.get("/orders/")  # the order list hands out the CSRF cookie
            token = next(c.value for c in self.cookies if c.name == "csrftoken")
        return token

    def post(self, path: str, data: dict) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.base_url + path, data=urllib.parse.urlencode(data).encode(), method="POST",
            headers={"X-CSRFToken": self.csrf_token(), "Content-Type": "application/x-www-form-urlencoded"})
        return self._send(request)


def _answer(body: bytes) -> dict:
    """A JSON answer as a dict; a page (HTML, text) as {"page": its text}."""
    try:
        return json.loads(body or b"{}")
    except ValueError:
        return {"page": body.decode(errors="replace")}


def rush(base_url: str, path: str = "/orders/", customers: int = 5, item: str = "soup") -> Table:
    """``customers`` people order at the same moment, each from their own connection.

    Returns one row per customer: how long they waited for the waiter's answer, and the answer.
    """
    clients = [WebClient(base_url) for _ in range(customers)]
    for c in clients:
        c.csrf_token()  # fetched beforehand, so only the order itself is timed
    start_line = threading.Barrier(customers)
    rows: list[dict] = [{} for _ in range(customers)]

    def customer(i: int) -> None:
        start_line.wait()
        started = time.perf_counter()
        status, body = clients[i].post(path, {"table": i + 1, "item": item})
        rows[i] = {"table": i + 1, "waited": time.perf_counter() - started, "status": status,
                   "order": body.get("status", body.get("error"))}

    threads = [threading.Thread(target=customer, args=(i,)) for i in range(customers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows.sort(key=lambda r: r["waited"])
    table = Table([{**r, "answered": f"#{i + 1}", "waited": fmt_duration(r["waited"])} for i, r in enumerate(rows)],
                  ["answered", "waited", "status", "order"], title=f"{customers} customers order at once: POST {path}")
    table.waits = [r["waited"] for r in rows]
    return table
