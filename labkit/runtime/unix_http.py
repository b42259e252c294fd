"""HTTP over a Unix socket: how the course reaches a service that has no TCP port.

A Unix socket in a folder only its user can enter (mode 0700) is reachable by that user's programs
alone; a port on 127.0.0.1 is reachable by every user of the machine. Flower and the front desk
listen on such sockets; this is the client side (the standard library's, pointed at a path).
"""
from __future__ import annotations

import http.client
import socket
from pathlib import Path


class UnixHTTPConnection(http.client.HTTPConnection):
    """``http.client.HTTPConnection`` to the server listening on the Unix socket ``path``."""

    def __init__(self, path: str | Path, timeout: float = 30):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = str(path)

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def request(path: str | Path, method: str, target: str, body: bytes | None = None,
            headers: dict | None = None, timeout: float = 30) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request to the server on the socket ``path``: (status, headers, body)."""
    connection = UnixHTTPConnection(path, timeout)
    try:
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def accepts(path: str | Path) -> bool:
    """Does a server accept connections on the Unix socket ``path``?"""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        try:
            s.connect(str(path))
        except OSError:
            return False
    return True
