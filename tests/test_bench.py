"""The queue race harness (labkit/queue_race, benchmarks/): a tiny race of every library, for real.

No timing is asserted, only behaviour: every library's row is there, every result came back
right and was counted, the workers' memory was measured, and no process outlives the race.
"""
from __future__ import annotations

import re

import psutil
import pytest

from labkit import queue_race
from labkit.runtime import reaper
from labkit.runtime.errors import LabkitError

from conftest import ROOT, course_processes, names

N = 8  # tasks per phase: enough to run every phase, small enough for CI


def race_processes(run_id: str) -> list[psutil.Process]:
    """Live processes carrying the race's run marker (workers, their children, drivers)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(reaper.RUN_MARKER) == run_id and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def assert_nothing_left(result: queue_race.RaceResult, home) -> None:
    assert result.params["leftover_processes"] == 0
    assert race_processes(result.params["run_id"]) == []
    assert course_processes(home) == [], names(course_processes(home))
    for pid in {pid for run in result.runs for pid in run["pids"]}:  # workers, children, drivers
        try:  # gone, or (pid_max is 32768 here) reused by a process that is not the race's
            assert psutil.Process(pid).environ().get(reaper.RUN_MARKER) != result.params["run_id"]
        except psutil.Error:
            pass


@pytest.mark.parametrize("library", queue_race.LIBRARIES)
def test_each_library_races_returns_every_result_and_leaves_no_process(library, home):
    result = queue_race.race([library], n=N, rounds=1, concurrency=2, progress=False)
    assert [row["library"] for row in result.rows] == [library]
    row = result.rows[0]
    expected = 20 + 3 * N  # the warm-up's 20, then enqueue, round trip and throughput
    assert row["results_expected"] == expected
    assert row["results_correct"] == expected
    (run,) = result.runs
    for phase, count in {"warmup": 20, "enqueue": N, "round trip": N, "throughput": N}.items():
        assert run["checked"][phase] == {"expected": count, "returned": count, "correct": count}
    assert len(run["enqueue_s"]) == len(run["round_trip_s"]) == N
    assert run["throughput"]["tasks"] == N
    assert row["memory_bytes"] > 0
    assert row["processes"] >= (2 if library in ("raw", "arq") else 3)  # + a main/pool process
    assert row["enqueue_p50_s"] > 0 and row["round_trip_p99_s"] >= row["round_trip_p50_s"]
    assert_nothing_left(result, home)


def test_rounds_alternate_and_the_table_keeps_its_shape(home, tmp_path):
    result = queue_race.race("huey,raw", n=3, rounds=2, progress=False)
    assert result.params["orders"] == [["raw", "huey"], ["huey", "raw"]]  # rotated, round by round
    assert [r["library"] for r in result.runs] == ["raw", "huey", "huey", "raw"]
    assert [row["runs"] for row in result.rows] == [2, 2]
    lines = result.markdown().splitlines()
    assert lines[0] == "| " + " | ".join(queue_race.COLUMNS) + " |"
    assert [line.split(" | ")[0] for line in lines[2:]] == ["| Redis alone", "| Huey"]
    assert all(line.count("|") == len(queue_race.COLUMNS) + 1 for line in lines)
    fig = result.plot(tmp_path / "race.png")
    assert len(fig.axes) == 4 and (tmp_path / "race.png").stat().st_size > 0
    assert set(result.to_json()) == {"params", "machine", "rows", "runs"}
    assert_nothing_left(result, home)


def test_without_the_arq_venv_asking_for_arq_says_how_to_build_it(home, tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERUP_ARQ_VENV", str(tmp_path / "no-such-venv"))
    with pytest.raises(queue_race.ArqEnvMissing, match=r"make \.venv-arq"):
        queue_race.race(["celery", "arq"], n=1)
    assert course_processes(home) == []  # it failed before starting anything


def test_choosing_libraries(home):
    assert queue_race.choose("rq, celery") == ["celery", "rq"]  # the table's order
    assert queue_race.choose(None) == list(queue_race.LIBRARIES)
    with pytest.raises(LabkitError, match="choose among raw, celery"):
        queue_race.choose(["celery", "bullmq"])


def test_the_fairness_table_in_benchmarks_readme_is_the_harness_own():
    text = (ROOT / "benchmarks" / "README.md").read_text()
    section = re.search(r"<!-- setups:start -->\n(.*?)\n<!-- setups:end -->", text, re.S).group(1)
    assert section == queue_race.setups_markdown(), "run `make bench WRITE=1` (or edit benchmarks/README.md)"



def test_binder_and_make_build_arq_from_the_same_pins():
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "python -m venv .venv-arq" in post_build
    assert "-r benchmarks/requirements-arq.txt" in post_build
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test: .*\$\(ARQ_INSTALLED\)", makefile, re.MULTILINE)  # CI runs arq's test
    pins = (ROOT / "benchmarks" / "requirements-arq.txt").read_text()
    assert re.search(r"^arq==0\.28\.0$", pins, re.MULTILINE) and re.search(r"^redis==5\.", pins, re.MULTILINE)


def test_the_readme_shows_a_full_run():
    text = (ROOT / "README.md").read_text()
    section = re.search(r"<!-- bench:start -->\n(.*?)\n<!-- bench:end -->", text, re.S).group(1)
    assert "| " + " | ".join(queue_race.COLUMNS) + " |" in section
    for label in queue_race.LABELS.values():
        assert f"| {label} |" in section
    assert re.search(r"Measured by `make bench` on \d{4}-\d\d-\d\d: .+ cores", section)
