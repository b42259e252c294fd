"""Is this machine ready for the course? Versions of the moving parts and the Redis to be used."""
from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

from labkit.runtime.errors import RedisNotFound
from labkit.runtime.paths import REPO_ROOT
from labkit.runtime.tables import Table
from labkit.services.redis import find_redis_server, server_version

PACKAGES = ["django", "celery", "kombu", "redis", "channels", "channels-redis", "daphne", "websockets"]


def parse_pins(lines) -> dict[str, str]:
    """name -> version from lines like `django==5.2.19  # comment` (other lines are skipped)."""
    pins = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if "==" in line:
            name, ver = line.split("==")
            pins[name.strip().lower()] = ver.strip()
    return pins


def pinned_versions() -> dict[str, str]:
    """name -> version, from requirements.txt (the course's one list of versions)."""
    return parse_pins((REPO_ROOT / "requirements.txt").read_text().splitlines())


def check_setup() -> Table:
    """One row per part of the course: what is installed, what the course pins, and a verdict."""
    pins = pinned_versions()
    rows = [{"part": "python", "found": platform.python_version(), "wanted": ">= 3.11",
             "ok": "yes" if sys.version_info >= (3, 11) else "NO: install Python 3.11 or newer"}]
    for name in PACKAGES:
        try:
            found = version(name)
        except PackageNotFoundError:
            found = "missing"
        wanted = pins.get(name, "")
        ok = "yes" if found == wanted else "NO: run `make lab` (or pip install -r requirements.txt)"
        rows.append({"part": name, "found": found, "wanted": wanted, "ok": ok})
    try:
        binary, source = find_redis_server()
        rows.append({"part": "redis server", "found": f"{server_version(binary)} ({source})",
                     "wanted": "any Redis >= 6.2 or Valkey", "ok": "yes"})
    except RedisNotFound as e:
        rows.append({"part": "redis server", "found": "none", "wanted": "any", "ok": f"NO: {e}"})
    table = Table(rows, ["part", "found", "wanted", "ok"], title="Order Up! setup check")
    table.ready = all(r["ok"] == "yes" for r in rows)
    return table
