"""The Pythons the README promises (3.11 to 3.13): `make` finds one, installs the pins on it, and
lessons 00 and 09 pass nbval there. The whole suite runs on the Python `make test` picked (the
oldest, 3.11, on this machine); this proves the newest too, in a venv of its own.

Needs a Python 3.13 on PATH or under pyenv: skipped with the reason without one, failing under CI.
The install is kept (~/.cache/orderup-tests/) for later runs with the same pins, as test_hub keeps its
environments: a change of requirements.txt or pyproject.toml installs anew.
"""
from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # real kernels, browsers or installs: not in `make test-fast`

NEWEST = "3.13"


def a_python(version: str) -> str | None:
    """An interpreter of ``version`` that runs: on PATH (not a pyenv shim of another version), or pyenv's."""
    candidates = [shutil.which(f"python{version}"),
                  *sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}*/bin/python{version}")))]
    for candidate in filter(None, candidates):
        done = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                              capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.strip() == version:
            return candidate
    return None


def test_the_readme_names_the_pythons_this_test_proves():
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"Python 3\.11 or newer \(3\.11 to 3\.13 are tested\)", readme)
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text()


def test_make_refuses_an_old_python_and_says_what_to_do(tmp_path):
    old = a_python("3.10")
    if old is None:
        pytest.skip("no Python 3.10 here to be refused")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(old)  # the only python on PATH is 3.10 (Ubuntu 22.04's)
    done = subprocess.run(["make", "-n", f"VENV={tmp_path}/venv", f"{tmp_path}/venv/.installed"], cwd=ROOT,
                          capture_output=True, text=True, env={"PATH": f"{bin_dir}:/usr/bin:/bin"})
    # make picks another Python (Debian's 3.11 here), or says there is none and how to name one
    assert re.search(r"python3\.1[1-9] -m venv", done.stdout) or "found none on PATH" in done.stdout, done.stdout


def test_the_newest_python_installs_the_pins_and_runs_lessons_00_and_09(tmp_path):
    python = a_python(NEWEST)
    if python is None:
        message = f"no Python {NEWEST} here"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(message + "; CI must prove the newest Python the README names")
        pytest.skip(message)
    # `make` installs the pins in a venv kept between runs, as the hub test keeps its environments: a
    # later run with the same pins and Python reuses it (and points its editable install here)
    pins = b"".join((ROOT / f).read_bytes() for f in ("requirements.txt", "pyproject.toml", "binder/overrides.json"))
    digest = hashlib.sha256(pins + python.encode()).hexdigest()[:12]
    venv = Path.home() / ".cache" / "orderup-tests" / f"python{NEWEST}-{digest}"
    complete = venv / ".complete"
    if complete.exists():
        install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps",
                                  "-e", str(ROOT)], capture_output=True, text=True, timeout=300)
    else:
        shutil.rmtree(venv, ignore_errors=True)
        install = subprocess.run(["make", f"PYTHON={python}", f"VENV={venv}", f"{venv}/.installed"], cwd=ROOT,
                                 capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    complete.touch()
    assert (venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json").is_file()
    lessons = [str(ROOT / "notebooks" / n) for n in ("00-open-the-restaurant.ipynb", "09-order-up.ipynb")]
    env = {**os.environ, "ORDERUP_HOME": str(tmp_path / "home"), "PATH": f"{venv}/bin:{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", "-q", *lessons],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stdout[-4000:]
    assert re.search(r"\d+ passed", done.stdout) and "failed" not in done.stdout, done.stdout[-1000:]
    version = subprocess.run([str(venv / "bin" / "python"), "-V"], capture_output=True, text=True).stdout
    assert version.startswith(f"Python {NEWEST}"), version
