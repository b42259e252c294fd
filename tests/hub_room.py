"""A room full of learners on the real hub, without browsers: each logs in through the hub's API (its
password for a token), gets a server, opens lesson 09 and lab 09 as JupyterLab would (a session, so a
kernel, for each notebook) and runs their code cells one by one through the kernel's WebSocket; all at
once. tests/test_hub.py's room test drives it; `make bench` runs it with more learners
and writes INSTRUCTORS.md's sizing from it (benchmarks/room.py).

Measured for each learner: login and spawn, lesson 09, lab 09 (the solution's cells in the lab's
notebook), the peak memory and the CPU of all the learner's processes, when the board's rows had their
last check. Then, all at once again, each orders three teas for themselves with a buzzer open: a buzz or an
order of another learner's is a crossing. Orders that never came out ready are lost.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import psutil

from labkit.runtime.waiting import wait_until

from conftest import ROOT
from hub_clients import Hub, execute

LESSON = "notebooks/09-order-up.ipynb"
LAB, SOLUTION = "labs/09-order-up.ipynb", "solutions/09-order-up.ipynb"
LAST_CHECK = ("09", "3")  # the lab's last exercise: when the board shows it passed, it has the whole lab

# each learner's teas, with a buzzer open on table 7 while every learner orders theirs; what the buzzer
# heard and what the restaurant's database holds, for the test to compare with what this learner ordered
CROSSING_PROBE = """
import json
me = {user!r}
probe = await labkit.Buzzer.connect(7)
teas = [(await asyncio.to_thread(waiter.post, "/orders/", {{"table": 7, "item": f"tea for {{me}}"}}))[1]
        for _ in range(3)]
for tea in teas:
    await probe.wait_for("ready", tea["id"], timeout=60)
await probe.wait_until_quiet(quiet=2.0)
await probe.close()
from restaurant.orders.models import Order
print(json.dumps({{"heard": [b["order"]["item"] for b in probe.buzzes],
                  "orders": list(Order.objects.values_list("item", "status"))}}))
"""
# what lesson 09 orders (its items; the lab's restaurant keeps its own), and the teas above: anything
# else is another's
OWN_ITEMS = {"soup", "tea", "stew", "tart", "pie"}
PLACED = 8 + 3  # lesson 09's orders and the teas (each kernel's restaurant starts an empty database)


def cell_sources(notebook: str) -> list[str]:
    cells = json.loads((ROOT / notebook).read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def log_in(hub: Hub, user: str, password: str) -> Hub:
    """The learner's password for a token of their own (POST users/<name>/tokens, the hub asking PAM),
    and a client that uses it: what a learner's script would do instead of the login page."""
    client = Hub(hub.host, hub.port, None)
    status, _, data = client.request("POST", f"/hub/api/users/{user}/tokens",
                                     {"auth": {"username": user, "password": password}, "note": "the room test"})
    assert status == 201, (user, status, data[:300])
    return Hub(hub.host, hub.port, json.loads(data)["token"])


def spawn(client: Hub, user: str, timeout: float = 180) -> None:
    client.api("POST", f"users/{user}/server")

    def ready():
        return client.api("GET", f"users/{user}")["servers"].get("", {}).get("ready", False)
    wait_until(ready, timeout=timeout, interval=0.5, what=f"{user}'s server to be ready")


def open_notebook(client: Hub, user: str, path: str) -> str:
    """A session for ``path`` (the course's copy in the learner's home), as JupyterLab opens one: its kernel's id."""
    status, _, data = client.request(
        "POST", f"/user/{user}/api/sessions",
        {"path": f"order-up/{path}", "name": Path(path).name, "type": "notebook", "kernel": {"name": "python3"}})
    assert status == 201, (user, path, status, data[:300])
    return json.loads(data)["kernel"]["id"]


def run_cells(client: Hub, user: str, kernel: str, cells: list[str], marks: dict | None = None) -> float:
    """Every cell in turn through one WebSocket to the kernel, as JupyterLab keeps one per notebook;
    ``marks``: when the cell that checks the lab's last exercise was sent."""
    started = time.monotonic()
    with client.kernel_socket(user, kernel) as ws:
        for number, code in enumerate(cells, 1):
            if marks is not None and f'exercise="{".".join(LAST_CHECK)}"' in code:
                marks["checked"] = time.monotonic()
            try:
                execute(ws, user, code, timeout=180)
            except Exception as error:
                raise AssertionError(f"code cell {number} ({code.splitlines()[0][:60]!r}): {error!r}") from error
    return time.monotonic() - started


class Every:
    """``sample()`` called in a thread of its own every ``period`` seconds, from ``with`` to its end."""
    period = 0.25

    def __init__(self):
        self.errors: list[str] = []
        self.samples = 0  # taken without an error: a sampler that never managed one measured nothing
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> None:
        raise NotImplementedError

    def _loop(self):
        while not self._stop.is_set():
            try:
                self.sample()
                self.samples += 1
            except Exception as error:  # noqa: BLE001 - one failed sample (a proxy's hiccup) ends nothing
                self.errors.append(repr(error)[:200])
            self._stop.wait(self.period)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)


