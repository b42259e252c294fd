"""The course as Binder and a workshop's JupyterHub run it: learners as ordinary Unix users, each
with a HOME of their own and a Jupyter server under a base_url, several on one machine.

These tests create Unix users (orderup-alice, orderup-bob) and so need root: they run in CI (as
root) and are skipped on a learner's laptop. The users need a Python environment they can read;
root's own may live in /root, so a shared one is built once in /opt (about 30 s, then reused).
"""
from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from labkit.processes import wait_until

from conftest import ROOT, execute
from jupyter_servers import JupyterServer

USERS = ("orderup-alice", "orderup-bob")


def need_root() -> None:
    message = None
    if os.geteuid() != 0:
        message = "needs root to create Unix users"
    elif not (shutil.which("runuser") and shutil.which("useradd")):
        message = "needs runuser and useradd"
    if message:
        if os.environ.get("CI"):
            pytest.fail(message + "; CI runs as root and must run these tests")
        pytest.skip(message)


@pytest.fixture(scope="session")
def shared_python() -> str:
    """A Python with the course's packages that any user can run (the course itself is on PYTHONPATH)."""
    need_root()
    probe = subprocess.run([shutil.which("runuser"), "-u", "nobody", "--", sys.executable, "-c", "import labkit"],
                           capture_output=True, env={"PYTHONPATH": str(ROOT), "HOME": "/tmp"})
    if probe.returncode == 0:
        return sys.executable
    base = next((p for p in ("/usr/bin/python3.11", "/usr/local/bin/python3.11") if os.access(p, os.X_OK)), None)
    if base is None:
        pytest.fail("no Python 3.11 outside /root for the test users (Debian: apt-get install python3.11)")
    digest = hashlib.sha256((ROOT / "requirements.txt").read_bytes()).hexdigest()[:12]
    env_dir = Path(f"/opt/orderup-shared-env-{digest}")
    if not (env_dir / ".complete").exists():
        shutil.rmtree(env_dir, ignore_errors=True)
        subprocess.run([base, "-m", "venv", "--without-pip", str(env_dir)], check=True)
        subprocess.run([sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"), "install",
                        "--quiet", "-r", str(ROOT / "requirements.txt")], check=True)
        (env_dir / ".complete").touch()
    return str(env_dir / "bin" / "python")


@pytest.fixture
def user_homes():
    """A fresh HOME for each test user (created if need be), owned by that user; removed after."""
    need_root()
    homes = {}
    for user in USERS:
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", user], check=True)
        entry = pwd.getpwnam(user)
        Path(entry.pw_dir).mkdir(exist_ok=True)
        os.chown(entry.pw_dir, entry.pw_uid, entry.pw_gid)
        os.chmod(entry.pw_dir, 0o700)
        home = Path(tempfile.mkdtemp(prefix="home-", dir=entry.pw_dir))
        os.chown(home, entry.pw_uid, entry.pw_gid)
        homes[user] = home
    yield homes
    for home in homes.values():
        shutil.rmtree(home, ignore_errors=True)


def start_server(user: str, home: Path, python: str, **env) -> JupyterServer:
    return JupyterServer(home, f"/user/{user}/", user=user, python=python,
                         env={"PYTHONPATH": str(ROOT), **env})


def code_cells(lesson: str) -> list[str]:
    return [c.source for c in nbformat.read(ROOT / "notebooks" / lesson, as_version=4).cells
            if c.cell_type == "code"]


def processes_of(user: str) -> list[str]:
    uid = pwd.getpwnam(user).pw_uid
    import psutil
    names = []
    for p in psutil.process_iter(["uids", "name"]):
        try:
            if p.info["uids"] and p.info["uids"].real == uid:
                names.append(p.info["name"])
        except psutil.Error:
            pass
    return names


