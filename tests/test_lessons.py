"""Every lesson runs top to bottom twice in a row in one kernel, after any other lesson, and leaves
nothing running. Run times are printed (benchmarks report figures; this asserts behaviour)."""
from __future__ import annotations

import time

from labkit.processes import wait_until

from conftest import ROOT, Kernel, course_processes, names

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
# lesson 09 leaves its restaurant open on purpose: the learner's page keeps working after Run All
KEEPS_OPEN = {"09-order-up"}


def run_in_order(kernel: Kernel, home, order) -> list[tuple[str, float]]:
    times = []
    for path in order:
        started = time.monotonic()
        kernel.run_notebook(path)
        times.append((path.stem, time.monotonic() - started))
        left = course_processes(home)
        if path.stem in KEEPS_OPEN:
            assert kernel.run("print(labkit.current().worker.running, labkit.current().daphne.running)") == "True True\n"
            continue
        assert not left, f"{path.name} left services running: {names(left)}"
    return times


def report(title, times):
    print(f"\n{title}")
    for name, seconds in times:
        print(f"  {name:32s} {seconds:6.1f} s")


def test_each_lesson_twice_in_a_row_after_the_one_before(home):
    kernel = Kernel(home)
    try:
        times = run_in_order(kernel, home, [p for p in LESSONS for _ in (1, 2)])
    finally:
        kernel.shutdown()
    wait_until(lambda: not course_processes(home), timeout=15, what="the kernel's services to stop")
    report("lesson run times (each twice in a row, one kernel)", times)


def test_lessons_in_reverse_order_in_one_kernel(home):
    kernel = Kernel(home)
    try:
        times = run_in_order(kernel, home, list(reversed(LESSONS)))
    finally:
        kernel.shutdown()
    wait_until(lambda: not course_processes(home), timeout=15, what="the kernel's services to stop")
    report("lesson run times (reverse order, one kernel)", times)