class Board(Every):
    """The board's rows as the instructor's token reads them (rows.json), every 0.2 s: when each learner's
    row first showed the lab's last check passed."""
    period = 0.2

    def __init__(self, client: Hub, path: str):
        super().__init__()
        self.client, self.path = client, path
        self.since = time.time()  # a check passed before (a learner's earlier run) is not this one
        self.seen: dict[str, float] = {}
        self.rows: dict[str, dict] = {}  # each learner's row, as last read

    def sample(self):
        lab, exercise = LAST_CHECK
        status, _, data = self.client.request("GET", self.path + "rows.json")
        if status != 200:
            raise AssertionError(f"rows.json answered {status}: {data[:200]!r}")
        rows = json.loads(data)["rows"]
        now = time.monotonic()
        self.rows.update((row["learner"], row) for row in rows)
        for row in rows:
            entry = row["checks"].get(lab, {}).get(exercise, {})
            if entry.get("passed") and entry.get("last", 0) >= int(self.since):  # "last" is rounded
                self.seen.setdefault(row["learner"], now)


class HostMemory(Every):
    """The host's memory in use (total less available), sampled four times a second: its peak."""

    def __init__(self):
        super().__init__()
        self.before = self.peak = psutil.virtual_memory().total - psutil.virtual_memory().available

    def sample(self):
        memory = psutil.virtual_memory()
        self.peak = max(self.peak, memory.total - memory.available)


def learner(hub: Hub, user: str, password: str, figures: dict, probes: dict, together: threading.Barrier) -> None:
    """One learner's session, from login to the crossing probe; ``together``: every learner starts, and
    orders the probe's teas, at the same moment."""
    mine = figures.setdefault(user, {})
    try:
        together.wait()
        started = time.monotonic()
        mine["doing"] = "logging in and spawning"
        client = log_in(hub, user, password)
        spawn(client, user)
        mine["login and spawn"] = time.monotonic() - started
        mine["doing"] = "running lesson 09"
        lesson = open_notebook(client, user, LESSON)
        mine["lesson 09"] = run_cells(client, user, lesson, cell_sources(LESSON))  # its restaurant stays open
        mine["doing"] = "running lab 09"
        lab = open_notebook(client, user, LAB)
        mine["lab 09"] = run_cells(client, user, lab, cell_sources(SOLUTION), marks=mine)  # it closes its own
        mine["doing"] = "ordering teas, all at once"
        together.wait()
        probes[user] = json.loads(client.run(user, lesson, CROSSING_PROBE.format(user=user), timeout=180))
        del mine["doing"]
        mine["kernel sockets tried again"] = client.retried
    except BaseException:
        together.abort()  # the others stop waiting for this one
        raise


def crossings(user: str, probe: dict) -> dict:
    """What this learner heard or holds that is not theirs, and what they ordered that never came out ready."""
    mine = OWN_ITEMS | {f"tea for {user}"}
    return {"heard": [item for item in probe["heard"] if item not in mine],
            "orders": [item for item, _ in probe["orders"] if item not in mine],
            "lost": [item for item, status in probe["orders"] if status != "ready"],
            "placed": len(probe["orders"])}


def room(hub: Hub, passwords: dict, instructor: tuple[str, str], board_path: str, sampler) -> dict:
    """Every learner of ``passwords`` at once; the figures per learner and of the room."""
    users = list(passwords)
    figures: dict[str, dict] = {}
    probes: dict[str, dict] = {}
    errors: list[BaseException] = []
    together = threading.Barrier(len(users))
    teacher = log_in(hub, *instructor)

    def one(user):
        try:
            learner(hub, user, passwords[user], figures, probes, together)
        except BaseException as error:  # noqa: BLE001 - reported below, with the learner's name
            errors.append(AssertionError(f"{user}, {figures.get(user, {}).get('doing', '')}: {error!r}"))

    with HostMemory() as host, Board(teacher, board_path) as board:
        threads = [threading.Thread(target=one, args=(user,)) for user in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if not errors:  # the last learner's check may reach the board a moment after the probe
            try:
                wait_until(lambda: set(board.seen) >= set(users), timeout=30, what="the board to show every lab")
            except TimeoutError as error:
                raise AssertionError(f"{error} (its last failed reads: {board.errors[-3:]})") from error
    if errors:  # the cause first, then who waited for it at the barrier
        errors.sort(key=lambda e: "BrokenBarrierError" in str(e))
        raise AssertionError("\n".join(str(e) for e in errors)) from errors[0]
    for every in (host, board, sampler):
        assert every.samples > 0, f"{type(every).__name__} took no sample: {every.errors[-3:]}"
    for user in users:
        figures[user]["board"] = board.seen[user] - figures[user].pop("checked")
        figures[user]["peak memory (MiB)"] = sampler.peak[user] / 1024**2
        figures[user]["CPU (s)"] = sampler.cpu_seconds(user)
        figures[user].update(crossings(user, probes[user]))
    return {"learners": figures, "host before (MiB)": host.before / 1024**2, "host peak (MiB)": host.peak / 1024**2,
            "board": {user: board.rows[user] for user in users}}

