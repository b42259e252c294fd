"""Free ports on 127.0.0.1, and who holds a taken one."""
from __future__ import annotations

import random
import socket

import psutil

from labkit.runtime.errors import PortInUse

HOST = "127.0.0.1"


def free_port() -> int:
    """A free port, as the system hands one out (from its ephemeral range): bind it at once."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def ephemeral_range() -> tuple[int, int]:
    """The ports the system hands out for outgoing connections and for port 0."""
    try:
        low, high = open("/proc/sys/net/ipv4/ip_local_port_range").read().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 49152, 65535  # macOS and the IANA range


def quiet_port(attempts: int = 50) -> int:
    """A free port below the ephemeral range, for a server that binds it long after it is picked
    (this kernel's Redis: Django's settings name it before Redis starts, and it keeps it across
    restarts). Nobody is handed such a port by chance meanwhile: not a free_port() of another
    program, not the local end of an outgoing connection."""
    low = ephemeral_range()[0]
    for port in random.sample(range(max(1024, low - 12000), low), attempts):
        if port_is_free(port):
            return port
    return free_port()


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
