"""Running a lab in a real kernel: as shipped, then its solution with each check's other answers.

One kernel and one restaurant per lab, so a lab's whole story costs one start:
1. the lab as shipped (every `...` in place): it fails only at its check cells, each with its hint
   and no traceback;
2. its solution, cell by cell; before each check's own answer, the answers of tests/lab_answers.py
   run in its place: a wrong one must be refused with the check's hint (never another exception),
   a right one written another way must pass;
3. the learner's record (labkit.progress) then shows every exercise of the lab passed.

An answer replaces the solution's `### BEGIN SOLUTION` ... `### END SOLUTION` block of the exercise
cell (a list: one entry per block, None keeps the solution's); the cells from that exercise cell to
its check run again with it, so an answer is judged in the state the learner's would be.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from labkit.authoring.labs import BEGIN, END, LAB_PREFIX

from conftest import ROOT, Kernel

BLOCK = re.compile(rf"^[ \t]*{re.escape(BEGIN)}.*?^[ \t]*{re.escape(END)}[^\n]*\n?", re.MULTILINE | re.DOTALL)
FILLED = re.compile(r"labkit\.filled\(([^)]*)\)")  # labkit.filled(answer=answer, ...)
TRACEBACK = ("Traceback (most recent call last)", "----> ", 'File "', "Cell In[")


@dataclass
class Outcome:
    """What one cell did: its printed text, and its error (ename, the rendered lines) if it raised."""
    stdout: str = ""
    ename: str | None = None
    shown: str = ""

    @property
    def passed_check(self) -> bool:
        return self.ename is None and "Check passed:" in self.stdout

    @property
    def refused_with_a_hint(self) -> bool:
        return (self.ename == "LabCheckFailed" and self.shown.startswith("Not yet:") and "\nHint: " in self.shown
                and not any(mark in self.shown for mark in TRACEBACK))


def run_cell(kernel: Kernel, code: str, timeout: float = 180) -> Outcome:
    out = Outcome()
    stdout = []

    def hook(msg):
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream" and content["name"] == "stdout":
            stdout.append(content["text"])
        elif kind == "error":
            out.ename = content["ename"]
            out.shown = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(content["traceback"]))

    kernel.kc.execute_interactive(code, timeout=timeout, output_hook=hook)
    out.stdout = "".join(stdout)
    return out


def with_answer(source: str, answer: str | list[str | None]) -> str:
    """The exercise cell of a solution with ``answer`` in place of its solution block(s); the lab's
    stub lines go, as the learner would have replaced them."""
    answers = [answer] if isinstance(answer, str) else list(answer)
    blocks = BLOCK.findall(source)
    assert len(answers) <= len(blocks), f"{len(answers)} answers for {len(blocks)} solution blocks"
    pieces = iter(answers + [None] * (len(blocks) - len(answers)))

    def replace(match):
        mine = next(pieces)
        if mine is None:
            return match.group(0)
        indent = re.match(r"[ \t]*", match.group(0)).group(0)
        return "".join(indent + line + "\n" if line else "\n" for line in mine.strip("\n").splitlines())

    replaced = BLOCK.sub(replace, source)
    return "\n".join(line for line in replaced.splitlines() if not line.strip().startswith(LAB_PREFIX))


def is_check(cell) -> bool:
    return "check" in cell.metadata.get("tags", [])


@dataclass
class Verdicts:
    """What went wrong, collected over a whole lab so one run reports every problem."""
    problems: list[str] = field(default_factory=list)

    def expect(self, ok: bool, what: str) -> None:
        if not ok:
            self.problems.append(what)


def run_as_shipped(kernel: Kernel, lab: Path, verdicts: Verdicts) -> None:
    cells = nbformat.read(lab, as_version=4).cells
    for i, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        done = run_cell(kernel, cell.source)
        if is_check(cell):
            verdicts.expect(done.refused_with_a_hint,
                            f"shipped lab, check cell {i}: not refused with a hint alone:\n{done.shown[-1500:]}")
        else:
            verdicts.expect(done.ename is None, f"shipped lab, cell {i} raised {done.ename}:\n{done.shown[-1500:]}")


def run_solution_with_answers(kernel: Kernel, solution: Path, answers: dict, verdicts: Verdicts) -> list[str]:
    """Run the solution; before each check, its answers from tests/lab_answers.py. Returns the
    exercises it checked."""
    lab = solution.name[:2]
    cells = [c for c in nbformat.read(solution, as_version=4).cells if c.cell_type == "code"]
    exercises, number, last_exercise, pending = [], 0, None, False
    for i, cell in enumerate(cells):
        if BEGIN in cell.source:
            last_exercise, pending = i, True  # the exercise cell: it runs with the check that follows it
        if not is_check(cell):
            if not pending:
                outcome = run_cell(kernel, cell.source)
                verdicts.expect(outcome.ename is None, f"solution cell {i} raised:\n{outcome.shown[-1500:]}")
            continue
        number += 1
        exercise = f"{lab}.{number}"
        exercises.append(exercise)
        segment = cells[last_exercise:i + 1]  # its exercise cell, and what runs between them
        given = answers.get(exercise, {})
        verdicts.expect(len(given.get("wrong", {})) >= 2 and len(given.get("right", {})) >= 1,
                        f"{exercise}: tests/lab_answers.py needs two wrong answers and one right one")
        # the answers the check reads (its labkit.filled(...) names) start as the lab ships them, so a
        # variant whose exercise cell raised is judged as "not answered", not by the variant before
        checked = {name.split("=")[0].strip()
                   for call in FILLED.findall(segment[-1].source) for name in call.split(",")}
        assigned = set(re.findall(r"^\s*(\w+)\s*=", "\n".join(BLOCK.findall(segment[0].source)), re.MULTILINE))
        reset = "".join(f"{name} = ...\n" for name in sorted(checked & assigned))
        for kind in ("wrong", "right"):
            for name, answer in given.get(kind, {}).items():
                last = run_cell(kernel, reset) if reset else None
                for j, cell in enumerate(segment):
                    source = with_answer(cell.source, answer) if j == 0 else cell.source
                    last = run_cell(kernel, source)
                if kind == "wrong":
                    verdicts.expect(last.refused_with_a_hint,
                                    f"{exercise}, wrong answer {name!r}: not refused with the check's hint:\n"
                                    f"{last.ename}: {last.shown[-1500:]}\n{last.stdout[-500:]}")
                else:
                    verdicts.expect(last.passed_check,
                                    f"{exercise}, right answer {name!r}: not passed:\n{last.ename}: "
                                    f"{last.shown[-1500:]}\n{last.stdout[-500:]}")
        for j, cell in enumerate(segment):
            last = run_cell(kernel, cell.source)
            if j < len(segment) - 1 and not is_check(cell):
                verdicts.expect(last.ename is None, f"{exercise}: solution cell raised:\n{last.shown[-1500:]}")
        verdicts.expect(last.passed_check, f"{exercise}, the solution: not passed:\n{last.shown[-1500:]}")
        pending = False
    return exercises


SOLUTIONS = ROOT / "solutions"
