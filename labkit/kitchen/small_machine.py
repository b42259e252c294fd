"""Small-machine mode (Binder: about 1 CPU and 2 GB): one pool process per worker unless a lesson
asks for more, and one open restaurant per user (opening one closes the other notebooks' ones)."""
from __future__ import annotations

from labkit.runtime import reaper
from labkit.runtime.machine import machine
from labkit.runtime.service import resident_memory


def default_concurrency() -> int:
    """Pool processes for a worker when a lesson does not say: one fewer on a small machine."""
    return 1 if machine().small else 2


def make_room(run) -> None:
    """On a small machine, close the restaurants of this user's other notebooks (saying so)."""
    if not machine().small:
        return
    for run_dir in sorted((run.home / "runs").iterdir()):
        state = reaper.read_state(run_dir)
        if run_dir.name == run.id or not state or not reaper.owner_alive(state):
            continue  # ours, or a crashed kernel's (Run() already cleaned those up)
        procs = reaper.processes_of_run(run_dir, state)
        if not procs:
            continue
        memory = resident_memory(procs) / 1024**2
        reaper.stop_processes(procs)
        what = state.get("project") or "restaurant"  # the clinic, say (labkit.open_project)
        print(f"Small machine: closed another notebook's {what} (run {run_dir.name}, "
              f"{memory:.0f} MiB) to make room. Run that notebook's first cell to open it again.")
