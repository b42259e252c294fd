"""A workshop on a real JupyterHub, set up by INSTRUCTORS.md's own steps, as two learners use it.

The hub is JupyterHub (requirements-hub.txt) with configurable-http-proxy from npm, the default
LocalProcessSpawner and PAM logins, on https with a port other than 443 under a made-up host name
(Chromium maps it to 127.0.0.1). Throwaway Unix users (the learners, an instructor, an admin, the
room's learners) are created and removed by the test. The shell and Python blocks of INSTRUCTORS.md's
"One host" section run as they are written, with this test's paths, host and port substituted (the
environment is cached between runs by its pins).

Both learners log in in Chromium, open lesson 09 from JupyterLab's file browser and run it from the
Run menu at the same time; each opens the link the lesson printed, orders from the page through the
hub and sees *ready*. Then each tries the other's Redis, Daphne, front desk, Flower, run folder and
home, through the hub and as a local process; one learner's edit to their own copy of a task runs
for them and not for the other; and stopping both servers through the hub's API leaves no process.

The instructor's board (step 4) runs too: an instructor (in the instructors group, with no server of
her own) logs in and opens it; one learner passes two checks, the other fails one three times, and
her page shows both within seconds, the second flagged. Each learner opening the board sees their
own row only, and each learner's kernel reporting as the other (their own token and the other's name,
no token, a made-up one) is refused. Stopping the hub stops the board.

A room of learners (ORDERUP_ROOM, 3 here, 10 in `make bench`) then works at once without browsers
(tests/hub_room.py): each logs in through the hub's API, gets a server and runs lesson 09 and lab 09 in
a kernel each; no order is lost, no buzz or order crosses between them, the board shows every lab (a
learner with two kernels as one row; every row to a hub admin outside the instructors group, their own
to a learner), and no process is left once the hub stops their servers. The board's rules for who looks
stuck and which kernel a row shows are run on made-up learners by the hub's own Python; and so is a
kernel whose port another program took before it bound it, which starts again only with step 3's
Spawner.args.

Needs root (users, PAM, the hub), npm, openssl and a Python outside /root: skipped with the reason
without them, failing under CI (CI=true).
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import hub_room
import psutil
import pytest

from labkit.runtime import reaper
from labkit.runtime.ports import ephemeral_range, free_port, quiet_port
from labkit.runtime.waiting import wait_until

from conftest import ROOT
from hub_clients import Hub
from jupyterlab_ui import (
    CHROMIUM_ARGS,
    code_cells,
    count,
    errors_in,
    open_from_file_browser,
    run_all,
    save,
    scroll_until,
    unrun_cells,
)
from test_browser import chromium_executable

pytestmark = pytest.mark.slow  # real kernels, browsers or installs: not in `make test-fast`

USERS = ("orderup-hub-ana", "orderup-hub-ben")
# the room test's learners, without browsers: 3 in the suite, more for the guide's sizing (make bench)
ROOM = tuple(f"orderup-room-{n:02d}" for n in range(1, int(os.environ.get("ORDERUP_ROOM", "3")) + 1))
ALONE = "orderup-room-solo"  # the guide's "alone" run: a learner of their own, so nothing of it is left in the room's
INSTRUCTOR = "orderup-hub-cara"  # in the instructors group of step 4: sees the board, has no server
ADMIN = "orderup-hub-dan"  # a hub admin, in no group: sees the board too
BOARD = "/services/orderup-board/"
HOST = "hub.test"
LESSON = "09-order-up.ipynb"
SYSTEM_PYTHON = "/usr/bin/python3.11"
GUIDE = ROOT / "INSTRUCTORS.md"


def need(condition: bool, message: str) -> None:
    if condition:
        return
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(message + "; CI runs as root with npm and must run the hub test")
    pytest.skip(message)


def guide_blocks() -> dict[str, str]:
    """INSTRUCTORS.md's fenced blocks that start with a "# step N: ..." line, by that line."""
    blocks = re.findall(r"```(?:bash|python)\n(# step \d+:[^\n]*)\n(.*?)```", GUIDE.read_text(), re.DOTALL)
    return {title: body for title, body in blocks}


def step(number: int) -> str:
    (body,) = [b for t, b in guide_blocks().items() if t.startswith(f"# step {number}:")]
    return body


def substitute(text: str, paths: dict[str, str]) -> str:
    """The guide's paths (whole ones: /opt/orderup is not the start of /opt/orderup-arq) -> the test's."""
    pattern = "|".join(re.escape(p) for p in sorted(paths, key=len, reverse=True))
    return re.sub(rf"(?<![\w/-])({pattern})(?![\w-])", lambda m: paths[m[1]], text)


