"""arq's own virtualenv: arq 0.28 requires redis<6 while the course pins redis 8.1."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from labkit.queue_race.libraries import LIBRARIES
from labkit.runtime.errors import LabkitError
from labkit.runtime.paths import course_root


def arq_venv() -> Path:
    """Where arq's virtualenv is: $ORDERUP_ARQ_VENV, else .venv-arq beside the course."""
    return Path(os.environ.get("ORDERUP_ARQ_VENV") or course_root() / ".venv-arq")


class ArqEnvMissing(LabkitError):
    """arq was asked for, and its virtualenv is not there (or cannot import arq)."""


_arq_checked: set[Path] = set()


def arq_python() -> Path:
    """The Python of arq's virtualenv, checked: it must import arq. ArqEnvMissing says how to build it."""
    python = arq_venv() / "bin" / "python"
    if python in _arq_checked:
        return python
    how = (f"arq runs in a virtualenv of its own (arq 0.28 requires redis<6; the course pins redis 8.1).\n"
           f"Build it once, in {course_root()}:\n"
           f"    make .venv-arq      (python3 -m venv .venv-arq && .venv-arq/bin/pip install "
           f"-r benchmarks/requirements-arq.txt)\n"
           f"or race without arq, e.g. race(libraries={[n for n in LIBRARIES if n != 'arq']!r}).")
    try:
        found = python.exists()
    except OSError as error:  # another user's venv, or a symlink into a home we may not enter
        raise ArqEnvMissing(f"{python} cannot be used here ({error}).\n{how}") from None
    if not found:
        raise ArqEnvMissing(f"{python} does not exist.\n{how}")
    try:
        check = subprocess.run([str(python), "-c", "import arq, redis"], capture_output=True, text=True,
                               check=False)
    except OSError as error:
        raise ArqEnvMissing(f"{python} cannot be run here ({error}).\n{how}") from None
    if check.returncode != 0:
        raise ArqEnvMissing(f"{python} cannot import arq:\n{check.stderr.strip()[-500:]}\n{how}")
    _arq_checked.add(python)
    return python


