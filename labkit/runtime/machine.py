"""How big is this machine, really: the CPUs and memory the course may use, and small-machine mode.

A container (Binder, a JupyterHub pod) often sees the host's CPUs and memory in os.cpu_count() and
/proc/meminfo while a cgroup limits it to far less: mybinder gives about 1 CPU and 2 GB. The limits
that count are the cgroup's, when there is one.

Small-machine mode (fewer than 2 CPUs or less than 4 GiB) keeps the course's memory well under the
limit: one pool process per worker unless a lesson asks for more, and one open restaurant per user
at a time (opening one closes the others, with a note). ORDERUP_SMALL_MACHINE=1 or 0 forces it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psutil

SMALL_CPUS = 2
SMALL_MEMORY = 4 * 1024**3
CGROUP = Path("/sys/fs/cgroup")


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def cgroup_cpus(root: Path = CGROUP) -> float | None:
    """The CPU quota of this cgroup, in CPUs (cgroup v2 cpu.max, or v1 cfs quota), if any."""
    v2 = _read(root / "cpu.max")
    if v2:
        quota, _, period = v2.partition(" ")
        if quota != "max" and period:
            return int(quota) / int(period)
        return None
    quota, period = _read(root / "cpu" / "cpu.cfs_quota_us"), _read(root / "cpu" / "cpu.cfs_period_us")
    if quota and period and int(quota) > 0:
        return int(quota) / int(period)
    return None


def cgroup_memory(root: Path = CGROUP) -> int | None:
    """The memory limit of this cgroup in bytes (v2 memory.max, or v1), if any."""
    for path in (root / "memory.max", root / "memory" / "memory.limit_in_bytes"):
        value = _read(path)
        if value and value != "max" and int(value) < 2**60:  # v1 says "no limit" with a huge number
            return int(value)
    return None


@dataclass
class Machine:
    cpus: float
    memory: int
    small: bool
    why: str

    def __str__(self) -> str:
        size = f"{self.cpus:g} CPUs, {self.memory / 1024**3:.1f} GiB"
        return f"{size}: small-machine mode ({self.why})" if self.small else f"{size}: normal mode"


def machine(environ=os.environ, root: Path = CGROUP) -> Machine:
    """This machine's usable CPUs and memory, and whether small-machine mode is on (and why)."""
    try:
        cpus = float(len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS
        cpus = float(os.cpu_count() or 1)
    quota = cgroup_cpus(root)
    if quota is not None:
        cpus = min(cpus, quota)
    memory = psutil.virtual_memory().total
    limit = cgroup_memory(root)
    if limit is not None:
        memory = min(memory, limit)

    forced = environ.get("ORDERUP_SMALL_MACHINE", "")
    if forced in ("0", "1"):
        return Machine(cpus, memory, forced == "1", "ORDERUP_SMALL_MACHINE=" + forced)
    reasons = []
    if cpus < SMALL_CPUS:
        reasons.append(f"fewer than {SMALL_CPUS} CPUs")
    if memory < SMALL_MEMORY:
        reasons.append(f"less than {SMALL_MEMORY // 1024**3} GiB")
    return Machine(cpus, memory, bool(reasons), " and ".join(reasons) or "")


def machine_facts() -> dict:
    """CPU, the CPUs and memory the course may use (cgroup limits, as ``machine()``), OS and Python:
    the description that goes with measured figures."""
    import platform
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    os_name = platform.platform()
    try:
        release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        os_name = f"{release['PRETTY_NAME'].strip(chr(34))}, Linux {platform.release()}"
    except (OSError, KeyError):
        pass
    this = machine()
    cores = int(this.cpus) if this.cpus == int(this.cpus) else this.cpus
    return {"cpu": cpu, "cores": cores, "memory_gib": round(this.memory / 2**30, 1),
            "os": os_name, "python": platform.python_version()}