def run(command: str, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(["bash", "-ec", command], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


def instructors_copy(target: Path) -> Path:
    """What `git clone <the course> /srv/order-up` gives an instructor: this checkout's files (with
    uncommitted changes, so the test sees them too), as a repository root owns."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    run("git init -q && git add -A && git -c user.name=instructor -c user.email=i@hub.test commit -qm course",
        cwd=target)
    return target


@pytest.fixture(scope="module")
def course_for_everyone(tmp_path_factory):
    """Step 1, as root: the instructor's copy, the learners' environment, arq's, the hub's proxy."""
    need(os.geteuid() == 0, "needs root to create users and run a hub that spawns them")
    for tool in ("npm", "openssl", "runuser", "useradd", "git"):
        need(shutil.which(tool) is not None, f"needs {tool}")
    need(os.access(SYSTEM_PYTHON, os.X_OK), f"needs {SYSTEM_PYTHON}, a Python learners can run")
    clean_up_after_a_crash()
    root = tmp_path_factory.mktemp("hub")
    # the instructor's copy, where learners can read it (pytest's own folders are root's alone)
    shared = Path(tempfile.mkdtemp(prefix=COPY_PREFIX))
    remember(course_copy=str(shared))
    os.chmod(shared, 0o755)
    srv = instructors_copy(shared / "order-up")
    # what the environments are built from: the pins, and the guide's own step (its npm line, say)
    pins = b"".join((ROOT / f).read_bytes() for f in
                    ("requirements.txt", "requirements-hub.txt", "benchmarks/requirements-arq.txt"))
    digest = hashlib.sha256(pins + step(1).encode()).hexdigest()[:12]
    paths = {"/srv/order-up": str(srv), "/opt/orderup-arq": f"/opt/orderup-hub-arq-{digest}",
             "/opt/orderup-chp": f"/opt/orderup-hub-chp-{digest}", "/opt/orderup": f"/opt/orderup-hub-{digest}",
             "python3.11": SYSTEM_PYTHON}
    safe_directory = f"{srv}/.git"

    def built_before(line: str) -> Path | None:
        """The marker of what a slow line builds, if an earlier run built it from the same pins."""
        for env in (paths["/opt/orderup"], paths["/opt/orderup-arq"]):
            if f"-m venv {env}" in line or f"{env}/bin/pip install --quiet -r" in line:
                return Path(env) / ".complete"
        if "npm install" in line:
            return Path(paths["/opt/orderup-chp"]) / ".complete"
        return None

    try:
        for line in step(1).splitlines():
            line = line.strip()
            if not line or line.startswith("#") or line.startswith("git clone "):
                continue  # the clone is instructors_copy() above
            line = substitute(line, paths)
            marker = built_before(line)
            if marker is not None and marker.exists():
                continue
            run(line, timeout=900)
            if marker is not None and " -m venv " not in line:
                marker.touch()  # installed: later runs with the same pins skip it
        yield {"srv": srv, "env": Path(paths["/opt/orderup"]), "paths": paths, "root": root}
    finally:
        subprocess.run(["git", "config", "--system", "--fixed-value", "--unset-all", "safe.directory",
                        safe_directory], capture_output=True)
        shutil.rmtree(shared, ignore_errors=True)
        LEFT_BEHIND.unlink(missing_ok=True)


def own_processes(user: str):
    """Each process running as ``user``, with its command line in ``proc.info``."""
    uid = pwd.getpwnam(user).pw_uid
    for proc in psutil.process_iter(["uids", "cmdline"]):
        if proc.info["uids"] and proc.info["uids"].real == uid:
            yield proc


def kill_processes_of(user: str) -> None:
    for proc in own_processes(user):
        try:
            proc.kill()
        except psutil.Error:
            pass


def server_ports(user: str) -> list[int]:
    """The ports the learner's Jupyter server (jupyterhub-singleuser) listens on."""
    ports = []
    for proc in own_processes(user):
        if "jupyterhub-singleuser" in " ".join(proc.info["cmdline"] or []):
            try:
                ports += [c.laddr.port for c in proc.net_connections("tcp") if c.status == psutil.CONN_LISTEN]
            except psutil.Error:
                pass
    return ports


def processes_of(user: str) -> list[str]:
    return [" ".join(proc.info["cmdline"] or [])[:100] for proc in own_processes(user)]


# what a run of this test starts outside pytest's folders (the course's copy, the hub), written as it
# starts them and removed when all has stopped: a run that never reached its clean-up (killed, or
# crashed) is cleaned up by the next. Root acts on it, so it lives in root's home, in a 0700 folder,
# never in /tmp where another user could plant one
LEFT_BEHIND = Path.home() / ".cache" / "orderup-hub-test" / "left-behind.json"
COPY_PREFIX = "orderup-hub-srv-"  # the course's copy: tempfile.mkdtemp(prefix=COPY_PREFIX)


def left_behind() -> dict:
    """What an earlier run wrote, if this user wrote it (a plain file of its own, not a link)."""
    try:
        info = os.lstat(LEFT_BEHIND)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return {}
        return json.loads(LEFT_BEHIND.read_text())
    except (OSError, ValueError):
        return {}


def remember(**started) -> None:
    LEFT_BEHIND.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    reaper.write_json(LEFT_BEHIND, {**left_behind(), **started})


def clean_up_after_a_crash() -> None:
    """Stop the hub, its proxy and its board that an earlier run left running, and remove its copy."""
    left = left_behind()
    copy = left.get("course_copy")
    if copy and not (Path(copy).parent == Path(tempfile.gettempdir()) and Path(copy).name.startswith(COPY_PREFIX)):
        copy = None  # not a copy this test makes: leave it
    hub = reaper.same_process(left["hub"], left["hub_started"]) if "hub_started" in left else None
    if hub is not None:
        os.killpg(hub.pid, signal.SIGKILL)
    if "port" in left:
        stop_the_proxy(Path(left["proxy_pid_file"]), left["port"])
    if copy:
        for pid in board_processes(copy):
            with contextlib.suppress(psutil.Error):
                psutil.Process(pid).kill()
        subprocess.run(["git", "config", "--system", "--fixed-value", "--unset-all", "safe.directory",
                        f"{copy}/order-up/.git"], capture_output=True)
        shutil.rmtree(copy, ignore_errors=True)
    LEFT_BEHIND.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def learners(course_for_everyone):
    """Step 2 for each test learner: a user with a 0700 home and a password; removed afterwards."""
    passwords = {}
    everyone = (*USERS, INSTRUCTOR, ADMIN, *ROOM, ALONE)
    for user in everyone:
        remove_user(user)  # left by a run that died before its clean-up
        password = secrets.token_urlsafe(12)
        run(step(2).replace("learner01", user).replace("a-password-for-today", password))
        passwords[user] = password
    try:
        yield passwords
    finally:
        for user in everyone:
            remove_user(user)


def remove_user(user: str) -> None:
    """The user, their home and their processes gone (userdel refuses a user who still runs one)."""
    try:
        pwd.getpwnam(user)
    except KeyError:
        return
    kill_processes_of(user)
    wait_until(lambda: not processes_of(user), timeout=10, what=f"{user}'s processes to end")
    done = subprocess.run(["userdel", "--remove", user], capture_output=True, text=True)
    # 12: the home could not be removed (already gone): the user is, which is what counts
    assert done.returncode in (0, 12), f"userdel {user}: {done.returncode} {done.stderr}"


@pytest.fixture(scope="module")
def hub(course_for_everyone, learners):
    """Step 3: the hub's configuration as INSTRUCTORS.md gives it, on https at hub.test:<port>;
    then, for the test only, its own ports and files and an admin service with a token."""
    root, env = course_for_everyone["root"], course_for_everyone["env"]
    folder = root / "hub"
    folder.mkdir()
    cert, key = folder / "cert.pem", folder / "key.pem"
    run(f"openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN={HOST} -addext subjectAltName=DNS:{HOST} "
        f"-keyout {key} -out {cert}")
    port, token = free_port(), secrets.token_hex(24)
    config = step(3).replace("hub.example.org", HOST).replace(":8443", f":{port}")
    config = config.replace('"https://:', '"https://127.0.0.1:')  # loopback only, for a test
    config = config.replace("/etc/ssl/hub/cert.pem", str(cert)).replace("/etc/ssl/hub/key.pem", str(key))
    config = config.replace('{"learner01", "learner02"}', repr({*USERS, *ROOM, ALONE}))
    config = substitute(config, course_for_everyone["paths"])
    # step 4, the instructor's board, on a port of the test's
    board_port = quiet_port()
    config += "\n" + substitute(step(4).replace("10101", str(board_port)).replace("teacher01", INSTRUCTOR),
                                 course_for_everyone["paths"])
    config += f"""
# -- the test's own: ports and files of its own, and an admin service that drives the hub's API
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.JupyterHub.db_url = "sqlite:///{folder}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{folder}/jupyterhub_cookie_secret"
c.ConfigurableHTTPProxy.pid_file = "{folder}/proxy.pid"
c.Spawner.start_timeout = 90
c.Spawner.http_timeout = 90
c.Authenticator.admin_users = {{"{ADMIN}"}}
c.JupyterHub.services.append({{"name": "orderup-test", "api_token": "{token}"}})
c.JupyterHub.load_roles.append({{"name": "orderup-test", "services": ["orderup-test"],
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:users", "list:users"]}})
"""
    (folder / "jupyterhub_config.py").write_text(config)
    log = open(folder / "hub.log", "w")
    started = time.monotonic()
    proc = subprocess.Popen([str(env / "bin" / "jupyterhub"), "-f", "jupyterhub_config.py"], cwd=folder,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    remember(hub=proc.pid, hub_started=psutil.Process(proc.pid).create_time(), port=port,
             proxy_pid_file=str(folder / "proxy.pid"))
    client = Hub(HOST, port, token)

    def answers():
        assert proc.poll() is None, (folder / "hub.log").read_text()[-3000:]
        try:
            return client.request("GET", "/hub/api/")[0] == 200
        except OSError:
            return False

    try:
        wait_until(answers, timeout=90, what="the hub to answer")
        client.started_in = time.monotonic() - started
        client.log = folder / "hub.log"
        client.env_python = env / "bin" / "python"
        yield client
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        stop_the_proxy(folder / "proxy.pid", port)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    # the hub stopped its board (a managed service) with it
    copy = course_for_everyone["srv"].parent
    wait_until(lambda: not board_processes(copy), timeout=15, what="the board to stop with the hub")


def board_processes(copy) -> list[int]:
    """The board of the hub that runs the course from ``copy`` (its command names the copy's board.py)."""
    board = f"{copy}/order-up/deploy/board/board.py"
    return [proc.pid for proc in psutil.process_iter(["cmdline"]) if board in (proc.info["cmdline"] or [])]


def stop_the_proxy(pid_file: Path, port: int) -> None:
    """configurable-http-proxy runs in a session of its own: a hub that died at start leaves it."""
    for proc in psutil.process_iter(["cmdline"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if "configurable-http-proxy" in cmd and f"--port {port}" in cmd:
            try:
                proc.terminate()
                proc.wait(10)
            except psutil.Error:
                pass
    pid_file.unlink(missing_ok=True)


class Sampler(hub_room.Every):
    """Every process of each learner's Unix user, sampled four times a second: the peak of their
    resident memory together, and the CPU seconds they used (each process's last reading)."""

    def __init__(self, users):
        super().__init__()
        self.uids = {pwd.getpwnam(u).pw_uid: u for u in users}
        self.peak = {u: 0 for u in users}
        self.cpu: dict[tuple, float] = {}

    def sample(self):
        memory = dict.fromkeys(self.peak, 0)
        for proc in psutil.process_iter(["uids"]):
            try:
                user = self.uids.get(proc.info["uids"].real) if proc.info["uids"] else None
                if user is None:
                    continue
                with proc.oneshot():
                    memory[user] += proc.memory_info().rss
                    times = proc.cpu_times()
                    self.cpu[(user, proc.pid, proc.create_time())] = times.user + times.system
            except psutil.Error:
                pass
        for user, rss in memory.items():
            self.peak[user] = max(self.peak[user], rss)

    def cpu_seconds(self, user: str) -> float:
        return sum(t for (u, *_), t in self.cpu.items() if u == user)


async def log_in(context, hub: Hub, user: str, password: str) -> tuple[object, float]:
    """The hub's login page, then the spawn, until JupyterLab shows the course's notebooks."""
    page = await context.new_page()
    await page.goto(f"https://{HOST}:{hub.port}/hub/login")
    await page.fill("#username_input", user)
    await page.fill("#password_input", password)
    started = time.monotonic()
    await page.click("#login_submit")
    try:
        await page.locator(".jp-DirListing-item", has_text="00-open-the-restaurant.ipynb").wait_for(timeout=120_000)
    except Exception as error:
        await page.screenshot(path=f"/tmp/ui/hub-{user}.png")
        raise AssertionError(f"{user} never saw JupyterLab: at {page.url}\n{(await page.inner_text('body'))[:2000]}\n"
                             f"hub log:\n{hub.log.read_text()[-4000:]}") from error
    return page, time.monotonic() - started


async def order_from_the_page(context, url: str) -> str:
    """Open the link the lesson printed, order with the page's form, wait for *ready*."""
    page = await context.new_page()
    await page.goto(url)
    await page.wait_for_selector("body[data-buzzer=open]", timeout=15_000)
    async with page.expect_response(lambda r: r.request.method == "POST") as answer:
        await page.click("button[type=submit]")
    assert (await answer.value).status == 202, await (await answer.value).text()
    await page.wait_for_selector("#status.ready", timeout=15_000)
    status = await page.inner_text("#status")
    await page.close()
    return status


KERNEL_ENV = """import os, labkit.runtime.browser as b
print({k: os.environ.get(k) for k in ("JUPYTERHUB_SERVICE_PREFIX", "ORDERUP_BROWSER")},
      "jupyter_base_url:", b.jupyter_base_url(), "labkit from:", b.__file__)"""


async def learner_runs_lesson_09(browser, hub: Hub, user: str, password: str, figures: dict):
    context = await browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    page, figures[user]["login and spawn (s)"] = await log_in(context, hub, user, password)
    await open_from_file_browser(page, None, LESSON)
    notebook = Path(pwd.getpwnam(user).pw_dir) / "order-up" / "notebooks" / LESSON
    figures[user]["lesson 09 from Run All (s)"] = await run_all(page, code_cells(json.loads(notebook.read_text())))
    await save(page)
    saved = json.loads(notebook.read_text())
    assert errors_in(saved) == [], (user, errors_in(saved))
    assert unrun_cells(saved) == [], (user, "cells saved without running", unrun_cells(saved))
    try:  # outputs are drawn a moment after the kernel reports them, and only near the viewport
        await scroll_until(page, """() => Array.from(document.querySelectorAll('.jp-OutputArea-output a'))
            .some(a => (a.getAttribute('href') || '').includes('/orderup/run/'))""")
    except Exception as error:
        kernel_env = hub.run(user, hub.kernel_of(user, LESSON), KERNEL_ENV)  # why the kernel chose so
        raise AssertionError(f"{user}: no link to the front desk drawn; the kernel's {kernel_env.strip()}; "
                             "the saved page cell: "
                             f"{[c['outputs'] for c in saved['cells'] if 'kitchen.page(5)' in ''.join(c['source'])]}"
                             ) from error
    link = await page.evaluate("""() => Array.from(document.querySelectorAll('.jp-OutputArea-output a'))
        .map(a => a.getAttribute('href')).find(h => h && h.includes('/orderup/run/'))""")
    assert link.startswith(f"/user/{user}/orderup/run/"), (user, link)
    mermaid = await count(page, ".jp-RenderedMermaid figure img[src^='data:image/svg+xml']")  # drawn, not failed
    assert mermaid >= 1, f"{user}: JupyterLab drew no Mermaid diagram"
    status = await order_from_the_page(context, f"https://{HOST}:{hub.port}{link}")
    assert status.endswith(": ready"), (user, status)
    return context


# what one learner tries, as a process of their own, against the other's services and files
LOCAL_PROBE = """
import asyncio, json, os, socket, sys, urllib.error, urllib.request
import redis, websockets
where = json.loads(sys.argv[1])
out = {}
try:
    redis.Redis(port=where["redis"], socket_timeout=3).keys("*")
    out["redis"] = "read the keys"
except redis.RedisError as e:
    out["redis"] = f"refused: {type(e).__name__}"
for name in ("redis.conf", "state.json"):  # the password, the door key
    try:
        open(os.path.join(where["run"], name)).read()
        out[name] = "read"
    except OSError as e:
        out[name] = f"refused: {type(e).__name__}"
for name, page in (("orders", "orders/"), ("kitchen", "kitchen/"), ("login", "accounts/login/")):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{where['daphne']}/{page}", timeout=5)
        out[name] = "served"
    except urllib.error.HTTPError as e:
        out[name] = f"refused: HTTP {e.code}"
async def buzzer(path):
    try:
        async with websockets.connect(f"ws://127.0.0.1:{where['daphne']}/{path}",
                                      origin=f"http://127.0.0.1:{where['daphne']}"):
            return "listening"
    except websockets.InvalidStatus as e:
        return f"refused: HTTP {e.response.status_code}"
for name, path in (("buzzer", "ws/table/5/"), ("customer's buzzer", "ws/me/"), ("kitchen display", "ws/kitchen/")):
    out[name] = asyncio.run(buzzer(path))
for name in ("desk", "flower"):  # Unix sockets
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(where[name])
        out[name] = "connected"
    except OSError as e:
        out[name] = f"refused: {type(e).__name__}"
try:
    os.listdir(where["home"])
    out["home"] = "listed"
except OSError as e:
    out["home"] = f"refused: {type(e).__name__}"
print(json.dumps(out))
"""
REFUSED_LOCALLY = {"redis": "refused: AuthenticationError", "redis.conf": "refused: PermissionError",
                   "state.json": "refused: PermissionError", "orders": "refused: HTTP 403",
                   "kitchen": "refused: HTTP 403", "login": "refused: HTTP 403",
                   "buzzer": "refused: HTTP 403", "customer's buzzer": "refused: HTTP 403",
                   "kitchen display": "refused: HTTP 403", "desk": "refused: PermissionError",
                   "flower": "refused: PermissionError", "home": "refused: PermissionError"}


def desk_socket(user: str) -> str:
    """The Unix socket of the user's front desk (jupyter-server-proxy's {unix_socket})."""
    uid = pwd.getpwnam(user).pw_uid
    for proc in psutil.process_iter(["uids", "cmdline"]):
        cmd = proc.info["cmdline"] or []
        if proc.info["uids"] and proc.info["uids"].real == uid and "labkit.kitchen.front_desk" in cmd:
            return cmd[cmd.index("--unix-socket") + 1]
    raise AssertionError(f"{user} runs no front desk")


async def through_the_hub(context, hub: Hub, me: str, other: dict) -> dict:
    """What ``me``'s browser session gets for the other learner's pages and ports."""
    base = f"https://{HOST}:{hub.port}"
    page = await context.new_page()

    async def get(path: str):
        """Where the browser ends up (redirects followed, as a learner's browser follows them)."""
        try:
            answer = await page.goto(base + path)
        except Exception as failed:  # no HTTP answer at all
            return 599, str(failed).encode()
        return answer.status, await answer.body()

    seen = {}
    for name, path in (("their lab", f"/user/{other['user']}/lab"),
                       ("their desk", f"/user/{other['user']}/orderup/"),
                       ("their flower", f"/user/{other['user']}/flower/")):
        status, body = await get(path)
        seen[name] = status
        assert other["key"].encode() not in body
    for name, path in (("their orders, through my proxy", f"/user/{me}/proxy/{other['daphne']}/orders/"),
                       ("their table, through my proxy", f"/user/{me}/proxy/{other['daphne']}/table/5/"),
                       ("their kitchen, through my proxy", f"/user/{me}/proxy/{other['daphne']}/kitchen/"),
                       ("their login, through my proxy", f"/user/{me}/proxy/{other['daphne']}/accounts/login/")):
        status, body = await get(path)
        seen[name] = status
        assert b"another notebook's kernel" in body and other["key"].encode() not in body
    status, body = await get(f"/user/{me}/proxy/{other['redis']}/")
    seen["their redis, through my proxy"] = "no answer" if status >= 500 else status
    status, body = await get(f"/user/{me}/orderup/")
    seen["my desk lists their restaurant"] = other["run_id"].encode() in body or other["key"].encode() in body
    status, body = await get(f"/user/{me}/orderup/run/{other['run_id']}/table/5/")
    seen["my desk, their link"] = status
    assert other["key"].encode() not in body
    await page.close()
    return seen


REFUSED_THROUGH_THE_HUB = {
    "their lab": 403, "their desk": 403, "their flower": 403,
    "their orders, through my proxy": 403, "their table, through my proxy": 403,
    "their kitchen, through my proxy": 403, "their login, through my proxy": 403,
    "their redis, through my proxy": "no answer", "my desk lists their restaurant": False,
    "my desk, their link": 503,
}

WHERE = """
import json
flower = kitchen.start_flower()
print(json.dumps({"redis": kitchen.redis.port, "daphne": kitchen.daphne.port, "run": str(kitchen.run.dir),
                  "run_id": kitchen.run.id, "key": kitchen.door_key, "flower": str(flower.socket)}))
"""

EDIT_THE_SPECIAL = """
from pathlib import Path
tasks = Path("../restaurant/techniques/periodic.py")
tasks.write_text(tasks.read_text().replace('"today: soup and pancakes"', '"today: ana\\'s own special"'))
"""
ASK_FOR_THE_SPECIAL = """
from restaurant.techniques.periodic import post_lunch_specials
kitchen.worker.restart()
print(post_lunch_specials.delay().get(timeout=20))
"""


def test_two_learners_on_a_real_hub(hub, learners):
    executable = chromium_executable()
    figures = {user: {} for user in USERS}
    ana, ben = USERS

    async def workshop():
        from playwright.async_api import async_playwright
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=executable, chromium_sandbox=False,
                args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"])
            with Sampler(USERS) as sampler:
                contexts = await asyncio.gather(*(learner_runs_lesson_09(browser, hub, u, learners[u], figures)
                                                  for u in USERS))
            for user in USERS:
                figures[user]["peak memory (MiB)"] = round(sampler.peak[user] / 1024**2)
                figures[user]["CPU (s)"] = round(sampler.cpu_seconds(user), 1)
            contexts = dict(zip(USERS, contexts, strict=True))
            # the guide's hook gave each server a port below the ephemeral range, which no kernel is handed
            low = ephemeral_range()[0]
            for user in USERS:
                ports = server_ports(user)
                assert ports and all(port < low for port in ports), (user, ports, low)

            # while both restaurants are open, each learner tries the other's
            kernels = {u: hub.kernel_of(u, LESSON) for u in USERS}
            where = {}
            for user in USERS:
                where[user] = json.loads(hub.run(user, kernels[user], WHERE))
                where[user].update(user=user, desk=desk_socket(user), home=pwd.getpwnam(user).pw_dir)
            for me, other in ((ana, ben), (ben, ana)):
                seen = await through_the_hub(contexts[me], hub, me, where[other])
                assert seen == REFUSED_THROUGH_THE_HUB, (me, other, seen)
                probe = subprocess.run(
                    ["runuser", "-u", me, "--", str(hub.env_python), "-c", LOCAL_PROBE, json.dumps(where[other])],
                    capture_output=True, text=True, timeout=60, cwd="/")
                assert probe.returncode == 0, probe.stderr
                assert json.loads(probe.stdout) == REFUSED_LOCALLY, (me, other, probe.stdout)

            # each learner's worker runs that learner's own copy of the code
            hub.run(ana, kernels[ana], EDIT_THE_SPECIAL)
            assert hub.run(ana, kernels[ana], ASK_FOR_THE_SPECIAL).strip() == "today: ana's own special"
            assert hub.run(ben, kernels[ben], ASK_FOR_THE_SPECIAL).strip() == "today: soup and pancakes"

            # the instructor's board: the two learners' checks, seen live; each learner sees their own row
            await the_board(browser, hub, kernels, contexts, learners)

            for context in contexts.values():
                await context.close()
            await browser.close()

    asyncio.run(workshop())

    # stopping the servers through the hub's API stops everything the course started for them
    assert stop_servers(hub, USERS) == {user: [] for user in USERS}

    report(hub, figures)


PASS_TWO = """import labkit
for number in (1, 2):
    labkit.check(True, exercise=f"09.{number}", success="done", problem="", hint="")"""
FAIL_THREE_TIMES = """import labkit
from labkit.runtime.errors import LabCheckFailed
for _ in range(3):
    try:
        labkit.check(False, exercise="09.1", success="", problem="the buzz never came", hint="the group's name")
    except LabCheckFailed:
        pass"""
# from a learner's kernel: reports the board must refuse (the learner's own token naming the other
# learner, no token, a made-up token), then a report of the learner's own, which it takes
POSTS = """import json, os, urllib.error, urllib.request
def post(token, body):
    headers = {"Authorization": f"token {token}"} if token else {}
    request = urllib.request.Request(os.environ["ORDERUP_BOARD_URL"] + "report", data=json.dumps(body).encode(),
                                     headers=headers, method="POST")
    try:
        return urllib.request.urlopen(request, timeout=10).status
    except urllib.error.HTTPError as refused:
        return refused.code
from labkit.kitchen import board
own = os.environ["JUPYTERHUB_API_TOKEN"]
forged = {"learner": OTHER, "lesson": "forged", "checks": {"09": {"1": {"passed": True, "attempts": 1}}}}
print(json.dumps({"own token, the other's name": post(own, forged), "no token": post(None, forged),
                  "a made-up token": post("0" * 32, forged), "own token, own row": post(own, board.row())}))"""
REFUSED_POSTS = {"own token, the other's name": 403, "no token": 403, "a made-up token": 403, "own token, own row": 204}


async def the_board(browser, hub: Hub, kernels: dict, contexts: dict, passwords: dict) -> None:
    """The instructor logs in and opens the board; ana passes two checks, ben fails one three times: both
    rows change on the instructor's page within seconds, ben's flagged. Each learner's browser sees their
    own row only, and each learner's kernel is refused when it reports as the other."""
    ana, ben = USERS
    context = await browser.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 700})
    page = await context.new_page()
    await page.goto(f"https://{HOST}:{hub.port}/hub/login?next={BOARD}")
    await page.fill("#username_input", INSTRUCTOR)
    await page.fill("#password_input", passwords[INSTRUCTOR])
    await page.click("#login_submit")
    for user in USERS:  # their kernels reported when lesson 09 imported labkit
        await page.locator(f"tr[data-learner='{user}']", has_text="notebooks/09-order-up").wait_for(timeout=30_000)
    started = time.monotonic()
    hub.run(ana, kernels[ana], PASS_TWO)
    hub.run(ben, kernels[ben], FAIL_THREE_TIMES)
    await page.locator(f"tr[data-learner='{ana}']", has_text="09.2 ✔1").wait_for(timeout=15_000)
    stuck = page.locator(f"tr.stuck[data-learner='{ben}']", has_text="lab 09, exercise 1: 3 tries")
    await stuck.wait_for(timeout=15_000)
    hub.board_delay = time.monotonic() - started  # both learners' checks on the instructor's page
    assert await page.locator(f"tr.stuck[data-learner='{ana}']").count() == 0
    assert re.search(r"open \(.*worker.*\), \d+ MiB", await page.locator(f"tr[data-learner='{ana}']").inner_text())
    await page.screenshot(path="/tmp/ui/hub-board.png")
    for me, other in ((ana, ben), (ben, ana)):
        # a learner opening the board sees their own row only
        mine = await contexts[me].new_page()
        await mine.goto(f"https://{HOST}:{hub.port}{BOARD}")
        await mine.wait_for_function("window.lastBoard !== undefined", timeout=15_000)
        seen = await mine.evaluate("window.lastBoard")
        assert (seen["instructor"], [row["learner"] for row in seen["rows"]]) == (False, [me]), seen
        # nor can the learner's browser report, with its board cookie and a made-up token
        status = await mine.evaluate("""fetch("report", {method: "POST", body: JSON.stringify({lesson: "forged"}),
            headers: {"Authorization": "token 00000000",
                      "X-XSRFToken": document.querySelector("meta[name=xsrf]").content}})
            .then(answer => answer.status)""")
        assert status == 403, status
        await mine.close()
        # and cannot write the other's
        answers = json.loads(hub.run(me, kernels[me], f"OTHER = {other!r}\n" + POSTS))
        assert answers == REFUSED_POSTS, (me, answers)
    await page.reload()
    await page.locator(f"tr.stuck[data-learner='{ben}']", has_text="09.1 ✘3").wait_for(timeout=15_000)
    assert "forged" not in await page.inner_text("tbody")
    await context.close()


def report(hub: Hub, figures: dict) -> None:
    lines = [f"- hub start (JupyterHub and its proxy answering): {hub.started_in:.1f} s",
             f"- the board showed both learners' checks {hub.board_delay:.1f} s after the first was run",
             f"- kernel WebSockets tried again: {hub.retried}"]
    for user, row in figures.items():
        lines.append(f"- {user}: " + ", ".join(f"{k} {v:.1f}" for k, v in row.items()))
    print("\nthe hub test's figures\n" + "\n".join(lines))


def stop_servers(hub: Hub, users) -> dict[str, list[str]]:
    """Each server stopped through the hub's API; what is still running as each user 30 s later."""
    for user in users:
        hub.api("DELETE", f"users/{user}/server")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(processes_of(user) for user in users):
        time.sleep(0.5)
    return {user: processes_of(user) for user in users}


# what a learner's server (jupyter_server) logs when a kernel has not answered the kernel_info request it
# sends before it completes a kernel WebSocket's handshake, after kernel_info_timeout (60 s by default)
KERNEL_INFO_GIVEN_UP = "Timeout waiting for kernel_info reply"


def test_a_room_full_of_learners(hub, learners):
    """ROOM's learners at once through the hub's API (tests/hub_room.py): lesson 09 and lab 09 in a kernel
    each, then three teas each at the same moment. No order lost, nothing heard or held by the wrong
    learner, the board shows every lab, no process left once the hub stops their servers. With
    ORDERUP_ROOM_FIGURES=<file> (make bench: benchmarks/room.py), a learner of its own (ALONE) runs first, and
    both runs' figures go to that file."""
    teacher = (INSTRUCTOR, learners[INSTRUCTOR])
    figures_file = os.environ.get("ORDERUP_ROOM_FIGURES")
    alone = None
    if figures_file:
        with Sampler([ALONE]) as sampler:
            alone = hub_room.room(hub, {ALONE: learners[ALONE]}, teacher, BOARD, sampler)["learners"][ALONE]
        assert stop_servers(hub, [ALONE]) == {ALONE: []}
    gave_up_before = hub.log.read_text().count(KERNEL_INFO_GIVEN_UP)
    with Sampler(ROOM) as sampler:
        measured = hub_room.room(hub, {user: learners[user] for user in ROOM}, teacher, BOARD, sampler)
    measured["kernel_info given up"] = hub.log.read_text().count(KERNEL_INFO_GIVEN_UP) - gave_up_before
    stopping = time.monotonic()
    left = stop_servers(hub, ROOM)
    stopped = time.monotonic() - stopping
    rows = measured["learners"]
    print("\nthe room's figures\n" + "\n".join(f"- {user}: {row}" for user, row in rows.items()) + "\n- host: "
          f"{measured['host before (MiB)']:.0f} MiB in use before, {measured['host peak (MiB)']:.0f} at the peak"
          f"\n- kernel_info replies a learner's server gave up waiting for: {measured['kernel_info given up']}")
    for user, row in rows.items():
        assert (row["heard"], row["orders"]) == ([], []), (user, "crossed", row)
        assert row["lost"] == [] and row["placed"] == hub_room.PLACED, (user, "lost", row)
    assert left == {user: [] for user in ROOM}, left
    # a learner with two kernels (the lesson's, the lab's): one row that counts both, with the memory of
    # the restaurants they reported, and nobody flagged
    for user, row in measured["board"].items():
        assert row["kernels"] == 2 and row["restaurant"]["MiB"] > 0 and not row["stuck"], (user, row)
    # the board through the hub's API: a hub admin in no group sees every row, a learner their own only
    seen = json.loads(hub_room.log_in(hub, ADMIN, learners[ADMIN]).request("GET", BOARD + "rows.json")[2])
    assert seen["instructor"] and set(ROOM) <= {row["learner"] for row in seen["rows"]}, seen
    first = ROOM[0]
    seen = json.loads(hub_room.log_in(hub, first, learners[first]).request("GET", BOARD + "rows.json")[2])
    assert (seen["instructor"], [row["learner"] for row in seen["rows"]]) == (False, [first]), seen
    if figures_file:
        Path(figures_file).write_text(json.dumps({"alone": alone, "room": measured, "left": left,
                                                  "stopped (s)": stopped}))


# what the board's rules say of made-up learners, run by the hub's own Python (the board imports JupyterHub)
BOARD_RULES = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import board

now = time.time()
def learner(checks, changed, kernels):
    return {"checks": checks, "changed": changed, "seen": now, "kernels": kernels}
def kernel(lesson, active, seen, mib):
    return {"lesson": lesson, "active": active, "seen": seen, "restaurant": {"running": ["worker"], "MiB": mib}}
def tries(passed, attempts, minutes_ago):
    return {"09": {"1": {"passed": passed, "attempts": attempts, "last": now - 60 * minutes_ago}}}
one = {"k": kernel("labs/09-order-up", now - 5, now - 5, 300)}
def stuck(checks, changed, lesson="labs/09-order-up"):
    return board.looks_stuck(learner(checks, changed, one), lesson, now)
print(json.dumps({
    "3 failures, the last 1 min ago": stuck(tries(False, 3, 1), now),
    "3 failures, the last 11 min ago": stuck(tries(False, 3, 11), now),
    "2 failures": stuck(tries(False, 2, 1), now),
    "passed at the 4th": stuck(tries(True, 4, 1), now),
    "a lab, no new check for 11 min": stuck({}, now - 660),
    "a lesson, no new check for 11 min": stuck({}, now - 660, "notebooks/09-order-up"),
    "three kernels, one silent for 100 s": board.shown_row(learner({}, now, {
        "lesson": kernel("notebooks/09-order-up", now - 50, now - 10, 300),
        "lab": kernel("labs/09-order-up", now - 20, now - 20, 200),
        "forgotten": kernel("notebooks/05-crashes-and-acks-late", now - 1, now - 100, 999)}), now),
}))
"""
BOARD_VERDICTS = {
    "3 failures, the last 1 min ago": ["lab 09, exercise 1: 3 tries"],
    "3 failures, the last 11 min ago": [],
    "2 failures": [],
    "passed at the 4th": [],
    "a lab, no new check for 11 min": ["no new check for 11 min"],
    "a lesson, no new check for 11 min": [],
    "three kernels, one silent for 100 s": {"lesson": "labs/09-order-up", "checks": {}, "kernels": 2,
                                            "restaurant": {"running": ["worker"], "MiB": 500}, "ago": 0, "stuck": []},
}


def test_the_boards_rules(course_for_everyone):
    """Who looks stuck, and which kernel a row shows, by the board's own code in the hub's Python: three
    recent failures of one check, or ten minutes in a lab without a new check; the kernel used last,
    the memory of every kernel still reporting (a kernel silent for 90 s is closed)."""
    board = course_for_everyone["srv"] / "deploy" / "board"
    answer = subprocess.run([str(course_for_everyone["env"] / "bin" / "python"), "-c", BOARD_RULES, str(board)],
                            capture_output=True, text=True, timeout=60)
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout) == BOARD_VERDICTS


# a kernel started by jupyter_client as a Jupyter server starts it, whose first shell port another
# program took between the pick and the bind (seen in the room test: "Address already in use"), with
# Jupyter's defaults and with step 3's Spawner.args: does it start in the end?
TAKEN_PORT = r"""
import asyncio, json, socket, sys, time
from traitlets.config.loader import KVArgParseConfigLoader
import jupyter_client.connect as connect
from jupyter_client.ioloop import AsyncIOLoopKernelManager

taken = socket.socket()
taken.bind(("127.0.0.1", 0))
taken.listen()
TAKEN = taken.getsockname()[1]
real = connect.write_connection_file


async def starts(args):
    config = KVArgParseConfigLoader(argv=args).load_config()  # as jupyter-server reads its command line
    calls = []

    def first_on_a_taken_port(fname=None, **kw):
        if not calls:
            kw["shell_port"] = TAKEN  # another program took this port between the pick and the bind
        calls.append(kw.get("shell_port"))
        return real(fname, **kw)

    connect.write_connection_file = first_on_a_taken_port
    km = AsyncIOLoopKernelManager(config=config, kernel_name="python3")
    await km.start_kernel()
    gave_up = []
    km.add_restart_callback(lambda: gave_up.append(True), "dead")  # after restart_limit tries
    deadline = time.monotonic() + 90
    answer = "neither started nor given up in 90 s"
    while time.monotonic() < deadline and not gave_up:
        if km.shell_port != TAKEN and await km.is_alive():
            client = km.client()
            client.start_channels()
            try:
                await client.wait_for_ready(timeout=20)
                answer = "started"
                break
            except RuntimeError:
                pass
            finally:
                client.stop_channels()
        await asyncio.sleep(1)
    km.stop_restarter()
    await km.shutdown_kernel(now=True)
    if gave_up:
        answer = "given up"
    # the shell port of each connection file written: the taken one, then new ones if any
    return {"answer": answer, "ports": ["the taken one" if port == TAKEN else "another" for port in calls]}


print(json.dumps(asyncio.run(starts(sys.argv[1:]))))
"""


def test_a_kernel_whose_port_was_taken_starts_again_with_step_3s_settings(course_for_everyone):
    """Step 3's Spawner.args, read from the guide: without them a kernel whose port was taken dies after
    five restarts on the same port; with them the restarter gives it new ports and it starts."""
    args = json.loads(re.search(r"^c\.Spawner\.args = (\[.*\])$", step(3), re.M).group(1))
    python = str(course_for_everyone["env"] / "bin" / "python")
    cases = {"as Jupyter starts it": [], "with step 3's settings": args}
    runs = {case: subprocess.Popen([python, "-c", TAKEN_PORT, *case_args], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, cwd=course_for_everyone["root"],
                                   start_new_session=True)
            for case, case_args in cases.items()}  # side by side: each mostly waits for the restarter
    answers = {}
    try:
        for case, run_ in runs.items():
            out, err = run_.communicate(timeout=240)
            assert run_.returncode == 0, err[-3000:]
            answers[case] = json.loads(out)
    finally:
        for run_ in runs.values():  # and the kernel it started, in its session
            if run_.poll() is None:
                os.killpg(run_.pid, signal.SIGKILL)
                run_.wait()
    # Jupyter's defaults: one connection file, with the taken port, serves the first start and its five
    # restarts; then the restarter gives up
    assert answers["as Jupyter starts it"] == {"answer": "given up", "ports": ["the taken one"]}, answers
    # step 3's: the restart after the first death writes a new file, with new ports, and the kernel starts
    assert answers["with step 3's settings"] == {"answer": "started", "ports": ["the taken one", "another"]}, answers
