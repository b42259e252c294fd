"""Running a lab in a real kernel: each check tried with the lab's own `...`, with the answers of
tests/lab_answers.py, then with the solution's.

One kernel and one restaurant per lab, one pass through its solution: at each check, the exercise
cell as the lab ships it must be refused with the check's hint alone (no traceback), each wrong
answer too (never another exception), each right answer written another way must pass, and then
the solution's. The learner's record (labkit.progress) then shows every exercise passed. That a
learner who skips an exercise meets no failure outside the checks is checked without a kernel:
no later cell reads an exercise's answer (answers_used_later).

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

from conftest import ROOT, Kernel, Outcome, run_cell

BLOCK = re.compile(rf"^[ \t]*{re.escape(BEGIN)}.*?^[ \t]*{re.escape(END)}[^\n]*\n?", re.MULTILINE | re.DOTALL)
FILLED = re.compile(r"labkit\.filled\(([^)]*)\)")  # labkit.filled(answer=answer, ...)
TRACEBACK = ("Traceback (most recent call last)", "----> ", 'File "', "Cell In[")


def passed_check(done: Outcome) -> bool:
    return done.ename is None and "Check passed:" in done.stdout


def refused_with_a_hint(done: Outcome) -> bool:
    return (done.ename == "LabCheckFailed" and done.shown.startswith("Not yet:") and "\nHint: " in done.shown
            and not any(mark in done.shown for mark in TRACEBACK))


def run(kernel: Kernel, code: str) -> Outcome:
    return run_cell(kernel.kc, code, timeout=180)


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


def answers_used_later(solution: Path) -> list[str]:
    """Names an exercise's answer assigns that a later cell, neither an exercise nor a check, reads:
    in the lab as shipped the answer is `...`, so that cell would fail for a learner who skipped the
    exercise. Each entry says where."""
    import ast
    cells = [c for c in nbformat.read(solution, as_version=4).cells if c.cell_type == "code"]
    found, answers = [], {}
    for i, cell in enumerate(cells):
        if BEGIN in cell.source:
            for block in BLOCK.findall(cell.source):
                answers.update({name: i for name in re.findall(r"^\s*(\w+)\s*=", block, re.MULTILINE)})
            continue
        if is_check(cell) or cell.source.lstrip().startswith("%%"):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
        found += [f"cell {i} reads {name}, the answer of cell {answers[name]}" for name in sorted(read & set(answers))]
    return found


def run_lab(kernel: Kernel, lab: Path, solution: Path, answers: dict, verdicts: Verdicts) -> list[str]:
    """Run the solution; at each check, first the lab's own exercise cell as shipped (its `...`), then
    the answers of tests/lab_answers.py, then the solution's: returns the exercises it checked.

    A check's segment is its exercise cell and the cells up to the check; ``"alone": True`` in an
    exercise's answers leaves out the earlier checks in it (their state is not needed, only their time)."""
    number = solution.name[:2]
    cells = [c for c in nbformat.read(solution, as_version=4).cells if c.cell_type == "code"]
    shipped = [c for c in nbformat.read(lab, as_version=4).cells if c.cell_type == "code"]
    assert len(shipped) == len(cells), "the lab and its solution have other code cells: make labs"
    exercises, last_exercise, pending = [], None, False
    for i, cell in enumerate(cells):
        if BEGIN in cell.source:
            last_exercise, pending = i, True  # the exercise cell: it runs with the check that follows it
        if not is_check(cell):
            if not pending:
                outcome = run(kernel, cell.source)
                verdicts.expect(outcome.ename is None, f"solution cell {i} raised:\n{outcome.shown[-1500:]}")
            continue
        exercise = f"{number}.{len(exercises) + 1}"
        exercises.append(exercise)
        given = answers.get(exercise, {})
        verdicts.expect(len(given.get("wrong", {})) >= 2 and len(given.get("right", {})) >= 1,
                        f"{exercise}: tests/lab_answers.py needs two wrong answers and one right one")
        steps = range(last_exercise, i + 1)
        if given.get("alone"):
            steps = [j for j in steps if j in (last_exercise, i) or not is_check(cells[j])]
        # the answers the check reads (its labkit.filled(...) names) start as the lab ships them, so a
        # variant whose exercise cell raised is judged as "not answered", not by the variant before
        checked = {name.split("=")[0].strip()
                   for call in FILLED.findall(cell.source) for name in call.split(",")}
        assigned = set(re.findall(r"^\s*(\w+)\s*=", "\n".join(BLOCK.findall(cells[last_exercise].source)),
                                  re.MULTILINE))
        reset = "".join(f"{name} = ...\n" for name in sorted(checked & assigned))
        tries = [("wrong", "the lab as shipped", shipped[last_exercise].source)]
        tries += [(kind, name, with_answer(cells[last_exercise].source, answer))
                  for kind in ("wrong", "right") for name, answer in given.get(kind, {}).items()]
        tries += [("solution", "the solution", cells[last_exercise].source)]
        for kind, name, exercise_source in tries:
            last = run(kernel, reset) if reset else None
            for j in steps:
                last = run(kernel, exercise_source if j == last_exercise else cells[j].source)
                if kind == "solution" and j != i and not is_check(cells[j]):
                    verdicts.expect(last.ename is None, f"{exercise}: solution cell raised:\n{last.shown[-1500:]}")
            if kind == "wrong":
                verdicts.expect(refused_with_a_hint(last),
                                f"{exercise}, wrong answer {name!r}: not refused with the check's hint:\n"
                                f"{last.ename}: {last.shown[-1500:]}\n{last.stdout[-500:]}")
            else:
                verdicts.expect(passed_check(last), f"{exercise}, {kind} {name!r}: not passed:\n{last.ename}: "
                                                   f"{last.shown[-1500:]}\n{last.stdout[-500:]}")
        pending = False
    return exercises


SOLUTIONS = ROOT / "solutions"
