"""Checks for lab notebooks: pass with a word of confirmation, fail with what is wrong and a hint.

    labkit.filled(pong=pong)                     # the learner replaced the `...`
    labkit.check(pong is True, "Redis answered.", problem=f"pong is {pong!r}",
                 hint="the idea", fix="the answer, shown from the second failure on")
"""
from __future__ import annotations

from labkit.runtime.errors import LabCheckFailed


def filled(**answers) -> None:
    """Fail with a hint if any answer is still the `...` placeholder of the lab."""
    for name, value in answers.items():
        if value is Ellipsis:
            raise LabCheckFailed(
                f"Not yet: `{name}` is still `...`.\n"
                f"Hint: replace the `...` in the exercise cell above with your answer, run that "
                f"cell, then run this check again."
            )


#: how often each check has failed in this kernel (by its success message, which names the check)
failures: dict[str, int] = {}


def check(ok: bool, success: str, problem: str, hint: str, fix: str | None = None) -> None:
    """Print ``success`` if ``ok``; otherwise raise LabCheckFailed with the problem and a hint.

    Hints come in two steps: the first failure gives the idea (``hint``), a second failure of the
    same check adds the fix (``fix``), so a learner thinks before reading the answer."""
    if ok:
        failures.pop(success, None)
        print(f"Check passed: {success}")
        return
    failures[success] = failures.get(success, 0) + 1
    message = f"Not yet: {problem}\nHint: {hint}"
    if fix and failures[success] >= 2:
        message += f"\nFix: {fix}"
    elif fix:
        message += "\n(Fail this check again and it shows the fix.)"
    raise LabCheckFailed(message)
