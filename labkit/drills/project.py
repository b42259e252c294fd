"""Lesson 10's project: a copy of the restaurant (manage.py and restaurant/) in the kitchen's run
folder, which the worker and Daphne run from, so that a drill can change one real line of one real
file, as a developer's mistake does, while the course's own restaurant/ stays right.

    project = labkit.drills.Project(kitchen)        # copy it; start the worker and Daphne from the copy
    drill = await project.drill(1, table=1)         # a line broken, its program restarted, an order
    print(project.run("celery -A restaurant inspect ping"))   # a command, in the copy's folder and environment
    project.answer_key(drill, hop=..., file=..., line=...)    # after you named yours: the classroom's
    project.edit("restaurant/orders/tasks.py", "old", "new")  # mend the line, as an editor would
    project.restart("worker")                        # the program that runs it reads it again
    project.close()                                  # the copy made right; the course's programs back

The kernel keeps importing the course's restaurant/ (its ORM, its trail); only the worker, Daphne and
the commands ``run`` starts read the copy.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from labkit.drills.breakdowns import (
    DRILLS,
    MISTAKES,
    MYSTERIES,
    Drill,
    order_and_listen,
    say_what_was_named,
    verdicts,
)
from labkit.kitchen import door_keys
from labkit.kitchen.small_machine import default_concurrency
from labkit.look.trail import order_trail
from labkit.runtime import editing
from labkit.runtime.errors import LabkitError
from labkit.runtime.paths import course_root
from labkit.runtime.service import start_together
from labkit.runtime.typed import run_as_typed

PROGRAMS = ("worker", "daphne")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite3*", "tests")


class Project:
    """A copy of the restaurant that this kitchen's worker and Daphne run from."""

    def __init__(self, kitchen, folder: str = "project"):
        self.kitchen = kitchen
        self.dir = kitchen.run.dir / folder
        self.original = course_root()
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        shutil.copy2(self.original / "manage.py", self.dir / "manage.py")
        shutil.copytree(self.original / "restaurant", self.dir / "restaurant", ignore=_SKIP)
        self.broken: str | None = None
        kitchen.start_redis()
        self._start(PROGRAMS)

    # -- the programs ------------------------------------------------------------------------------
    def _from_copy(self, service):
        service.code_root = service.cwd = self.dir  # `python -m` puts the copy first on the import path
        # no bytecode cache in the copy: a line changed and changed back within a second still shows
        service.extra_env["PYTHONDONTWRITEBYTECODE"] = "1"
        service.options["project"] = str(self.dir)
        return service

    def _start(self, programs) -> None:
        k = self.kitchen
        wanted = []
        # the kitchen's own worker and Daphne (its environment, its door key), stopped, then made anew
        # to run from the copy
        if "worker" in programs:
            if k.worker is not None:
                k.worker.stop()
            wanted.append(self._from_copy(k._worker(concurrency=default_concurrency(), pool="prefork")))
        if "daphne" in programs:
            if k.daphne is not None:
                k.daphne.stop()
            wanted.append(self._from_copy(k._daphne()))
        start_together(wanted)
        if "daphne" in programs:
            door_keys.register(k.daphne.port, k.door_key)

    def restart(self, *programs: str) -> None:
        """Stop and start ``programs`` ("worker", "daphne"): a program reads its code once, when it starts."""
        unknown = [p for p in programs if p not in PROGRAMS]
        if unknown or not programs:
            raise LabkitError(f"restart which program? name one or both of {', '.join(map(repr, PROGRAMS))}")
        self._start(programs)

    # -- the files ---------------------------------------------------------------------------------
    def path(self, file: str) -> Path:
        return self.dir / file

    def edit(self, file: str, old: str, new: str) -> None:
        """Replace the first ``old`` in ``file`` (relative to the project) with ``new``, as an editor would."""
        editing.edit(self.path(file), old, new, file)

    def line_of(self, file: str, text: str) -> int | None:
        """The number of the first line of ``file`` that holds ``text``."""
        return editing.line_of(self.path(file), text)

    def _restore(self, file: str) -> None:
        shutil.copy2(self.original / file, self.path(file))

    # -- commands, in the copy's folder and environment ------------------------------------------
    def environment(self) -> dict:
        env = {**os.environ, **self.kitchen.app_environment(), "PYTHONPATH": str(self.dir), "PYTHONUNBUFFERED": "1",
               "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        return env

    def run(self, command: str, timeout: float = 30) -> str:
        """Run ``command`` as a terminal in the project's folder would (``celery ...``, ``python
        manage.py ...``: the course's Python runs them) and return what it printed."""
        return run_as_typed(command, self.dir, self.environment(), timeout=timeout).rstrip()

    # -- the drills ----------------------------------------------------------------------------------
    def break_it(self, name: str) -> None:
        """Make ``name``'s mistake (breakdowns.MISTAKES) in the copy, the last one mended first, and
        restart the programs that run the files changed."""
        mistake = MISTAKES[name]
        programs = set(mistake.programs)
        last = MISTAKES[self.broken] if self.broken is not None else None
        if last is not None and self.path(last.file).read_bytes() != (self.original / last.file).read_bytes():
            self._restore(last.file)  # the last mistake, not mended yet: mended now
            programs |= set(last.programs)
        self.edit(mistake.file, mistake.old, mistake.new)
        self.broken = name
        self._start([p for p in PROGRAMS if p in programs])

    async def drill(self, number: int | str, table: int, wait: float | None = None) -> Drill:
        """Lesson 10's drill ``number`` (lab 10's mystery, a letter): break a line, then play the
        customer at ``table``. What broke is not said: the evidence says it."""
        name = DRILLS.get(number) if isinstance(number, int) else MYSTERIES.get(number)
        if name is None:
            raise LabkitError(f"no drill {number!r}: the lesson's are {sorted(DRILLS)}, the lab's {sorted(MYSTERIES)}")
        self.break_it(name)
        cook_seconds = float(os.environ.get("ORDERUP_COOK_SECONDS", "1.0"))
        drill = await self.order_and_listen(table, wait or cook_seconds + 1.5)
        drill.number, drill.mistake = number, name
        return drill

    async def order_and_listen(self, table: int, wait: float = 5.0) -> Drill:
        """An order at ``table``, its buzzer open, through the programs as they run now."""
        k = self.kitchen
        pids = {"worker": k.worker.pid, "daphne": k.daphne.pid}
        drill = await order_and_listen(k, table, wait)
        drill.pids = pids
        return drill

    def key(self, drill: Drill) -> tuple[str, str, int | None]:
        """The classroom's answer for ``drill``: the hop, the file and the line of its mistake."""
        mistake = MISTAKES[drill.mistake]
        text = (mistake.shown or mistake.new.splitlines()[-1]).strip()
        return mistake.hop, mistake.file, self.line_of(mistake.file, text) or self.line_of(mistake.file, mistake.old)

    def verdicts(self, drill: Drill, hop, file, line) -> dict[str, bool]:
        """Whether the hop, the file and the line you named are the key's."""
        key_hop, key_file, key_line = self.key(drill)
        return verdicts(hop, file, line, key_hop, [(key_file, key_line)])

    def names_it(self, drill: Drill, hop, file, line) -> bool:
        """The hop, the file and the line are all the key's (lab 10's checks)."""
        return all(self.verdicts(drill, hop, file, line).values())

    def answer_key(self, drill: Drill, hop=..., file=..., line=...) -> None:
        """The classroom's answer key for ``drill``, after you named the hop, the file and the line."""
        mistake = MISTAKES[drill.mistake]
        _, _, number = self.key(drill)
        text = self.path(mistake.file).read_text().splitlines()[number - 1] if number else mistake.old
        said = self.verdicts(drill, hop, file, line) if Ellipsis not in (hop, file, line) else {}
        say_what_was_named(hop, file, line, said)
        print(f"The classroom's answer key (it made this mistake on purpose):\n"
              f"  hop:  {mistake.hop}\n  file: {mistake.file}, line {number}:  {text.strip()}\n"
              f"  why:  {mistake.why}\n"
              f"  restart: {' and '.join(mistake.programs)} (the "
              f"{'programs that run' if len(mistake.programs) > 1 else 'program that runs'} this file's code)")
        pressed = [e for e in order_trail(drill.order_id).entries if e["hop"].startswith("cook: buzzer pressed")]
        if pressed:
            e = pressed[-1]
            print(f"  the order's trail (the classroom's record): the cook pressed {e.get('group')!r}, "
                  f"type {e.get('type')!r}, on {e.get('layer')}")

    def close(self) -> None:
        """Make the copy right again and run the course's own worker and Daphne again."""
        if self.broken is not None:
            self._restore(MISTAKES[self.broken].file)
            self.broken = None
        k = self.kitchen
        for service in (k.worker, k.daphne):
            if service is not None:
                service.stop()
        k.worker = k.daphne = None
        k.open(fresh=False)

    def __repr__(self) -> str:
        k = self.kitchen
        return "\n".join([f"the project's copy: {self.dir}",
                          f"worker: {k.worker.state}, running the copy ({k.worker.command_line})",
                          f"daphne: {k.daphne.state}, running the copy ({k.daphne.command_line})"])
