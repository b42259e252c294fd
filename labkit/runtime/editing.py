"""A file of a project's copy, changed as an editor would change it: lesson 10's copy of the restaurant
(labkit/drills/project.py) and lesson 29's copy of the clinic (labkit/kitchen/other_project.py)."""
from __future__ import annotations

from pathlib import Path

from labkit.runtime.errors import LabkitError


def edit(path: Path, old: str, new: str, shown_as: str) -> None:
    """Replace the first ``old`` in ``path`` with ``new``; ``shown_as``: how the learner names the file."""
    text = path.read_text()
    if old not in text:
        raise LabkitError(f"{shown_as} has no {old!r}: open it ({path}) and look again.")
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, text: str) -> int | None:
    """The number of the first line of ``path`` that holds ``text``."""
    return next((number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line), None)
