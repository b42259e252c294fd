"""A command as a learner types it in a terminal (``python manage.py shell``, ``celery -A config
inspect registered``), run with the course's Python and its packages."""
from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from labkit.runtime.errors import LabkitError

COURSE_PROGRAMS = ("celery", "daphne", "pytest")  # run as `python -m <program>`


def run_as_typed(command: str, cwd: Path, env: Mapping[str, str], timeout: float = 30,
                 check: bool = False) -> str:
    """What ``command`` printed (its output and its errors), run in ``cwd`` with ``env``; ``python``
    and the course's programs are the course's own. ``check``: a command that fails raises, with its
    output."""
    args = shlex.split(command)
    if args[0] == "python":
        args[0] = sys.executable
    elif args[0] in COURSE_PROGRAMS:
        args = [sys.executable, "-m", *args]
    done = subprocess.run(args, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout)
    output = done.stdout + done.stderr
    if check and done.returncode != 0:
        raise LabkitError(f"`{command}` failed in {cwd} (exit code {done.returncode}):\n" + output[-3000:])
    return output
