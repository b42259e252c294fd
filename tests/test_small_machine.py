"""Small-machine mode (Binder: about 1 CPU and 2 GB): found from cgroup limits, and what it changes."""
from __future__ import annotations

import pytest

from labkit.kitchen.other_project import OpenProject, clinic
from labkit.kitchen.restaurant import Restaurant
from labkit.runtime.machine import SMALL_MEMORY, cgroup_cpus, cgroup_memory, machine

GIB = 1024**3


def limits(tmp_path, cpu_max=None, memory_max=None):
    if cpu_max is not None:
        (tmp_path / "cpu.max").write_text(cpu_max + "\n")
    if memory_max is not None:
        (tmp_path / "memory.max").write_text(memory_max + "\n")
    return tmp_path


def test_cgroup_v2_limits_are_read(tmp_path):
    root = limits(tmp_path, "100000 100000", str(2 * GIB))
    assert cgroup_cpus(root) == 1.0 and cgroup_memory(root) == 2 * GIB
    this = machine({}, root)
    assert this.small and this.cpus <= 1 and this.memory == 2 * GIB
    assert "fewer than 2 CPUs" in this.why and "less than 4 GiB" in this.why


def test_no_limit_means_the_whole_machine(tmp_path):
    root = limits(tmp_path, "max 100000", "max")
    assert cgroup_cpus(root) is None and cgroup_memory(root) is None


def test_cgroup_v1_limits_are_read(tmp_path):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("150000")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000")
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "memory.limit_in_bytes").write_text(str(2**63 - 4096))  # v1: "no limit"
    assert cgroup_cpus(tmp_path) == 1.5 and cgroup_memory(tmp_path) is None


def test_the_mode_can_be_forced_either_way(tmp_path):
    small_box = limits(tmp_path, "100000 100000", str(SMALL_MEMORY // 2))
    assert not machine({"ORDERUP_SMALL_MACHINE": "0"}, small_box).small
    assert machine({"ORDERUP_SMALL_MACHINE": "1"}, tmp_path / "nowhere").small


@pytest.fixture
def two_restaurants(home, monkeypatch):
    monkeypatch.setenv("ORDERUP_SMALL_MACHINE", "1")
    first, second = Restaurant(home, in_process_django=False), Restaurant(home, in_process_django=False)
    yield first, second
    for r in (first, second):
        r.close()
        r.run.close(remove=True)


def test_small_machine_one_pool_process_and_one_open_restaurant(two_restaurants, capsys):
    first, second = two_restaurants
    first.open(daphne=False)
    assert len(first.worker.pool_pids) == 1  # one pool process unless a lesson asks for more
    second.open(daphne=False)
    # opening the second closed the first (another notebook's), and said so
    assert not first.redis.running and not first.worker.running
    assert second.redis.running and second.worker.running
    assert "Small machine: closed another notebook's restaurant" in capsys.readouterr().out
    # a lesson that needs two cooks still gets them
    assert len(second.start_worker(concurrency=2).pool_pids) == 2


def test_small_machine_opening_the_clinic_closes_the_restaurant_and_back(home, monkeypatch, capsys):
    """One program set at a time on a small machine, whichever project it runs: the clinic closes
    another notebook's restaurant, and the restaurant the clinic, each saying which it closed."""
    monkeypatch.setenv("ORDERUP_SMALL_MACHINE", "1")
    restaurant, project = Restaurant(home, in_process_django=False), OpenProject(clinic(), home)
    try:
        restaurant.open(daphne=False)
        project.open(beat=False, daphne=False)
        assert not restaurant.redis.running and not restaurant.worker.running
        assert project.redis.running and project.worker.running
        assert "Small machine: closed another notebook's restaurant" in capsys.readouterr().out
        restaurant.open(daphne=False)
        assert not project.redis.running and not project.worker.running
        assert "Small machine: closed another notebook's clinic" in capsys.readouterr().out
    finally:
        for opened in (restaurant, project):
            opened.close()
            opened.run.close(remove=True)
