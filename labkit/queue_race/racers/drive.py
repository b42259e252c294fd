"""The driver: one library's client, in a fresh interpreter, timing the same phases for every library.

    python drive.py LIBRARY --n 200 --out result.json [--pause PGID,PGID]

Phases (the worker processes are already started by the race, and warm up in phase 0):
  0. warm-up: WARMUP tasks, enqueued then awaited (also waits for the workers to be ready);
  1. enqueue: the workers are paused (SIGSTOP to their process groups, given by --pause) and each of
     N enqueue calls is timed alone; then the workers resume and every result is checked;
  2. round trip: N times, enqueue one task and wait for its result, timed together (sequential);
  3. throughput: enqueue N tasks, then wait for every result; N / the time for all of it.
Every result must equal the no-op's answer (its argument); the counts are reported, not assumed.
Writes JSON to --out. Standard library only, besides the racer's own module.
"""
import argparse
import asyncio
import importlib
import json
import os
import signal
import sys
import time

WARMUP = 20
now = time.perf_counter


def pause(pgids, sig):
    for pgid in pgids:
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass


class Report:
    def __init__(self, name, version):
        self.data = {"library": name, "client": version, "enqueue_s": [], "round_trip_s": [],
                     "throughput": None, "checked": {}, "phase_s": {}}

    def check(self, phase, expected, got):
        ok = sum(1 for e, g in zip(expected, got, strict=False) if e == g)  # got may be short: counted below
        self.data["checked"][phase] = {"expected": len(expected), "returned": len(got), "correct": ok}
        if ok != len(expected) or len(got) != len(expected):
            wrong = [(e, g) for e, g in zip(expected, got, strict=False) if e != g][:3]
            raise SystemExit(f"{phase}: {ok} of {len(expected)} results correct; "
                             f"{len(got)} returned; first wrong (expected, got): {wrong}")


def run_sync(c, n, pgids, report):
    t = now()
    handles = [c.enqueue(i) for i in range(WARMUP)]
    report.check("warmup", list(range(WARMUP)), [c.result(h, timeout=120) for h in handles])
    report.data["phase_s"]["warmup"] = now() - t

    t = now()
    pause(pgids, signal.SIGSTOP)
    try:
        handles, times = [], []
        for i in range(n):
            t0 = now()
            handles.append(c.enqueue(i))
            times.append(now() - t0)
    finally:
        pause(pgids, signal.SIGCONT)
    report.data["enqueue_s"] = times
    report.check("enqueue", list(range(n)), [c.result(h) for h in handles])
    report.data["phase_s"]["enqueue"] = now() - t

    t = now()
    times, got = [], []
    for i in range(n):
        t0 = now()
        got.append(c.result(c.enqueue(i)))
        times.append(now() - t0)
    report.data["round_trip_s"] = times
    report.check("round trip", list(range(n)), got)
    report.data["phase_s"]["round trip"] = now() - t

    t0 = now()
    handles = [c.enqueue(i) for i in range(n)]
    got = [c.result(h) for h in handles]
    elapsed = now() - t0
    report.data["throughput"] = {"tasks": n, "seconds": elapsed}
    report.check("throughput", list(range(n)), got)
    report.data["phase_s"]["throughput"] = elapsed


async def run_async(c, n, pgids, report):
    # the same phases, line for line, with await (arq's client is asyncio only)
    await c.start()
    t = now()
    handles = [await c.enqueue(i) for i in range(WARMUP)]
    report.check("warmup", list(range(WARMUP)), [await c.result(h, timeout=120) for h in handles])
    report.data["phase_s"]["warmup"] = now() - t

    t = now()
    pause(pgids, signal.SIGSTOP)
    try:
        handles, times = [], []
        for i in range(n):
            t0 = now()
            handles.append(await c.enqueue(i))
            times.append(now() - t0)
    finally:
        pause(pgids, signal.SIGCONT)
    report.data["enqueue_s"] = times
    report.check("enqueue", list(range(n)), [await c.result(h) for h in handles])
    report.data["phase_s"]["enqueue"] = now() - t

    t = now()
    times, got = [], []
    for i in range(n):
        t0 = now()
        got.append(await c.result(await c.enqueue(i)))
        times.append(now() - t0)
    report.data["round_trip_s"] = times
    report.check("round trip", list(range(n)), got)
    report.data["phase_s"]["round trip"] = now() - t

    t0 = now()
    handles = [await c.enqueue(i) for i in range(n)]
    got = [await c.result(h) for h in handles]
    elapsed = now() - t0
    report.data["throughput"] = {"tasks": n, "seconds": elapsed}
    report.check("throughput", list(range(n)), got)
    report.data["phase_s"]["throughput"] = elapsed
    await c.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("library")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--out", required=True)
    parser.add_argument("--pause", default="", help="process groups of the workers, comma-separated")
    args = parser.parse_args()
    pgids = [int(p) for p in args.pause.split(",") if p]
    t = now()
    module = importlib.import_module(f"race_{args.library.split('-')[0]}")
    client = module.Client()
    report = Report(args.library, client.version())
    report.data["phase_s"]["import"] = now() - t
    try:
        if getattr(client, "is_async", False):
            asyncio.run(run_async(client, args.n, pgids, report))
        else:
            run_sync(client, args.n, pgids, report)
    finally:
        pause(pgids, signal.SIGCONT)
        with open(args.out, "w") as f:
            json.dump(report.data, f)


if __name__ == "__main__":
    sys.exit(main())
