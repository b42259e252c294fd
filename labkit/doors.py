"""The door keys of this process's web services, by port, so labkit's clients carry them.

Daphne and the one-waiter refuse requests without their run's key (restaurant/door.py). A service
registers its key here when it is ready; WebClient then adds the key to every request it sends to
that port, and the URLs labkit hands out (sockets, the page's link) carry it in ``?key=``.
"""
from __future__ import annotations

from urllib.parse import urlsplit

HEADER = "X-Orderup-Key"
_keys: dict[int, str] = {}


def register(port: int, key: str) -> None:
    _keys[port] = key


def key_for(url: str) -> str | None:
    """The door key for a URL on 127.0.0.1 (or localhost), if one of our services listens there."""
    parts = urlsplit(url)
    if parts.hostname in ("127.0.0.1", "localhost") and parts.port in _keys:
        return _keys[parts.port]
    return None


def with_key(url: str, key: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}key={key}" if key else url
