"""Free ports on 127.0.0.1, and who holds a taken one."""
from __future__ import annotations

import socket

import psutil

from .errors import PortInUse

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    """Could a server listen on ``port``? (SO_REUSEADDR like servers use, so TIME_WAIT is fine.)"""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def port_accepts(port: int) -> bool:
    """Does something accept TCP connections on ``port``?"""
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((HOST, port)) == 0


def who_listens_on(port: int) -> str:
    try:
        for conn in psutil.net_connections("tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN:
                if conn.pid:
                    proc = psutil.Process(conn.pid)
                    return f"{proc.name()} (pid {conn.pid})"
    except (psutil.Error, OSError):
        pass
    return "another program"


def require_free(port: int, service: str) -> None:
    """Raise PortInUse, saying who holds the port and what to do, unless ``port`` is free."""
    if not port_is_free(port):
        raise PortInUse(
            f"Port {port} on {HOST} is already in use by {who_listens_on(port)}, so {service} "
            "cannot listen there.\nLeave the port unset to let labkit pick a free one, "
            "choose another port, or stop the program that holds it."
        )
