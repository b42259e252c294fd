"""The queue race: Celery, RQ, Dramatiq, Huey and arq on the same local Redis, with the same no-op.

    from labkit import queue_race
    result = queue_race.race(n=150, rounds=1)        # every library; about 30 s
    result                                           # the table (markdown)
    result.plot()                                    # four bar charts
    queue_race.race(libraries=["celery", "rq"])      # a subset

For each library: the enqueue call alone (p50/p99), a round trip enqueue -> worker -> result fetched
(p50/p99, one task at a time), the throughput of ``n`` tasks enqueued at once and all awaited, and the
peak resident memory of its worker processes (the sum over the process tree, sampled every 20 ms).
"Redis alone" is the floor: LPUSH, and LPUSH/BRPOP through a tiny worker that BRPOPs and LPUSHes
the answer, with no library at all.

How it stays fair (and how to rerun one line: ``python benchmarks/queues.py --only rq``):

- one Redis, started here (127.0.0.1, a free port, a random password), each library in a database
  of its own (``DATABASES``), flushed before each of its runs;
- rounds alternate: every round runs every library once, each round in an order rotated by one, so a
  noisy neighbour on the machine hurts every library alike;
- each run starts the library's workers and its driver (``racers/drive.py``) as fresh processes;
  the driver times the same phases, line for line, for every library (see its docstring);
- the same task body (it returns its argument) and the same concurrency: ``concurrency`` (2) worker
  processes that each run one task at a time, whatever each library calls them (``SETUPS``);
- the library's defaults otherwise, except where a default is a wait that would hide the library's
  own cost (arq's 0.5 s polls; huey's polled results): ``SETUPS`` says which and why;
- log level WARNING everywhere: Celery, RQ, Huey and arq log every task at INFO, which would be timed;
- the enqueue phase pauses the workers (SIGSTOP to their process groups) so the enqueue calls are
  timed without the library's own workers competing for the 2 cores; then they resume and drain;
- every result is checked against the expected value, and counted.

arq 0.28 requires redis<6 while the course pins redis 8.1, so arq runs in a virtualenv of its own:
``.venv-arq`` (``make .venv-arq``, from ``benchmarks/requirements-arq.txt``). Without it, asking for
arq fails with an error that says how to build it (it is never skipped silently).
"""
from __future__ import annotations

import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from .. import reaper
from ..errors import LabkitError
from ..processes import REPO_ROOT, Run, Service
from ..redis_server import RedisServer, server_version

RACERS = Path(__file__).resolve().parent / "racers"

#: every library, in the order of the table ("raw" is Redis alone, the floor)
LIBRARIES = ("raw", "celery", "rq", "rq-simple", "dramatiq", "huey", "arq")
LABELS = {
    "raw": "Redis alone", "celery": "Celery", "rq": "RQ", "rq-simple": "RQ (SimpleWorker)",
    "dramatiq": "Dramatiq", "huey": "Huey", "arq": "arq",
}
#: each library's own Redis database
DATABASES = {name: number for number, name in enumerate(LIBRARIES, start=1)}
#: the table's columns, always these, in this order (only the numbers change from run to run)
COLUMNS = ("library", "enqueue p50 (µs)", "enqueue p99 (µs)", "round trip p50 (ms)",
           "round trip p99 (ms)", "throughput (tasks/s)", "worker memory (MiB)", "worker processes",
           "results correct")


def arq_venv() -> Path:
    """Where arq's virtualenv is: $ORDERUP_ARQ_VENV, else .venv-arq beside the course."""
    return Path(os.environ.get("ORDERUP_ARQ_VENV") or REPO_ROOT / ".venv-arq")


class ArqEnvMissing(LabkitError):
    """arq was asked for, and its virtualenv is not there (or cannot import arq)."""


_arq_checked: set[Path] = set()


