"""`make bench`: the queue race, the course's cold starts, every lesson and a room of learners, in one run.

    .venv/bin/python benchmarks/bench.py               # measure, write benchmarks/results/
    .venv/bin/python benchmarks/bench.py --write       # and the README's section (bench markers)
    .venv/bin/python benchmarks/bench.py --no-lessons  # skip the lessons (the longest part)
    .venv/bin/python benchmarks/bench.py --no-room     # skip the room (it needs root)

Four parts, one after the other (never side by side: they would share the 2 cores):
1. the queue race (benchmarks/queues.py, labkit/queue_race): every library, 300 tasks, 3 rounds;
2. cold starts: benchmarks/startup.py with 3 rounds (each service alone, then the whole restaurant);
3. every lesson once, top to bottom in a fresh kernel, with the course's peak memory
   (benchmarks/lesson_times.py's run_lesson; its small-machine rerun of lesson 09 and the
   schedules are lesson_times.py's own job, for INSTRUCTORS.md);
4. a room full of learners on the real hub (benchmarks/room.py: 10 at once, and one alone before them).
Writes benchmarks/results/results.md, results.json and queues.png; with --write, also the README's
section between <!-- bench:start --> and <!-- bench:end --> (only that), the fairness table in
benchmarks/README.md (between <!-- setups:start --> and <!-- setups:end -->) and INSTRUCTORS.md's
sizing (between <!-- hub-sizing:start --> and <!-- hub-sizing:end -->).
It measures; it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
import queues  # noqa: E402
import room  # noqa: E402

from labkit import queue_race  # noqa: E402

RESULTS = HERE / "results"
README = ROOT / "README.md"
BENCH_README = HERE / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SETUPS_START, SETUPS_END = "<!-- setups:start -->", "<!-- setups:end -->"
STARTUP_ROUNDS = 3


def replace_between(text: str, start: str, end: str, body: str, before: str | None = None) -> str:
    """``text`` with what lies between the markers replaced by ``body``; without the markers, the
    section goes just before the heading ``before`` (or at the end)."""
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        return re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: block, text, count=1, flags=re.S)
    if before and before in text:
        return text.replace(before, block + "\n\n" + before, 1)
    return text.rstrip("\n") + "\n\n" + block + "\n"


def startup_table() -> tuple[str, str]:
    """(its first line: the machine, its table) from startup.py, run as it runs alone."""
    out = subprocess.run([sys.executable, str(HERE / "startup.py"), "--rounds", str(STARTUP_ROUNDS)],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    lines = out.strip().splitlines()
    return lines[0], "\n".join(line for line in lines if line.startswith("|"))


def lesson_table() -> str:
    import lesson_times
    rows = ["| lesson | run all (fresh kernel) | peak memory of the course |", "|---|---:|---:|"]
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        try:
            seconds, peak = lesson_times.run_lesson(path, {"ORDERUP_SMALL_MACHINE": "0"})
            rows.append(f"| {path.stem} | {seconds:.0f} s | {peak / 2**20:.0f} MiB |")
        except Exception as e:  # a lesson being written can fail: say so, measure the others
            rows.append(f"| {path.stem} | failed: {str(e).splitlines()[0][:80]} | |")
        print(f"  {rows[-1]}", file=sys.stderr, flush=True)
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="also update the README's bench section")
    parser.add_argument("--no-lessons", action="store_true", help="skip running every lesson")
    parser.add_argument("--no-room", action="store_true", help="skip the room of learners on the hub")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    date = time.strftime("%Y-%m-%d")
    RESULTS.mkdir(exist_ok=True)

    print("1/4 the queue race", file=sys.stderr, flush=True)
    race = queue_race.race(n=queues.FULL["n"], rounds=queues.FULL["rounds"])
    race.plot(RESULTS / "queues.png")
    part_race = time.perf_counter() - began

    print("2/4 cold starts (startup.py)", file=sys.stderr, flush=True)
    startup_line, startup = startup_table()
    part_startup = time.perf_counter() - began - part_race

    lessons = "(skipped: --no-lessons)"
    if not args.no_lessons:
        print("3/4 every lesson in a fresh kernel", file=sys.stderr, flush=True)
        lessons = lesson_table()
    part_lessons = time.perf_counter() - began - part_race - part_startup

    sizing = None
    if not args.no_room:
        print(f"4/4 a room of {room.SIZE} learners on the hub", file=sys.stderr, flush=True)
        try:
            sizing = room.sizing(room.measure(room.SIZE))
        except room.Skipped as e:  # not root, say: the other parts still count (a failure is raised)
            print(f"  {e}", file=sys.stderr)
    part_room = time.perf_counter() - began - part_race - part_startup - part_lessons
    wall = time.perf_counter() - began

    body = "\n\n".join([
        f"Measured by `make bench` on {date}: {queues.describe(race)}",
        "**Task queues on the same Redis** (`benchmarks/queues.py`; the same no-op task, 2 worker "
        "processes each; how each library is set up: [benchmarks/README.md](benchmarks/README.md))",
        race.markdown(),
        race.caption(),
        "![the queue race](benchmarks/results/queues.png)",
        f"**Cold starts** (`benchmarks/startup.py`, {STARTUP_ROUNDS} rounds; peak memory: every "
        "service process while the restaurant opens and cooks five orders)",
        startup,
        "**Every lesson, top to bottom in a fresh kernel** (peak memory: the kernel and every "
        "process it started)",
        lessons,
        f"`make bench` took {wall / 60:.1f} min: the queue race {part_race:.0f} s, cold starts "
        f"{part_startup:.0f} s, lessons {part_lessons:.0f} s, the room {part_room:.0f} s.",
    ])
    room_part = f"\n\n## A room full of learners (INSTRUCTORS.md's sizing)\n\n{sizing or '(not run)'}\n"
    (RESULTS / "results.md").write_text(f"# make bench, {date}\n\n{body}\n{room_part}".replace(
        "benchmarks/results/queues.png", "queues.png").replace("(benchmarks/README.md)", "(../README.md)"))
    (RESULTS / "results.json").write_text(json.dumps(
        {"date": date, "wall_s": round(wall, 1), "parts_s": {"queue race": round(part_race, 1),
         "cold starts": round(part_startup, 1), "lessons": round(part_lessons, 1),
         "room": round(part_room, 1)},
         "startup_machine": startup_line, "queue_race": race.to_json()}, indent=1) + "\n")
    print(body)
    if args.write:
        README.write_text(replace_between(README.read_text(), START, END,
                                          "## Benchmarks\n\n" + body, before="## Credits"))
        BENCH_README.write_text(replace_between(BENCH_README.read_text(), SETUPS_START, SETUPS_END,
                                                race.setups_markdown()))
        print(f"wrote {README.relative_to(ROOT)} and {BENCH_README.relative_to(ROOT)}", file=sys.stderr)
        if sizing:
            room.write(sizing)
            print(f"wrote {room.GUIDE.relative_to(ROOT)}'s sizing", file=sys.stderr)
    print(f"wrote {RESULTS.relative_to(ROOT)}/results.md, results.json, queues.png "
          f"({wall / 60:.1f} min)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
