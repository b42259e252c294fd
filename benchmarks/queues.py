"""The queue race from the command line: Celery, RQ, Dramatiq, Huey and arq on one local Redis.

    .venv/bin/python benchmarks/queues.py                          # every library, n=300, 3 rounds
    .venv/bin/python benchmarks/queues.py --only rq                # one line of the table again
    .venv/bin/python benchmarks/queues.py --only celery,rq-simple --n 2000 --rounds 5
    make bench ONLY=rq                                             # the same, through make

Prints the table, how each library was run (the fairness table) and the machine. ``--out DIR``
also writes queues.md, queues.json and queues.png there. How it is measured, and why each library
is set up the way it is: labkit/queue_race/__init__.py and benchmarks/README.md.
It measures; it asserts nothing (tests/test_bench.py checks the harness).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from labkit import queue_race  # noqa: E402

#: make bench's size: about 2 minutes here (RQ's forks take half of it); percentiles from 3 x 300
#: samples per library. Larger n moves the figures little and the lessons need the rest of the
#: 10 minutes that make bench may take.
FULL = {"n": 300, "rounds": 3}


def describe(result: queue_race.RaceResult) -> str:
    """The machine and every version, in one paragraph."""
    m = result.machine
    libraries, clients = {}, {}
    for row in result.rows:
        where = ".venv-arq" if row["library"] == "arq" else ".venv"
        for part in row["client"].split(", "):
            if part.startswith("redis-py"):
                clients.setdefault(f"{part} in {where}", None)
            else:
                libraries.setdefault(part, None)
    return (f"{m['cpu']} ({m['cores']} cores), {m['memory_gib']:g} GiB, {m['os']}, Python {m['python']}, "
            f"{m['redis']} ({m['redis_binary']}); " + ", ".join(libraries) + "; "
            + ", ".join(clients) + ".")


def report(result: queue_race.RaceResult) -> str:
    return "\n\n".join([result.markdown(), result.caption(), describe(result)])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated, among: {', '.join(queue_race.LIBRARIES)}")
    parser.add_argument("--n", type=int, default=FULL["n"], help="tasks per phase (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=FULL["rounds"], help="default %(default)s")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default %(default)s)")
    parser.add_argument("--out", type=Path, help="also write queues.md, queues.json and queues.png here")
    args = parser.parse_args(argv)
    try:
        result = queue_race.race(args.only, n=args.n, rounds=args.rounds, concurrency=args.concurrency)
    except queue_race.ArqEnvMissing as e:
        print(e, file=sys.stderr)
        return 2
    text = report(result)
    print("\n" + text + "\n\n" + result.setups_markdown())
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "queues.md").write_text(text + "\n")
        (args.out / "queues.json").write_text(json.dumps(result.to_json(), indent=1) + "\n")
        result.plot(args.out / "queues.png")
        print(f"\nwrote {args.out}/queues.md, queues.json, queues.png", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
