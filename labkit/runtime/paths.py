"""Where things are: labkit's own checkout, the course folder a kernel runs, and the course home."""
from __future__ import annotations

import json
import os
from pathlib import Path

#: where labkit itself is installed from (a checkout, or site-packages on a shared hub)
REPO_ROOT = Path(__file__).resolve().parents[2]


def is_course_root(folder: Path) -> bool:
    return (folder / "manage.py").is_file() and (folder / "restaurant" / "settings.py").is_file()


def course_root(start: Path | None = None) -> Path:
    """The checkout whose ``restaurant/`` this kernel's programs run: $ORDERUP_COURSE_ROOT, else the
    nearest folder at or above the working folder (a notebook's kernel starts in ``notebooks/``)
    that holds the restaurant, else labkit's own checkout.

    On a workshop hub labkit may be installed once for everyone, while each learner edits a copy
    of their own: the worker and Daphne must import *that* copy's code, never the installed one."""
    if os.environ.get("ORDERUP_COURSE_ROOT"):
        return Path(os.environ["ORDERUP_COURSE_ROOT"]).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_course_root(folder):
            return folder
    return REPO_ROOT


def course_home() -> Path:
    """Where runs live: $ORDERUP_HOME, else ~/.cache/orderup (per user, so per learner on a hub)."""
    if os.environ.get("ORDERUP_HOME"):
        return Path(os.environ["ORDERUP_HOME"])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "orderup"


def record_path() -> Path:
    """The learner's record of lab checks, in the course home (per user, so per learner on a hub)."""
    return course_home() / "progress.json"


def read_record() -> dict:
    """{lab: {exercise: {"attempts": n, "passed": bool, "last": unix time}}}; empty if none yet."""
    try:
        return json.loads(record_path().read_text())
    except (OSError, ValueError):
        return {}
