"""Checks for lab notebooks: pass with a word of confirmation, fail with what is wrong and a hint.

    labkit.filled(pong=pong)                     # the learner replaced the `...`
    labkit.check(pong is True, exercise="00.1", success="Redis answered.", problem=f"pong is {pong!r}",
                 hint="the idea", fix="the answer, shown from the second failure on")

``exercise`` names the check: the lab's number and the exercise's. It counts the failures for the
two-step hint (the idea first, the fix from the second failure of that exercise on, whatever the
answers were) and is what the learner's record keeps (``labkit.progress()``): for each exercise,
how many attempts and whether it passed. Only those names and outcomes are written, never code.

A check cell that raises anything else while it reads the learner's answer (a ``KeyError`` in its
success text, say) still fails as a check, with what it could not read and a hint, not a traceback:
``install_answer_errors()`` (run when labkit is imported in a kernel) makes IPython show it so.
"""
from __future__ import annotations

import json
import os
import time
from subprocess import SubprocessError

from labkit.runtime.errors import LabCheckFailed
from labkit.runtime.paths import read_record, record_path

#: how often each exercise's check has failed in this kernel since it last passed
failures: dict[str, int] = {}
#: called after each outcome is recorded (in a kernel on a hub with a board: its report, kitchen/board.py)
after_record: list = []


def filled(**answers) -> None:
    """Fail with a hint if any answer is still the `...` placeholder of the lab."""
    for name, value in answers.items():
        if value is Ellipsis:
            raise LabCheckFailed(
                f"Not yet: `{name}` is still `...`.\n"
                f"Hint: replace the `...` in the exercise cell above with your answer, run that "
                f"cell, then run this check again."
            )


def check(ok: bool, success: str, problem: str, hint: str, fix: str | None = None, *,
          exercise: str = "lab") -> None:
    """Print ``success`` if ``ok``; otherwise raise LabCheckFailed with the problem and a hint.

    Hints come in two steps: the first failure of an exercise gives the idea (``hint``), a second
    failure of the same exercise adds the fix (``fix``), so a learner thinks before reading the
    answer. Each outcome goes to the learner's record."""
    if ok:
        failures.pop(exercise, None)
        record(exercise, passed=True)
        print(f"Check passed: {success}")
        return
    raise LabCheckFailed(failed(exercise, problem, hint, fix))


def failed(exercise: str, problem: str, hint: str, fix: str | None) -> str:
    """Count a failure of ``exercise`` and say it: the problem and the idea, the fix from the second
    failure of the same exercise on."""
    failures[exercise] = failures.get(exercise, 0) + 1
    record(exercise, passed=False)
    message = f"Not yet: {problem}\nHint: {hint}"
    if fix and failures[exercise] >= 2:
        message += f"\nFix: {fix}"
    elif fix:
        message += "\n(Fail this check again and it shows the fix.)"
    return message


# --- the learner's record ----------------------------------------------------------------------

def record(exercise: str, passed: bool) -> None:
    """Count one attempt at ``exercise`` ("05.2": lab 05, exercise 2); a pass stays a pass.
    Attempts stop counting once the exercise has passed: they answer "how many tries did it take"."""
    lab, _, number = exercise.partition(".")
    everything = read_record()
    entry = everything.setdefault(lab, {}).setdefault(number or "1", {"attempts": 0, "passed": False})
    if not entry["passed"]:
        entry["attempts"] += 1
        entry["passed"] = passed
    entry["last"] = round(time.time())
    path = record_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        # the learner's alone from the start (0600), then in place at once: a reader never sees half
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            out.write(json.dumps(everything, indent=1, sort_keys=True))
        temporary.replace(path)
    except OSError:
        pass  # a record that cannot be written must not fail the learner's check
    for listener in after_record:
        try:
            listener()
        except Exception:  # noqa: BLE001 (the board's report, say: never the learner's check's business)
            pass


class Progress(dict):
    """The learner's record, shown as a table in a notebook and as text elsewhere."""

    def rows(self) -> list[tuple[str, str, str]]:
        out = []
        for lab in sorted(self):
            for number in sorted(self[lab], key=lambda n: (len(n), n)):
                entry = self[lab][number]
                outcome = "passed" if entry["passed"] else "not yet"
                tries = entry["attempts"]
                out.append((f"lab {lab}, exercise {number}", outcome, f"{tries} attempt{'s' * (tries != 1)}"))
        return out

    def __repr__(self) -> str:
        if not self:
            return "No lab checks run yet: each check you run is counted here."
        return "\n".join(f"{name:<22} {outcome:<8} {tries}" for name, outcome, tries in self.rows())

    def _repr_html_(self) -> str:
        if not self:
            return f"<p>{self!r}</p>"
        cells = "".join(f"<tr><td>{a}</td><td>{'&#10004; ' if b == 'passed' else ''}{b}</td><td>{c}</td></tr>"
                        for a, b, c in self.rows())
        return f"<table><tr><th>exercise</th><th>outcome</th><th>tries</th></tr>{cells}</table>"


def progress() -> Progress:
    """Every lab exercise you have checked: passed or not, and in how many attempts."""
    return Progress(read_record())


# --- a check cell that cannot read the answer ----------------------------------------------------

#: what a check cell can raise while it reads a wrong answer (the answer of another type or shape)
ANSWER_ERRORS = (AttributeError, IndexError, KeyError, NameError, StopIteration, TypeError, ValueError,
                 # a socket the learner's consumer closed, a wait for what a wrong answer never did
                 OSError, SubprocessError)


def check_of(cell: str) -> dict[str, str]:
    """The literal ``exercise``, ``hint`` and ``fix`` of the labkit.check call in a check cell."""
    import ast
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "labkit.check":
            found = {}
            for keyword in node.keywords:
                if keyword.arg in ("exercise", "hint", "fix"):
                    try:
                        found[keyword.arg] = ast.literal_eval(keyword.value)
                    except ValueError:  # an f-string: its answer may be what could not be read
                        pass
            return found
    return {}


def answer_error_message(cell: str, error: BaseException) -> str:
    """What a check cell says when it could not read the learner's answer: the check's own hint,
    and its fix from the second failure on (the failure is counted, as any other)."""
    found = check_of(cell)
    name = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return failed(found.get("exercise", "lab"),
                  f"the check could not read your answer ({name}): it is not of the kind the exercise asks "
                  f"for. Print it to see what it is.",
                  found.get("hint", "look again at what the exercise cell asks for"), found.get("fix"))


def _answer_error(shell, etype, value, tb, tb_offset=None):
    """IPython's handler for ANSWER_ERRORS: in a check cell, the check's hint without a traceback;
    in any other cell, the usual traceback."""
    history = shell.user_ns.get("In") or [""]
    cell = history[-1]
    if "labkit.check(" in cell:
        stb = [answer_error_message(cell, value)]
        value = LabCheckFailed(stb[0])
        etype = LabCheckFailed
    else:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    shell._showtraceback(etype, value, stb)  # IPython leaves the showing to the handler
    return stb


def install_answer_errors() -> None:
    """In an IPython kernel, show an error raised inside a check cell as that check's hint."""
    import sys
    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython
    shell = get_ipython()
    if shell is None or getattr(shell, "_orderup_answer_errors", False) or not hasattr(shell, "_showtraceback"):
        return
    shell.set_custom_exc(ANSWER_ERRORS, _answer_error)
    shell._orderup_answer_errors = True
