"""An existing Redis (ORDERUP_USE_REDIS, an instructor's), reached through a relay on 127.0.0.1
that each kernel owns (relay_program.py): the restaurant's programs connect to the relay, and stopping
it is an outage for this restaurant only, never for the instructor's server."""
from __future__ import annotations

import os
import sys
from urllib.parse import unquote, urlsplit

import redis

from labkit.runtime.errors import LabkitError
from labkit.runtime.ports import HOST, free_port, require_free
from labkit.runtime.run import Run
from labkit.runtime.service import Service
from labkit.services.redis import redis_url


def external_redis(environ=os.environ) -> dict | None:
    """The Redis named by ORDERUP_USE_REDIS (redis://[user:]password@host:port/first_db), if any."""
    url = environ.get("ORDERUP_USE_REDIS", "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "redis" or not parts.hostname:
        raise LabkitError(f"ORDERUP_USE_REDIS must look like redis://:password@host:6379/0, not {url!r}.")
    first_db = int(parts.path.strip("/") or 0)
    return {"host": parts.hostname, "port": parts.port or 6379, "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""), "first_db": first_db}


class RedisRelay(Service):
    """An existing Redis (ORDERUP_USE_REDIS), reached through a relay on 127.0.0.1 that this kernel
    owns: the restaurant's programs connect to the relay, and stopping it is an outage for this
    restaurant only. The course's four databases start at ``first_db``."""

    name = "redis"
    ready_timeout = 15.0
    advice = "Could not reach the Redis named by ORDERUP_USE_REDIS through the relay."
    binary_source = "ORDERUP_USE_REDIS"

    def __init__(self, run: Run, target: dict, port: int | None = None):
        super().__init__(run)
        self.target = target
        self.requested_port = port
        self.password, self.username = target["password"], target["username"]
        self.first_db = target["first_db"]

    @property
    def url(self) -> str:
        return redis_url(self.port, self.password, self.username)

    def client(self, db: int = 0, decode_responses: bool = True, **kwargs) -> redis.Redis:
        """A client for the course's database ``db`` (0-3), which is ``first_db + db`` on the server."""
        return redis.Redis(host=HOST, port=self.port, username=self.username or None,
                           password=self.password or None, db=self.first_db + db,
                           decode_responses=decode_responses, **kwargs)

    @property
    def server_pid(self) -> int:
        """The Redis server's own process id (on its machine; the relay is ``pid``)."""
        return self.client().info("server")["process_id"]

    def command(self) -> list[str]:
        return [sys.executable, "-m", "labkit.services.relay_program", str(self.port),
                self.target["host"], str(self.target["port"])]

    @property
    def port_tries(self) -> int:
        return 3 if self.requested_port is None else 1

    def release_ports(self) -> None:
        if self.requested_port is None:
            self.port = None

    def prepare(self) -> None:
        self.port = self.port or self.requested_port or free_port()
        require_free(self.port, "the Redis relay")
        direct = redis.Redis(host=self.target["host"], port=self.target["port"],
                             username=self.username or None, password=self.password or None,
                             socket_connect_timeout=3, socket_timeout=3)
        try:
            direct.ping()
        except redis.RedisError as e:
            raise LabkitError(
                f"ORDERUP_USE_REDIS names {self.target['host']}:{self.target['port']}, which did not "
                f"answer PING: {e}.\nCheck the address and the password, or unset ORDERUP_USE_REDIS to "
                "let the course start its own Redis.") from None
        finally:
            direct.close()

    def wait_until_ready(self) -> None:
        def answers():
            try:
                with self.client(socket_connect_timeout=0.5, socket_timeout=0.5) as c:
                    return bool(c.ping())
            except redis.RedisError:
                return False
        self.wait_for(answers, "waiting for PING through the relay")
