"""A room full of learners on the real hub: `make bench`'s last part, and INSTRUCTORS.md's sizing.

    .venv/bin/python benchmarks/room.py               # 10 learners at once, printed
    .venv/bin/python benchmarks/room.py --size 12     # as many as you like
    .venv/bin/python benchmarks/room.py --write       # and INSTRUCTORS.md's sizing (hub-sizing markers)
    .venv/bin/python benchmarks/room.py --again --write   # the guide's text again, from the last figures

The figures are kept in benchmarks/results/room.json.

It runs the room test of tests/test_hub.py (a JupyterHub set up by INSTRUCTORS.md's own steps, as root)
with ORDERUP_ROOM learners, each logging in through the hub's API and running lesson 09 and lab 09 in
its kernels (tests/hub_room.py); before them, one more learner alone, the same way. The test asserts
that no order is lost, nothing crosses between learners and no process is left; this script turns its
figures into the guide's table, and an extrapolation to larger hosts, stated as one.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "INSTRUCTORS.md"
FIGURES_FILE = ROOT / "benchmarks" / "results" / "room.json"
SIZE = 10
# the hosts the extrapolation is written for: (CPUs, GiB)
HOSTS = [(2, 8), (4, 16), (8, 32), (16, 64), (32, 128)]
SYSTEM_MIB = 1024  # kept for the system, the hub, its proxy and the board in the extrapolation
FIGURES = [("login and spawn", "login and spawn", "s", 1), ("lesson 09, every cell", "lesson 09", "s", 1),
           ("lab 09, every cell", "lab 09", "s", 1),
           ("peak memory, all their processes", "peak memory (MiB)", "MiB", 0),
           ("CPU, all their processes", "CPU (s)", "s", 1),
           ("the board's rows had their last check after", "board", "s", 1)]


class Skipped(RuntimeError):
    """The room test was skipped: it needs root, npm, openssl and Debian's Python 3.11."""


def measure(size: int) -> dict:
    """The room test with ``size`` learners; its figures ({"alone", "room", "left", ...}). Raises
    Skipped if the test was skipped, RuntimeError with its output if it failed."""
    with tempfile.TemporaryDirectory() as folder:
        figures = Path(folder) / "room.json"
        env = {**os.environ, "ORDERUP_ROOM": str(size), "ORDERUP_ROOM_FIGURES": str(figures)}
        command = [sys.executable, "-m", "pytest", "tests/test_hub.py", "-k", "room", "-q",
                   "-p", "no:randomly", "-p", "no:nbval", "-o", "addopts=", "-rs"]
        with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) as pytest_run:
            try:
                stdout, stderr = pytest_run.communicate(timeout=1800)
            except subprocess.TimeoutExpired:
                # Ctrl+C, not a kill: pytest's fixtures stop the hub, its servers and users on their way out
                pytest_run.send_signal(signal.SIGINT)
                stdout, stderr = pytest_run.communicate(timeout=300)
                stderr += "\nstopped after 30 minutes"
        run = subprocess.CompletedProcess(command, pytest_run.returncode, stdout, stderr)
        if run.returncode == 0 and not figures.exists():
            raise Skipped(f"the room test was skipped:\n{run.stdout[-1500:]}")
        if run.returncode != 0 or not figures.exists():
            raise RuntimeError(f"the room test did not run (exit {run.returncode}):\n{run.stdout[-3000:]}\n"
                               f"{run.stderr[-3000:]}")
        measured = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(),
                    "GiB": round(psutil.virtual_memory().total / 1024**3), **json.loads(figures.read_text())}
    FIGURES_FILE.parent.mkdir(exist_ok=True)
    FIGURES_FILE.write_text(json.dumps(measured, indent=1) + "\n")
    return measured


def summary(rows: dict, key: str) -> tuple[float, float]:
    """(median, largest) of one figure over the room."""
    values = [row[key] for row in rows.values()]
    return statistics.median(values), max(values)