def arq_python() -> Path:
    """The Python of arq's virtualenv, checked: it must import arq. ArqEnvMissing says how to build it."""
    python = arq_venv() / "bin" / "python"
    if python in _arq_checked:
        return python
    how = (f"arq runs in a virtualenv of its own (arq 0.28 requires redis<6; the course pins redis 8.1).\n"
           f"Build it once, in {REPO_ROOT}:\n"
           f"    make .venv-arq      (python3 -m venv .venv-arq && .venv-arq/bin/pip install "
           f"-r benchmarks/requirements-arq.txt)\n"
           f"or race without arq, e.g. race(libraries={[n for n in LIBRARIES if n != 'arq']!r}).")
    try:
        found = python.exists()
    except OSError as error:  # another user's venv, or a symlink into a home we may not enter
        raise ArqEnvMissing(f"{python} cannot be used here ({error}).\n{how}") from None
    if not found:
        raise ArqEnvMissing(f"{python} does not exist.\n{how}")
    try:
        check = subprocess.run([str(python), "-c", "import arq, redis"], capture_output=True, text=True,
                               check=False)
    except OSError as error:
        raise ArqEnvMissing(f"{python} cannot be run here ({error}).\n{how}") from None
    if check.returncode != 0:
        raise ArqEnvMissing(f"{python} cannot import arq:\n{check.stderr.strip()[-500:]}\n{how}")
    _arq_checked.add(python)
    return python


@dataclass(frozen=True)
class Setup:
    """How one library is run in the race: what a reviewer needs to judge the fairness."""
    workers: str
    prefetch: str
    ack: str
    results: str
    waiting: str


SETUPS = {
    "raw": Setup(
        workers="N processes of `race_raw.py worker`: a loop of BRPOP, no-op, LPUSH",
        prefetch="none: BRPOP takes one item",
        ack="none: an item popped is gone",
        results="LPUSH on `raw:reply:<id>`",
        waiting="BRPOP on the reply key (blocks)"),
    "celery": Setup(
        workers="`celery worker --pool=prefork --concurrency=N --without-mingle --without-gossip`: "
                "a main process and N pool processes",
        prefetch="default multiplier 4: the main process reserves up to 4 x N messages",
        ack="default, early: acknowledged just before the task runs (kombu keeps the message in "
            "an unacked hash until then)",
        results="Redis result backend: a key `celery-task-meta-<id>` and a PUBLISH",
        waiting="`AsyncResult.get()`: subscribes to the task's channel (pub/sub, blocks)"),
    "rq": Setup(
        workers="`rq worker-pool --num-workers N`: a pool process and N `Worker`s, each of which "
                "forks a work horse per job (RQ's default: a crash or leak dies with the horse)",
        prefetch="none: BLMOVE takes one job id at a time",
        ack="late, in effect: the job id moves to an intermediate list, then to the started-job "
            "registry, until the job ends",
        results="the job hash, plus a result stream `rq:results:<id>` (rq >= 2)",
        waiting="`job.latest_result(timeout=...)`: XREAD BLOCK on the result stream"),
    "rq-simple": Setup(
        workers="the same with `--worker-class rq.SimpleWorker`: the job runs in the worker "
                "process, no fork (faster; a crash takes the worker down with it)",
        prefetch="none: BLMOVE takes one job id at a time",
        ack="late, in effect: the job id moves to an intermediate list, then to the started-job "
            "registry, until the job ends",
        results="the job hash, plus a result stream `rq:results:<id>` (rq >= 2)",
        waiting="`job.latest_result(timeout=...)`: XREAD BLOCK on the result stream"),
    "dramatiq": Setup(
        workers="`dramatiq race_dramatiq --processes N --threads 1`: a main process and N worker "
                "processes of one worker thread each (default 8 threads)",
        prefetch="default: 2 x threads = 2 messages per process; an empty queue is polled with "
                 "backoff from 5 ms up to 1 s (dramatiq_worker_timeout)",
        ack="late: acknowledged after the actor returns (unacked messages in a per-worker set)",
        results="Results middleware, RedisBackend: a list per message, kept 10 min",
        waiting="`message.get_result(block=True)`: BRPOPLPUSH on the result key (blocks)"),
    "huey": Setup(
        workers="`huey_consumer race_huey.huey --workers N --worker-type process`: a consumer "
                "(with its scheduler) and N worker processes",
        prefetch="none: BRPOP takes one task at a time (RedisHuey, blocking=True by default)",
        ack="none: a task popped is gone",
        results="RedisHuey's result hash `huey.results.race`, and with `notify_result=True` "
                "(not the default) a note LPUSHed for the waiting client",
        waiting="`result.get(blocking=True)`: BLPOP on the note (the default polls every 50 ms "
                "and up, which would be timed instead)"),
    "arq": Setup(
        workers="N processes of `arq race_arq.WorkerSettings` with `max_jobs=1` (arq has no "
                "process option: one asyncio loop per process)",
        prefetch="none beyond max_jobs; the worker *polls* the queue (a sorted set) every "
                 "`poll_delay`: 1 ms here, 0.5 s by default",
        ack="late, in effect: the job stays in the queue, marked by an in-progress key, until it "
            "ends; then the result is written and the entry removed, together",
        results="a key `arq:result:<id>` (kept 1 day), the job key deleted",
        waiting="`job.result(poll_delay=0.001)`: polls the result key (the default is every 0.5 s)"),
}


