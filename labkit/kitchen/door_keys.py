"""The door keys of this kernel's web services, by port, so labkit's clients carry them.

Daphne and the one-waiter refuse requests without their run's key (restaurant/classroom/door.py).
The kitchen registers a service's key here once it is ready; WebClient then adds the key to every
request it sends to that port (in the door's header), and the links labkit hands out carry it in
``?key=`` (runtime/browser.py: with_key).
"""
from __future__ import annotations

from urllib.parse import urlsplit

_keys: dict[int, str] = {}


def header() -> str:
    """The header a request shows the key in: the door's own (imported late: the restaurant's code
    must be imported after labkit has chosen which checkout's restaurant this kernel runs)."""
    from restaurant.classroom.door import HEADER
    return HEADER


def register(port: int, key: str) -> None:
    _keys[port] = key


def key_for(url: str) -> str | None:
    """The door key for a URL on 127.0.0.1 (or localhost), if one of our services listens there."""
    parts = urlsplit(url)
    if parts.hostname in ("127.0.0.1", "localhost") and parts.port in _keys:
        return _keys[parts.port]
    return None