def sizing(figures: dict) -> str:
    """The guide's sizing section: one learner alone, the room at once, and the extrapolation."""
    alone, measured = figures["alone"], figures["room"]
    rows, n = measured["learners"], len(measured["learners"])
    table = [f"| per learner | alone | {n} at once: median | {n} at once: slowest |", "|---|---:|---:|---:|"]
    for label, key, unit, digits in FIGURES:
        median, most = summary(rows, key)
        table.append(f"| {label} | {alone[key]:.{digits}f} {unit} | {median:.{digits}f} {unit} "
                     f"| {most:.{digits}f} {unit} |")
    placed = sum(row["placed"] for row in rows.values())
    lost = sum(len(row["lost"]) for row in rows.values())
    crossed = sum(len(row["heard"]) + len(row["orders"]) for row in rows.values())
    left = sum(len(processes) for processes in figures["left"].values())
    retried = [attempt for row in rows.values() for attempt in row.get("kernel sockets tried again", [])]
    before, peak = measured["host before (MiB)"], measured["host peak (MiB)"]
    given_up = "" if "kernel_info given up" not in measured else (  # figures written before 2026-12-06 lack it
        " A learner's server holds a kernel's handshake until the kernel answers\n  its kernel_info request, "
        f"or for 60 s (`kernel_info_timeout`); it gave up waiting {measured['kernel_info given up']} times.")
    per_learner = (peak - before) / n  # the host's own count: pages the learners' processes share count once
    cpu_each = summary(rows, "CPU (s)")[0]
    alone_s = alone["login and spawn"] + alone["lesson 09"] + alone["lab 09"]
    room_s = summary(rows, "login and spawn")[0] + summary(rows, "lesson 09")[0] + summary(rows, "lab 09")[0]
    hosts = ["| host | by memory | by CPU | learners |", "|---|---:|---:|---:|"]
    for host_cpus, gib in HOSTS:
        by_memory = int((gib * 1024 - SYSTEM_MIB) // per_learner)
        by_cpu = int(2 * alone_s * host_cpus // cpu_each)
        hosts.append(f"| {host_cpus} CPUs, {gib} GiB | {by_memory} | {by_cpu} | **{min(by_memory, by_cpu)}** |")
    return f"""Measured on {figures['date']} on {figures['cpus']} CPUs and {figures['GiB']} GiB by `make bench`
(`benchmarks/room.py`: the room test of `tests/test_hub.py` with `ORDERUP_ROOM={n}`). {n} learners at
once, each logging in through the hub's API, getting a server, and running every cell of lesson 09 and
then of lab 09 in a kernel each (the code cells sent to the kernel as JupyterLab sends them; no
browser). *Alone*: one more learner did the same, by themselves, just before.

{chr(10).join(table)}

- The whole host: {before / 1024:.1f} GiB in use before they logged in, {peak / 1024:.1f} GiB at the peak:
  {per_learner:.0f} MiB a learner. (The per-learner peaks above add up each process's resident memory,
  so the libraries their processes share count once per process.)
- Orders placed: {placed}; lost: {lost}.
- Buzzes heard, or orders held, by the wrong learner: {crossed} (every learner ordered three teas at the
  same moment, a buzzer open).
- Kernel WebSocket handshakes held for over 20 s, or dropped (the test's client tries again, as
  JupyterLab reconnects): {len(retried)}.{given_up}
- Processes left once the hub had stopped the servers: {left} (every process of theirs had ended
  {figures['stopped (s)']:.1f} s after the stop was asked for; the test waits up to 30 s).

**Learners per host: an extrapolation** from the figures above, not a measurement beyond {n} learners.
By memory: the host's memory, less {SYSTEM_MIB} MiB for the system and the hub, over the {per_learner:.0f} MiB a learner
added to the host. By CPU: when everyone starts the same lesson at the same moment, each needs
{cpu_each:.1f} s of CPU (the median above); for all of them to finish within twice the time one learner
takes alone ({alone_s:.0f} s from login to the lab's end), a host of k CPUs holds 2 x {alone_s:.0f} x k / {cpu_each:.1f}
learners.
This assumes that CPU time divides evenly over the CPUs and that the whole room starts together
(the worst case). Measured against it: the {n} here took {room_s:.0f} s from login to the lab's end
(medians), {room_s / alone_s:.1f} times as long as one alone.

{chr(10).join(hosts)}"""


def write(body: str, guide: Path = GUIDE) -> None:
    text = guide.read_text()
    if "<!-- hub-sizing:start -->\n" not in text or "\n<!-- hub-sizing:end -->" not in text:
        raise SystemExit(f"{guide} lacks its <!-- hub-sizing:start --> and <!-- hub-sizing:end --> lines")
    guide.write_text(re.sub(r"(<!-- hub-sizing:start -->\n).*?(\n<!-- hub-sizing:end -->)",
                            lambda m: m[1] + body + m[2], text, flags=re.DOTALL))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=SIZE, help=f"learners at once (default {SIZE})")
    parser.add_argument("--write", action="store_true", help="also rewrite INSTRUCTORS.md's sizing")
    parser.add_argument("--again", action="store_true", help=f"no run: the text from {FIGURES_FILE.name}")
    args = parser.parse_args(argv)
    body = sizing(json.loads(FIGURES_FILE.read_text()) if args.again else measure(args.size))
    print(body)
    if args.write:
        write(body)
        print(f"wrote {GUIDE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
