"""Checks for lab notebooks: pass with a word of confirmation, fail with what is wrong and a hint.

    labkit.filled(pong=pong)                     # the learner replaced the `...`
    labkit.check(pong is True, "Redis answered.", problem=f"pong is {pong!r}", hint="...")
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


def check(ok: bool, success: str, problem: str, hint: str) -> None:
    """Print ``success`` if ``ok``; otherwise raise LabCheckFailed with the problem and a hint."""
    if not ok:
        raise LabCheckFailed(f"Not yet: {problem}\nHint: {hint}")
    print(f"Check passed: {success}")
