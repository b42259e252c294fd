"""pytest's hooks for every test path (tests/, the lesson chains; the solutions, if nbval is given them).

- Each pytest process (each xdist worker, or the one process of a serial run) gets a course home
  of its own: nbval's kernels inherit it, so parallel workers never see, reap or make room among
  each other's restaurants.
- The lessons run as chains (tests/lesson_chains.py), written here before collection.
- A notebook's cells run in one kernel, in order: under xdist they stay together (`--dist loadfile`
  sends each file, so each notebook, to one worker).
"""
import importlib.util
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent


def _chains():
    spec = importlib.util.spec_from_file_location("lesson_chains", ROOT / "tests" / "lesson_chains.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pytest_configure(config):
    home = Path(tempfile.mkdtemp(prefix=f"orderup-tests-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-"))
    config._orderup_home = home
    os.environ["ORDERUP_HOME"] = str(home)
    os.environ["ORDERUP_SMALL_MACHINE"] = "0"  # the suite sizes itself; lessons' outputs are normal mode's
    # the chains only when the run may collect them (not for `pytest restaurant/`, the restaurant's own tests)
    config._orderup_chains = _chains().write() if _runs_the_course_tests(config) else []


def _runs_the_course_tests(config) -> bool:
    paths = [Path(str(arg).split("::")[0]).resolve() for arg in config.args]
    return not paths or any(p == ROOT or p.is_relative_to(ROOT / "tests") or p.is_relative_to(ROOT / "solutions")
                            for p in paths)


def pytest_unconfigure(config):
    home = getattr(config, "_orderup_home", None)
    if home is not None:
        from labkit.runtime import reaper
        reaper.clean_leftovers(home)
        shutil.rmtree(home, ignore_errors=True)


def pytest_report_header(config):
    chains = getattr(config, "_orderup_chains", [])
    return [f"lesson chains (seed {_chains().seed()}; ORDERUP_LESSON_ORDER replays one): "
            + ", ".join(chains)]


def pytest_itemcollected(item):
    if getattr(item, "cell", None) is not None:  # a notebook's cell
        item.add_marker(pytest.mark.slow)


def pytest_collection_modifyitems(config, items):
    _skip_rabbitmq_cells_without_a_broker(items)
    _longest_first(items)


# Seconds each test file took in the last full run on a 2-core machine, measured by the suite itself:
# `make test-durations` runs it with ORDERUP_STORE_DURATIONS=1, which writes tests/durations.json
# (test files; lessons and chains are weighed by the guide's measured lesson times).
DURATIONS = ROOT / "tests" / "durations.json"


def _file_seconds() -> dict[str, float]:
    import json
    return json.loads(DURATIONS.read_text()) if DURATIONS.is_file() else {}


def pytest_runtest_logreport(report):
    """Sum each test file's setup, call and teardown times (in the controller, under xdist too)."""
    if os.environ.get("ORDERUP_STORE_DURATIONS") == "1":
        _measured[_duration_key(report.nodeid)] = _measured.get(_duration_key(report.nodeid), 0.0) + report.duration


_measured: dict[str, float] = {}


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("ORDERUP_STORE_DURATIONS") == "1" and not hasattr(session.config, "workerinput"):
        import json
        files = {name: round(t) for name, t in sorted(_measured.items()) if name.startswith("test_")}
        # a test that is a work unit of its own (a lab, a mutation) is weighed by its own time
        DURATIONS.write_text(json.dumps(files, indent=1) + "\n")


# Tests that stand alone (a kernel or a copy of the course of their own, no shared fixture): under
# xdist each is a work unit of its own, so that a long file of them spreads over the workers.
ONE_UNIT_EACH = ("test_labs.py::test_a_lab_fails_only_at_its_checks", "test_mutations.py::test_a_lesson_fails_when")


def _duration_key(nodeid: str) -> str:
    """What a test's time is kept under: its own name if it is a work unit of its own, else its file's."""
    unit = work_unit(nodeid)
    return Path(unit.split("::")[0]).name + ("::" + unit.split("::", 1)[1] if "::" in unit else "")


def work_unit(nodeid: str) -> str:
    """What xdist sends to one worker: a whole file (a notebook's cells stay together), or one test."""
    return nodeid if any(name in nodeid for name in ONE_UNIT_EACH) else nodeid.split("::", 1)[0]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (the Makefile's), except that ONE_UNIT_EACH's tests go one by one."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling
    # xdist (3.8) otherwise re-sorts the work units by their number of tests, most first: the notebooks
    # (a test per cell) would start first and the labs and mutations (one test each, up to two minutes
    # long) last, running on after every other worker is idle. Keep _longest_first's order.
    config.option.loadscopereorder = False

    class FilesAndStandaloneTests(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return FilesAndStandaloneTests(config, log)


def _longest_first(items):
    """Order the work units longest first (xdist hands them out in this order): a long one
    started last would run alone at the end, while the other workers sit idle."""
    lessons = _chains().measured_seconds()
    files = _file_seconds()

    def seconds(path: Path) -> float:
        if path.suffix == ".ipynb":  # chain-02-05x2-then-06 (05 twice, then 06), chain-01-05-then-06, or 05-crashes-...
            numbers = re.findall(r"\d\d", path.stem.split("-", 2)[2] if path.parent.name == "lesson-chains"
                                 else path.stem[:2])
            runs = [2 if "x2" in path.stem else 1] + [1] * (len(numbers) - 1)
            return sum(n * t for number, n in zip(numbers, runs, strict=True)
                       for name, t in lessons.items() if name[:2] == number)
        return files.get(path.name, 5)

    units: dict[str, list] = {}
    for item in items:
        units.setdefault(work_unit(item.nodeid), []).append(item)
    in_file = {}  # a file's seconds, shared among its units
    for unit in units:
        in_file[units[unit][0].path] = in_file.get(units[unit][0].path, 0) + 1
    weight = {unit: files.get(_duration_key(unit)) or seconds(its[0].path) / in_file[its[0].path]
              for unit, its in units.items()}
    order = {unit: i for i, unit in enumerate(units)}
    ranked = sorted(units, key=lambda unit: (-weight[unit], order[unit]))  # a unit's items keep their order
    items[:] = [item for unit in ranked for item in units[unit]]


def _skip_rabbitmq_cells_without_a_broker(items):
    """Lesson 13's RabbitMQ cells need a rabbitmq-server: without one, a learner's `make test` skips
    them (the lesson itself prints how to install it); CI (CI=true) runs them, so they fail there."""
    from labkit.services.rabbitmq import find_rabbitmq_server
    if find_rabbitmq_server() is not None or os.environ.get("CI", "").lower() not in ("", "0", "false"):
        return
    skip = pytest.mark.skip(reason="no rabbitmq-server here (apt install rabbitmq-server, or conda's)")
    for item in items:
        cell = getattr(item, "cell", None)
        if cell is not None and "rabbit" in cell.get("source", ""):
            item.add_marker(skip)
