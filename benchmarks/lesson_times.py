"""How long each lesson takes to run top to bottom, and the course's peak memory while it runs.

    .venv/bin/python benchmarks/lesson_times.py                 # print the table
    .venv/bin/python benchmarks/lesson_times.py --write         # and put it in INSTRUCTORS.md
    .venv/bin/python benchmarks/lesson_times.py --write --only 16,17   # re-measure two, keep the rest

Each lesson runs in a fresh kernel (as "Restart kernel and run all" does), cell by cell. Memory is
the highest sum of resident memory, sampled every 50 ms, of every process of the course: the kernel
and everything it started (Redis, worker and pool processes, Daphne, beat, watchdog). Small-machine
mode is measured too, for lesson 09 (ORDERUP_SMALL_MACHINE=1, as on Binder).

The workshop schedules in INSTRUCTORS.md are built from these figures: each slot is the lesson's
talk and lab time (the guide's plan, below; the half day leaves the labs as homework) plus
its measured run time, rounded up to 5 minutes.
It measures; it asserts nothing.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from labkit.authoring.course_map import HALF_DAY, ONE_DAY, THREE_DAYS  # noqa: E402
from labkit.runtime.service import resident_memory  # noqa: E402

GUIDE = ROOT / "INSTRUCTORS.md"

# the guide's plan: minutes of talk (with the live demo) and of lab, per lesson
PLAN = {
    "00": (10, 5), "01": (15, 10), "02": (20, 15), "03": (20, 15), "04": (15, 15),
    "05": (20, 15), "06": (15, 15), "07": (10, 10), "08": (20, 15), "09": (20, 15), "10": (25, 20),
    "11": (10, 10), "12": (10, 5), "13": (10, 5), "14": (15, 10), "15": (20, 15),
    "16": (15, 10), "17": (15, 10), "18": (10, 10), "19": (15, 10), "20": (10, 10), "21": (15, 10),
    "22": (20, 15), "23": (15, 15), "24": (15, 15), "25": (15, 10),
    "26": (15, 10), "27": (10, 10), "28": (20, 20), "29": (20, 20), "30": (15, 15),
}


def course_memory(kernel_pid: int, home: Path) -> int:
    """Resident memory of the kernel, its children, and every process marked with this home."""
    procs = {}
    try:
        kernel = psutil.Process(kernel_pid)
        procs[kernel.pid] = kernel
        for child in kernel.children(recursive=True):
            procs[child.pid] = child
    except psutil.Error:
        pass
    for proc in psutil.process_iter():
        try:
            if proc.pid not in procs and proc.environ().get("ORDERUP_HOME") == str(home):
                procs[proc.pid] = proc
        except (psutil.Error, OSError):
            continue
    return resident_memory(procs.values())


def run_lesson(path: Path, env: dict) -> tuple[float, int]:
    """(seconds to run every code cell, peak memory in bytes), in a fresh kernel."""
    from jupyter_client import KernelManager
    home = Path(tempfile.mkdtemp(prefix="orderup-times-"))
    km = KernelManager(kernel_name="python3")
    km.start_kernel(env={**os.environ, **env, "ORDERUP_HOME": str(home)}, cwd=str(path.parent))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    peak, done = [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], course_memory(km.provisioner.process.pid, home))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        start = time.perf_counter()
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                reply = kc.execute_interactive(cell.source, timeout=300, output_hook=lambda msg: None)
                if reply["content"]["status"] != "ok":
                    raise RuntimeError(f"{path.name}: a cell failed: {reply['content'].get('evalue')}")
        return time.perf_counter() - start, peak[0]
    finally:
        done.set()
        sampler.join()
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def guide_figures() -> dict[str, tuple[float, int]]:
    """The figures the guide holds now: {lesson: (seconds, peak bytes)}, and the small machine's."""
    text = GUIDE.read_text()
    figures = {name: (float(s), int(mib) * 1024**2) for name, s, mib in
               re.findall(r"^\| (\d\d-[\w-]+) \| (\d+) s \| (\d+) MiB \|", text, re.MULTILINE)}
    small = re.search(r"Small-machine mode \(as on Binder\), lesson 09: (\d+) s, peak (\d+) MiB", text)
    if small:
        figures["small machine"] = (float(small.group(1)), int(small.group(2)) * 1024**2)
    return figures


def minutes(seconds: float) -> int:
    return 5 * math.ceil(seconds / 60 / 5)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the measured part of INSTRUCTORS.md")
    parser.add_argument("--only", help="lesson numbers to measure (16,17); the others keep the guide's figures")
    args = parser.parse_args(argv)

    lessons = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    only = set(args.only.split(",")) if args.only else None
    earlier = guide_figures() if only else {}
    measured = {}
    for path in lessons:
        if only is not None and path.name[:2] not in only and path.stem in earlier:
            measured[path.name[:2]] = (path, *earlier[path.stem])
            continue
        seconds, peak = run_lesson(path, {"ORDERUP_SMALL_MACHINE": "0"})
        measured[path.name[:2]] = (path, seconds, peak)
        print(f"{path.name}: {seconds:.1f} s, peak {peak / 1024**2:.0f} MiB", file=sys.stderr)
    small_path = next(p for p in lessons if p.name.startswith("09"))
    if only is not None and "09" not in only and "small machine" in earlier:
        small_seconds, small_peak = earlier["small machine"]
    else:
        small_seconds, small_peak = run_lesson(small_path, {"ORDERUP_SMALL_MACHINE": "1"})

    lines = [
        f"Measured by `benchmarks/lesson_times.py` on {os.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 1024**3:.0f} GiB, {time.strftime('%Y-%m-%d')}.",
        "",
        "| lesson | run all (fresh kernel) | peak memory of the course | talk + lab | slot |",
        "|---|---|---|---|---|",
    ]
    for number, (path, seconds, peak) in measured.items():
        talk, lab = PLAN.get(number, (15, 15))
        slot = minutes(talk * 60 + lab * 60 + seconds)
        lines.append(f"| {path.stem} | {seconds:.0f} s | {peak / 1024**2:.0f} MiB | {talk} + {lab} min | {slot} min |")
    lines += [
        "",
        f"Small-machine mode (as on Binder), lesson 09: {small_seconds:.0f} s, "
        f"peak {small_peak / 1024**2:.0f} MiB (Binder's limit is about 2 GB).",
        "",
    ]
    # (title, lessons, with their labs): the half day leaves the labs as homework
    paths = [("half day", HALF_DAY, False), ("one day", ONE_DAY, True),
             *((f"three days, {day}", lessons, True) for day, lessons in THREE_DAYS.items())]
    for title, chosen, with_labs in paths:
        total, rows = 0, []
        for number in chosen:
            if number not in measured:
                continue
            path, seconds, _ = measured[number]
            talk, lab = PLAN.get(number, (15, 15))
            slot = minutes(talk * 60 + (lab * 60 if with_labs else 0) + seconds)
            rows.append(f"| {total // 60}:{total % 60:02d} | {path.stem} | {slot} min |")
            total += slot
        lines += [f"**{title}** ({total // 60} h {total % 60:02d} min of teaching, breaks not included)", "",
                  "| starts at | lesson | slot |", "|---|---|---|", *rows, ""]
    table = "\n".join(lines)
    print(table)
    if args.write:
        text = GUIDE.read_text()
        new = re.sub(r"(<!-- measured:start -->\n).*?(\n<!-- measured:end -->)",
                     lambda m: m.group(1) + table + m.group(2), text, flags=re.S)
        GUIDE.write_text(new)
        print(f"wrote {GUIDE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
