"""The door key in front of any project's ASGI application, added from outside its code.

    ORDERUP_ASGI_APPLICATION=config.asgi:application ORDERUP_DOOR_KEY=... daphne labkit.services.door:application

serves the project's own application (its routes, its Origin check, its consumers: nothing of it
changes) behind this run's door key, as restaurant/classroom/door.py does for the restaurant: an HTTP
request or a WebSocket that does not show the key is refused with HTTP 403. The key is shown the
restaurant's three ways, so labkit's clients (WebClient, Buzzer) and the front desk's links work for
both: ``?key=`` in the URL (the link a notebook prints; the answer leaves it in a cookie, which the
page's own requests and WebSocket then carry), the header ``X-Orderup-Key``, or that cookie.

The standard library only, and the application is imported when Daphne first asks for it (not when
labkit is imported).
"""
from __future__ import annotations

import hashlib
import hmac
import importlib
import os
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs

HEADER = "X-Orderup-Key"
REFUSED = (b"This project belongs to another notebook's kernel (or you came without its key).\n"
           b"Open the link the notebook shows: it carries the key.\n")


def cookie_name(key: str) -> str:
    """One cookie per run, named as the restaurant's door names it (browsers share cookies between ports)."""
    return "orderup_key_" + hashlib.sha256(key.encode()).hexdigest()[:10]


class DoorKeyGuard:
    """ASGI middleware: every HTTP request and WebSocket must show ``key`` (none: the door is open)."""

    def __init__(self, application, key: str):
        self.application, self.key = application, key
        self.cookie = cookie_name(key)

    def shown_key(self, scope) -> tuple[str, bool]:
        """The key the request shows, and whether it came in the URL."""
        query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        if query.get("key"):
            return query["key"][0], True
        headers = dict(scope.get("headers", []))
        if HEADER.lower().encode() in headers:
            return headers[HEADER.lower().encode()].decode("latin1"), False
        try:
            morsel = SimpleCookie(headers.get(b"cookie", b"").decode("latin1")).get(self.cookie)
        except CookieError:
            morsel = None
        return (morsel.value if morsel else ""), False

    async def __call__(self, scope, receive, send):
        if not self.key or scope["type"] not in ("http", "websocket"):
            return await self.application(scope, receive, send)
        shown, in_url = self.shown_key(scope)
        if not hmac.compare_digest(shown.encode(), self.key.encode()):
            refuse = self.refuse_request if scope["type"] == "http" else self.refuse_socket
            return await refuse(receive, send)
        if scope["type"] == "http" and in_url:
            send = self.leaving_the_cookie(send)
        return await self.application(scope, receive, send)

    def leaving_the_cookie(self, send):
        """``send``, with the key's cookie added to the answer's headers."""
        cookie = f"{self.cookie}={self.key}; HttpOnly; Path=/; SameSite=Strict".encode()

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
            await send(message)
        return send_with_cookie

    @staticmethod
    async def refuse_request(receive, send):
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
        await send({"type": "http.response.body", "body": REFUSED})

    @staticmethod
    async def refuse_socket(receive, send):
        """Closed before it is accepted: the server answers the handshake with HTTP 403."""
        if (await receive())["type"] == "websocket.connect":  # a socket's first message
            await send({"type": "websocket.close"})


def load(path: str):
    """The application at ``module:name`` ("config.asgi:application")."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name or "application")


def __getattr__(name: str):
    # `daphne labkit.services.door:application` asks for this module's `application`
    if name == "application":
        globals()["application"] = DoorKeyGuard(load(os.environ["ORDERUP_ASGI_APPLICATION"]),
                                                os.environ.get("ORDERUP_DOOR_KEY", ""))
        return globals()["application"]
    raise AttributeError(name)
