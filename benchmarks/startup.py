"""How long the restaurant's services take to start, and how much memory they use together.

    .venv/bin/python benchmarks/startup.py [--rounds 5]

Each round runs in a fresh Python process, as a fresh kernel would: Redis alone (until PING is
answered), the database migrations, then the worker, then Daphne, each started and waited for on its
own; then, in another fresh process, the whole
restaurant from nothing (Redis, Django set-up and migrations, worker and Daphne side by side).
Peak memory is the highest sum of resident memory of every service process (pool children
included), sampled every 20 ms while the restaurant opens and cooks five orders.
Prints a markdown table. It measures; it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ONE_BY_ONE = """
import json, time
from labkit.services.redis import RedisServer
from labkit.kitchen.restaurant import Restaurant
k = Restaurant(in_process_django=False)
out = {}
# Redis alone, on the port and password the restaurant's programs expect (fixed for its life)
k.redis = RedisServer(k.run, port=k.redis_port, password=k.redis_password, port_was_picked=True)
t = time.perf_counter(); k.redis.start(); out["redis"] = time.perf_counter() - t
t = time.perf_counter(); k.start_redis(); out["migrations (separate process)"] = time.perf_counter() - t
t = time.perf_counter(); k.start_worker(); out["worker"] = time.perf_counter() - t
t = time.perf_counter(); k.start_daphne(); out["daphne"] = time.perf_counter() - t
k.close(); k.run.close(remove=True)
print(json.dumps(out))
"""

WHOLE = """
import json, threading, time
t = time.perf_counter()
import labkit
k = labkit.current()
peak = [0]
stop = threading.Event()
def sample():
    while not stop.is_set():
        peak[0] = max(peak[0], k.memory())
        time.sleep(0.02)
sampler = threading.Thread(target=sample, daemon=True); sampler.start()
labkit.open_restaurant()
whole = time.perf_counter() - t
from django.test import Client
ids = [Client().post("/orders/", {"table": n}).json()["id"] for n in range(5)]
for i in ids:
    labkit.follow_order(i)
stop.set(); sampler.join()
labkit.close_restaurant(); k.run.close(remove=True)
print(json.dumps({"whole restaurant": whole, "peak memory": peak[0]}))
"""


def run(code: str, home: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "ORDERUP_HOME": home, "ORDERUP_COOK_SECONDS": "0.2"},
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as home:
        for _ in range(args.rounds):
            for name, value in {**run(ONE_BY_ONE, home), **run(WHOLE, home)}.items():
                samples.setdefault(name, []).append(value)
    from labkit.services.redis import find_redis_server, server_version
    binary, source = find_redis_server()
    print(f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {server_version(binary)} ({source}), worker prefork c=2, "
          f"{args.rounds} rounds\n")
    print("| what | median | min | max |\n|---|---|---|---|")
    for name, values in samples.items():
        if name == "peak memory":
            fmt = lambda v: f"{v / 2**20:.0f} MiB"  # noqa: E731
        else:
            fmt = lambda v: f"{v:.2f} s"  # noqa: E731
        print(f"| {name} | {fmt(statistics.median(values))} | {fmt(min(values))} | {fmt(max(values))} |")


if __name__ == "__main__":
    main()
