"""The door key: only whoever holds this run's key may use the restaurant's web doors.

On a shared machine (a JupyterHub host) any user can connect to any port on 127.0.0.1. Redis has
a password; Daphne (and lesson 01's one-waiter) have this key. labkit makes a new key for every
run and hands it to the web processes in ORDERUP_DOOR_KEY, and to nobody else but the kernel.

A request shows the key one of three ways: ``?key=...`` in the URL (the link the notebook gives the
browser), the header ``X-Orderup-Key`` (labkit's own clients), or the cookie the first kind of
request leaves in the browser, so the page's own requests and its WebSocket carry it too.
With no key set (the kernel's in-process Django, Django's test client) the door is open.
"""
import hashlib
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http import HttpResponseForbidden
from django.utils.crypto import constant_time_compare

HEADER = "X-Orderup-Key"
REFUSED = ("This restaurant belongs to another notebook's kernel (or you came without its key).\n"
           "Open the link the notebook shows: it carries the key.\n")


def cookie_name() -> str:
    # one cookie per restaurant: browsers share cookies between the ports of 127.0.0.1
    return "orderup_key_" + hashlib.sha256(settings.DOOR_KEY.encode()).hexdigest()[:10]


def fits(key: str | None) -> bool:
    return not settings.DOOR_KEY or constant_time_compare(key or "", settings.DOOR_KEY)


def door_key_middleware(get_response):
    """Django middleware: refuse HTTP requests without the key; remember a key from the URL."""
    def middleware(request):
        from_url = request.GET.get("key")
        key = from_url or request.headers.get(HEADER) or request.COOKIES.get(cookie_name())
        if not fits(key):
            return HttpResponseForbidden(REFUSED, content_type="text/plain")
        response = get_response(request)
        if settings.DOOR_KEY and from_url:
            response.set_cookie(cookie_name(), settings.DOOR_KEY, httponly=True, samesite="Strict")
        return response
    return middleware


class DoorKeyGuard:
    """ASGI wrapper for the buzzers: a WebSocket without the key is refused (HTTP 403, WSREJECT)."""

    def __init__(self, application):
        self.application = application

    @staticmethod
    def key_of(scope) -> str | None:
        query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        if query.get("key"):
            return query["key"][0]
        headers = dict(scope.get("headers", []))
        if HEADER.lower().encode() in headers:
            return headers[HEADER.lower().encode()].decode("latin1")
        cookie = SimpleCookie(headers.get(b"cookie", b"").decode("latin1"))
        morsel = cookie.get(cookie_name()) if settings.DOOR_KEY else None
        return morsel.value if morsel else None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not fits(self.key_of(scope)):
            return await WebsocketDenier()(scope, receive, send)  # as the origin validator does
        return await self.application(scope, receive, send)