def worker_commands(library: str, concurrency: int) -> list[list[str]]:
    """The command lines of one library's workers: one per process that the race starts itself."""
    py, n = sys.executable, str(concurrency)
    if library == "raw":
        return [[py, "race_raw.py", "worker"] for _ in range(concurrency)]
    if library == "celery":
        return [[py, "-m", "celery", "-A", "race_celery", "worker", "--pool=prefork",
                 f"--concurrency={n}", "--without-mingle", "--without-gossip", "--loglevel=WARNING",
                 "--hostname=race@%h"]]
    if library in ("rq", "rq-simple"):
        cmd = [py, "-m", "rq.cli", "worker-pool", "--num-workers", n, "--logging-level", "WARNING"]
        if library == "rq-simple":
            cmd += ["--worker-class", "rq.SimpleWorker"]
        return [cmd + ["race"]]
    if library == "dramatiq":
        return [[py, "-m", "dramatiq", "race_dramatiq", "--processes", n, "--threads", "1"]]
    if library == "huey":
        return [[py, "-m", "huey.bin.huey_consumer", "race_huey.huey", "--workers", n,
                 "--worker-type", "process", "--quiet"]]
    if library == "arq":
        return [[str(arq_python()), "-m", "arq", "race_arq.WorkerSettings",
                 "--custom-log-dict", "race_arq.LOG_CONFIG"] for _ in range(concurrency)]
    raise ValueError(library)


def driver_python(library: str) -> str:
    return str(arq_python()) if library == "arq" else sys.executable


class RaceProcess(Service):
    """A worker or a driver of the race: its own session, a log file, recorded for the watchdog
    (so it dies with the kernel), and an environment with nothing of the restaurant's in it."""

    ready_timeout = 60.0

    def __init__(self, run: Run, name: str, cmd: list[str], env: dict):
        self.name = name
        super().__init__(run, env)
        self.cmd = cmd
        self.cwd = RACERS

    def command(self) -> list[str]:
        return self.cmd

    def environment(self) -> dict:
        # Celery turns its Django fix-up on when DJANGO_SETTINGS_MODULE is set (as in a kernel):
        # the race's processes get none of the restaurant's settings, and only the racers' folder.
        dropped = ("DJANGO_", "ORDERUP_", "CELERY_", "RQ_", "PYTHON", "VIRTUAL_ENV")
        env = {k: v for k, v in os.environ.items() if not k.startswith(dropped) or k == "ORDERUP_HOME"}
        env.update(self.extra_env)
        env["PYTHONPATH"] = str(RACERS)
        env["PYTHONUNBUFFERED"] = "1"
        env[reaper.RUN_MARKER] = self.run.id
        return env

    def wait_until_ready(self) -> None:
        """Nothing to wait for here: the driver's warm-up waits until the workers answer."""

    def stop(self, timeout: float = 5.0) -> None:
        """SIGKILL to the whole process group (pool children, work horses): how a library shuts
        down is not raced, and a graceful stop costs 1-6 s (RQ's pool, Dramatiq) for nothing here."""
        if self.proc is None:
            return
        family = self.processes()
        if self.running:
            self._signal_group(signal.SIGKILL)
            self.proc.wait(timeout=timeout)
        for proc in family:  # a child outside the group (none of the five makes one) goes too
            try:
                proc.kill()
            except psutil.Error:
                pass
        # Dead is enough: the killed children are zombies until init reaps them (here, once a
        # second), which psutil.wait_procs would wait for.
        deadline = time.monotonic() + timeout
        while any(_alive(p) for p in family) and time.monotonic() < deadline:
            time.sleep(0.01)
        self.run.forget(self)


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
#: Linux lists each thread's children in /proc: reading the tree costs microseconds, not the
#: millisecond of psutil's scan of every process (which, every 20 ms, slowed the libraries measured)
PROC_CHILDREN = Path(f"/proc/{os.getpid()}/task/{threading.get_native_id()}/children").exists()


def _tree_linux(root: int) -> list[int]:
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        pids.append(pid)
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    stack.extend(int(child) for child in f.read().split())
            except OSError:
                pass
    return pids


