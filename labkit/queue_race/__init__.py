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
import time

from labkit.queue_race.arq_env import ArqEnvMissing, arq_python, arq_venv
from labkit.queue_race.libraries import (
    COLUMNS,
    DATABASES,
    LABELS,
    LIBRARIES,
    SETUPS,
    Setup,
    choose,
    order_of_round,
    setups_markdown,
)
from labkit.queue_race.processes import (
    RACERS,
    MemorySampler,
    RaceProcess,
    driver_python,
    worker_commands,
)
from labkit.queue_race.results import RaceResult
from labkit.runtime import reaper
from labkit.runtime.errors import LabkitError
from labkit.runtime.machine import machine_facts
from labkit.runtime.run import Run
from labkit.services.redis import RedisServer, server_version

__all__ = ["ArqEnvMissing", "COLUMNS", "DATABASES", "LABELS", "LIBRARIES", "RaceResult", "SETUPS", "Setup",
           "arq_python", "arq_venv", "choose", "race", "setups_markdown", "worker_commands"]


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
        machine = {**machine_facts(), "redis": server_version(redis.binary), "redis_binary": redis.binary_source}
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