def test_lesson_00_as_a_non_root_user_under_a_base_url(shared_python, user_homes):
    user, home = USERS[0], user_homes[USERS[0]]
    server = start_server(user, home, shared_python)
    try:
        kernel_id, client = server.start_kernel()
        assert execute(client, "import os\nprint(os.geteuid())").strip() == str(pwd.getpwnam(user).pw_uid)
        for cell in code_cells("00-open-the-restaurant.ipynb"):
            execute(client, cell)
        # the kernel found its server's base_url: links to the page go through the proxy
        assert execute(client, "print(labkit.browser_url(8123, 'table/5/'))").strip() == \
            f"/user/{user}/proxy/8123/table/5/"
        where = execute(client, "print(labkit.processes.course_home())").strip()
        assert where == str(home / ".cache" / "orderup") and (Path(where) / "runs").is_dir(), where
        client.stop_channels()
        server.api("DELETE", f"kernels/{kernel_id}")
    finally:
        server.stop()
    wait_until(lambda: not processes_of(user), timeout=15, what=f"{user}'s processes to end")


PROBE = """
import asyncio, json, sys, urllib.error, urllib.request
import redis, websockets
redis_port, daphne_port, run_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
out = {}
try:
    redis.Redis(port=redis_port, socket_timeout=3).keys("*")
    out["redis"] = "read the keys"
except redis.RedisError as e:
    out["redis"] = f"refused: {type(e).__name__}"
for name in ("redis.conf", "state.json"):  # the password, the door key
    try:
        open(f"{run_dir}/{name}").read()
        out[name] = "read"
    except OSError as e:
        out[name] = f"refused: {type(e).__name__}"
try:
    urllib.request.urlopen(f"http://127.0.0.1:{daphne_port}/orders/", timeout=5)
    out["orders"] = "listed"
except urllib.error.HTTPError as e:
    out["orders"] = f"refused: HTTP {e.code}"
async def buzzer():
    try:
        async with websockets.connect(f"ws://127.0.0.1:{daphne_port}/ws/table/5/",
                                      origin=f"http://127.0.0.1:{daphne_port}"):
            return "listening"
    except websockets.InvalidStatus as e:
        return f"refused: HTTP {e.response.status_code}"
out["buzzer"] = asyncio.run(buzzer())
print(json.dumps(out))
"""


def test_two_users_run_lesson_09_at_once_and_cannot_reach_each_other(shared_python, user_homes):
    servers = {user: start_server(user, user_homes[user], shared_python) for user in USERS}
    kernels = {}
    try:
        for user, server in servers.items():
            kernels[user] = server.start_kernel()
        cells = code_cells("09-order-up.ipynb")

        def run(user, chosen):
            for cell in chosen:
                execute(kernels[user][1], cell, timeout=180)
            return user

        with concurrent.futures.ThreadPoolExecutor(2) as pool:  # both at the same time
            list(pool.map(lambda u: run(u, cells[:-1]), USERS))  # all but the closing cell

        # while both restaurants are open, each user tries the other's Redis, files and Daphne
        for me, other in (USERS, reversed(USERS)):
            where = execute(kernels[other][1], "print(kitchen.redis.port, kitchen.daphne.port, kitchen.run.dir)")
            probe = subprocess.run(
                [shutil.which("runuser"), "--preserve-environment", "-u", me, "--", shared_python, "-c", PROBE, *where.split()],
                capture_output=True, text=True, timeout=60,
                env={"HOME": str(user_homes[me]), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
            assert probe.returncode == 0, probe.stderr
            seen = json.loads(probe.stdout)
            assert seen == {"redis": "refused: AuthenticationError", "redis.conf": "refused: PermissionError",
                            "state.json": "refused: PermissionError", "orders": "refused: HTTP 403",
                            "buzzer": "refused: HTTP 403"}, (me, other, seen)

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda u: run(u, cells[-1:]), USERS))  # both close their restaurants
        for user, (kernel_id, client) in kernels.items():
            client.stop_channels()
            servers[user].api("DELETE", f"kernels/{kernel_id}")
    finally:
        for server in servers.values():
            server.stop()
    for user in USERS:
        wait_until(lambda user=user: not processes_of(user), timeout=15, what=f"{user}'s processes to end")