def _rss_linux(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0  # ended meanwhile


class MemorySampler(threading.Thread):
    """Every ``interval`` s: the resident memory of every process of ``services`` (with their
    children, found anew each time: RQ's work horses come and go), summed. Keeps the peak."""

    def __init__(self, services: list[Service], interval: float = 0.02):
        super().__init__(daemon=True)
        self.services, self.interval = services, interval
        self.peak, self.processes_at_peak, self.pids_seen = 0, 0, set()
        self.samples = 0
        self._done = threading.Event()

    def sample(self) -> tuple[int, int]:
        """(resident bytes, processes) of the services' trees, now."""
        total, count = 0, 0
        for service in self.services:
            if service.pid is None:
                continue
            if PROC_CHILDREN:
                for pid in _tree_linux(service.pid):
                    rss = _rss_linux(pid)
                    if rss:
                        total, count = total + rss, count + 1
                        self.pids_seen.add(pid)
            else:  # macOS: psutil (slower; good enough where the race is only a demonstration)
                for proc in service.processes():
                    try:
                        total += proc.memory_info().rss
                        count += 1
                        self.pids_seen.add(proc.pid)
                    except psutil.Error:
                        pass
        return total, count

    def run(self) -> None:
        while not self._done.is_set():
            total, count = self.sample()
            self.samples += 1
            if total > self.peak:
                self.peak, self.processes_at_peak = total, count
            self._done.wait(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), interpolated between the closest ranks (as numpy's default)."""
    data = sorted(values)
    if not data:
        return float("nan")
    k = (len(data) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def choose(libraries=None) -> list[str]:
    """The libraries asked for (names or one comma-separated string), in the table's order."""
    if libraries is None:
        return list(LIBRARIES)
    if isinstance(libraries, str):
        libraries = [name for name in libraries.split(",") if name.strip()]
    wanted = [name.strip().lower() for name in libraries]
    unknown = [name for name in wanted if name not in LIBRARIES]
    if unknown or not wanted:
        raise LabkitError(f"Unknown libraries {unknown}: choose among {', '.join(LIBRARIES)}.")
    return [name for name in LIBRARIES if name in wanted]


def order_of_round(libraries: list[str], round_index: int) -> list[str]:
    """Round 0 in the table's order, each next round rotated by one more place."""
    k = round_index % len(libraries)
    return libraries[k:] + libraries[:k]


def _one_run(run: Run, redis: RedisServer, library: str, n: int, concurrency: int,
             round_index: int) -> dict:
    db = DATABASES[library]
    with redis.client(db=db) as client:
        client.flushdb()
    env = {"RACE_REDIS_PORT": str(redis.port), "RACE_REDIS_PASSWORD": redis.password,
           "RACE_REDIS_DB": str(db), "RQ_REDIS_URL": f"{redis.url}/{db}"}
    tag = f"race-{library}-{round_index}"
    workers = [RaceProcess(run, f"{tag}-worker{k}", cmd, env)
               for k, cmd in enumerate(worker_commands(library, concurrency))]
    out = run.dir / f"{tag}.json"
    sampler = MemorySampler(workers)
    driver = None
    started = time.perf_counter()
    try:
        for worker in workers:
            worker.start()
        sampler.start()
        driver = RaceProcess(run, f"{tag}-driver",
                             [driver_python(library), str(RACERS / "drive.py"), library, "--n", str(n),
                              "--out", str(out), "--pause", ",".join(str(w.pid) for w in workers)], env)
        driver.start()
        deadline = time.monotonic() + 120 + 0.2 * n
        while driver.running:
            dead = [w for w in workers if not w.running]
            if dead:
                raise dead[0].failure(f"exited (code {dead[0].proc.returncode}) during the race",
                                      f"The {LABELS[library]} worker died: read its log.")
            if time.monotonic() > deadline:
                raise driver.failure("did not finish in time", "The driver of the race hung.")
            time.sleep(0.05)
        if driver.proc.returncode != 0:
            raise driver.failure(f"failed (code {driver.proc.returncode})",
                                 "The driver of the race failed: its log says why. Workers' logs: "
                                 + ", ".join(str(w.log_path) for w in workers))
    finally:
        if sampler.is_alive():
            sampler.stop()
        stopping = time.perf_counter()
        if driver is not None:
            driver.stop()
        for worker in workers:
            worker.stop()
        stopped = time.perf_counter() - stopping
    data = json.loads(out.read_text())
    data.update(round=round_index, seconds=time.perf_counter() - started, stop_s=stopped,
                memory_peak=sampler.peak, processes_at_peak=sampler.processes_at_peak,
                processes_seen=len(sampler.pids_seen), memory_samples=sampler.samples,
                pids=sorted(sampler.pids_seen | {p.pid for p in (driver, *workers) if p and p.pid}))
    return data


class RaceResult:
    """What ``race()`` measured: ``rows`` (one dict per library, in the table's order), ``runs`` (each
    run's raw figures and samples), ``machine``. Shows itself as a table; ``plot()`` draws it."""

    def __init__(self, libraries: list[str], runs: list[dict], params: dict, machine: dict):
        self.libraries, self.runs, self.params, self.machine = libraries, runs, params, machine
        self.rows = [self._row(name) for name in libraries]

    def _row(self, library: str) -> dict:
        runs = [r for r in self.runs if r["library"] == library]
        enqueue = [s for r in runs for s in r["enqueue_s"]]
        round_trip = [s for r in runs for s in r["round_trip_s"]]
        checked = [c for r in runs for c in r["checked"].values()]
        return {
            "library": library,
            "label": LABELS[library],
            "client": runs[0]["client"],
            "enqueue_p50_s": percentile(enqueue, 50), "enqueue_p99_s": percentile(enqueue, 99),
            "round_trip_p50_s": percentile(round_trip, 50), "round_trip_p99_s": percentile(round_trip, 99),
            "throughput_per_s": statistics.median(r["throughput"]["tasks"] / r["throughput"]["seconds"]
                                                  for r in runs),
            "memory_bytes": statistics.median(r["memory_peak"] for r in runs),
            "processes": max(r["processes_at_peak"] for r in runs),
            "results_expected": sum(c["expected"] for c in checked),
            "results_correct": sum(c["correct"] for c in checked),
            "runs": len(runs),
        }

    # -- showing it --------------------------------------------------------------------------
    def cells(self, row: dict) -> list[str]:
        return [row["label"], f"{row['enqueue_p50_s'] * 1e6:,.0f}", f"{row['enqueue_p99_s'] * 1e6:,.0f}",
                f"{row['round_trip_p50_s'] * 1e3:,.2f}", f"{row['round_trip_p99_s'] * 1e3:,.2f}",
                f"{row['throughput_per_s']:,.0f}", f"{row['memory_bytes'] / 2**20:,.0f}",
                str(row["processes"]), f"{row['results_correct']:,}/{row['results_expected']:,}"]

    def markdown(self) -> str:
        """The table, in markdown (always the same rows and columns; only the numbers change)."""
        lines = ["| " + " | ".join(COLUMNS) + " |", "|---|" + "---:|" * (len(COLUMNS) - 1)]
        lines += ["| " + " | ".join(self.cells(row)) + " |" for row in self.rows]
        return "\n".join(lines)

    def caption(self) -> str:
        p = self.params
        rounds = f"{p['rounds']} round" + ("s" if p["rounds"] != 1 else "")
        return (f"{p['n']} tasks per phase, {rounds}, {p['concurrency']} worker processes "
                f"per library, one task at a time each; memory: median of each run's peak; "
                f"latencies: percentiles over every round's samples; throughput: median of the rounds.")

    def setups_markdown(self) -> str:
        """How each library raced was run: workers, prefetch, acknowledgement, results, waiting."""
        return setups_markdown(self.libraries)

    def _repr_markdown_(self) -> str:
        return self.markdown() + "\n\n" + self.caption()

    def __repr__(self) -> str:
        return self.markdown()

    def plot(self, path: str | Path | None = None):
        """Four bar charts (enqueue, round trip, throughput, memory); saved to ``path`` if given."""
        from matplotlib.figure import Figure
        labels = [row["label"] for row in self.rows][::-1]
        rows = self.rows[::-1]
        fig = Figure(figsize=(11, 1.2 + 0.45 * len(rows) * 2), layout="constrained")
        axes = fig.subplots(2, 2)
        y = range(len(rows))
        h = 0.4

        def pair(ax, p50, p99, scale, unit, title):
            ax.barh([i + h / 2 for i in y], [r[p50] * scale for r in rows], h, label="p50", color="#4c72b0")
            ax.barh([i - h / 2 for i in y], [r[p99] * scale for r in rows], h, label="p99", color="#dd8452")
            ax.set_xscale("log")
            ax.set_xlabel(unit)
            ax.set_title(title)
            ax.legend(loc="lower right", fontsize=8)

        pair(axes[0][0], "enqueue_p50_s", "enqueue_p99_s", 1e6, "µs (log scale)", "enqueue call alone")
        pair(axes[0][1], "round_trip_p50_s", "round_trip_p99_s", 1e3, "ms (log scale)",
             "round trip: enqueue → worker → result")
        axes[1][0].barh(list(y), [r["throughput_per_s"] for r in rows], color="#55a868")
        axes[1][0].set_xlabel("tasks/s")
        axes[1][0].set_title(f"throughput, {self.params['n']} tasks at once")
        axes[1][1].barh(list(y), [r["memory_bytes"] / 2**20 for r in rows], color="#8172b3")
        axes[1][1].set_xlabel("MiB (resident, summed over the worker processes)")
        axes[1][1].set_title("peak memory of the workers")
        for ax in (a for line in axes for a in line):
            ax.set_yticks(list(y), labels)
            ax.grid(axis="x", alpha=0.3)
        fig.suptitle(f"{self.params['concurrency']} worker processes each, same no-op task, same Redis "
                     f"({self.machine.get('redis', '')}), {self.params['n']} tasks, "
                     f"{self.params['rounds']} round" + ("s" if self.params["rounds"] != 1 else ""))
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig

    def to_json(self) -> dict:
        """Everything but the raw samples (and the pids)."""
        runs = [{k: v for k, v in r.items() if k not in ("enqueue_s", "round_trip_s", "pids")}
                for r in self.runs]
        return {"params": self.params, "machine": self.machine, "rows": self.rows, "runs": runs}


def setups_markdown(libraries=LIBRARIES) -> str:
    """``SETUPS`` as a markdown table: workers, prefetch, acknowledgement, results, waiting."""
    lines = ["| library | workers | prefetch | ack | results | client waits with |",
             "|---|---|---|---|---|---|"]
    for name in libraries:
        s = SETUPS[name]
        lines.append(f"| {LABELS[name]} | {s.workers} | {s.prefetch} | {s.ack} | {s.results} | {s.waiting} |")
    return "\n".join(lines)


def machine_facts(redis: RedisServer | None = None) -> dict:
    """CPU, cores, memory, OS, Python and Redis server: the description that goes with the figures."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    os_name = platform.platform()
    try:
        release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        os_name = f"{release['PRETTY_NAME'].strip(chr(34))}, Linux {platform.release()}"
    except (OSError, KeyError):
        pass
    facts = {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
             "os": os_name, "python": platform.python_version()}
    if redis is not None:
        facts["redis"] = server_version(redis.binary)
        facts["redis_binary"] = redis.binary_source
    return facts


def race(libraries=None, n: int = 200, rounds: int = 1, concurrency: int = 2,
         progress: bool = True) -> RaceResult:
    """Race the ``libraries`` (default: all of ``LIBRARIES``) on a Redis started for the race, then
    stopped with every worker. ``n``: tasks per phase; ``rounds``: how many times each runs."""
    chosen = choose(libraries)
    if n < 1 or rounds < 1 or concurrency < 1:
        raise LabkitError("n, rounds and concurrency must be at least 1.")
    if "arq" in chosen:
        arq_python()  # fails now, with how to build it, rather than after the other libraries
    run = Run()
    redis = None
    runs = []
    try:
        redis = RedisServer(run)  # always a Redis of its own, even with ORDERUP_USE_REDIS
        redis.start()
        machine = machine_facts(redis)
        for r in range(rounds):
            order = order_of_round(chosen, r)
            if progress:
                print(f"round {r + 1} of {rounds}:", end="", flush=True)
            for library in order:
                if progress:
                    print(f" {library}", end="", flush=True)
                runs.append(_one_run(run, redis, library, n, concurrency, r))
            if progress:
                print(flush=True)
    finally:
        if redis is not None:
            redis.stop()
        leftovers = reaper.processes_of_run(run.dir)
        run.close(remove=True)
    params = {"n": n, "rounds": rounds, "concurrency": concurrency, "libraries": chosen,
              "orders": [order_of_round(chosen, r) for r in range(rounds)], "run_id": run.id,
              "date": time.strftime("%Y-%m-%d"), "leftover_processes": len(leftovers)}
    return RaceResult(chosen, runs, params, machine)


__all__ = ["LIBRARIES", "LABELS", "COLUMNS", "SETUPS", "ArqEnvMissing", "RaceResult", "arq_python",
           "arq_venv", "choose", "machine_facts", "race", "setups_markdown"]
