"""The learner's row on the instructor's board, on a JupyterHub that runs one (INSTRUCTORS.md, "The
instructor's board"; the board is deploy/board/board.py).

The hub's configuration turns it on by giving every learner's server ``ORDERUP_BOARD_URL``. Then this
kernel sends the board its report when labkit is imported, after each check and every 30 s: the
notebook open in this kernel and when it last ran a cell, the learner's record (each exercise: passed
or not, in how many attempts, when last tried) and which of the restaurant's services run, with their
memory. Never code, answers or outputs. The report is signed with ``JUPYTERHUB_API_TOKEN``, the token
the hub gave the learner's own server; the board asks the hub whose token it is.

Without a board nothing is sent; a board that does not answer never delays or fails a check (the
report is read and sent by a thread of its own).
"""
from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from pathlib import Path

from labkit.runtime.paths import read_record

EVERY = 30.0  # seconds between two reports while nothing else happens (the restaurant opened, closed)
KERNEL = str(os.getpid())  # which of the learner's kernels reports (the board shows the one used last)

last_cell = time.time()  # when this kernel last ran a cell (IPython's post_run_cell), for the board


def url() -> str | None:
    """Where reports go, if this hub runs a board and this server has a hub token."""
    if os.environ.get("ORDERUP_BOARD_URL") and os.environ.get("JUPYTERHUB_API_TOKEN"):
        return os.environ["ORDERUP_BOARD_URL"].rstrip("/") + "/report"
    return None


def row() -> dict:
    """What the board is told: the notebook, the record's outcomes, the restaurant's state, this kernel."""
    from labkit.kitchen.restaurant import current

    checks = {lab: {number: {"passed": bool(entry.get("passed")), "attempts": int(entry.get("attempts", 0)),
                             "last": entry.get("last", 0)}
                    for number, entry in exercises.items()}
              for lab, exercises in read_record().items()}
    restaurant = current()
    running = [service for service in restaurant.services if service.running]
    notebook = Path(os.environ.get("JPY_SESSION_NAME", ""))  # the notebook's path, set by Jupyter
    return {"kernel": KERNEL, "active": last_cell,
            "lesson": f"{notebook.parent.name}/{notebook.stem}" if notebook.name else "",
            "checks": checks,
            "restaurant": {"running": [service.name for service in running],
                           "MiB": round(sum(service.memory() for service in running) / 1024**2)}}


def report() -> bool:
    """Ask for a report to the board, sent at once from a thread of this module's: whether one is due
    (not without a board). The row is read when it is sent, so the last one sent is the newest."""
    if url() is None:
        return False
    _due.set()
    with _sender_lock:
        global _sender
        if _sender is None:
            _sender = threading.Thread(target=_send_when_due, name="orderup-board", daemon=True)
            _sender.start()
    return True


_due = threading.Event()
_sender: threading.Thread | None = None
_sender_lock = threading.Lock()


def _send_when_due() -> None:
    """A report when one is asked for, and every ``EVERY`` seconds; reports asked for meanwhile are one."""
    while True:
        _due.wait(EVERY)
        _due.clear()
        where = url()
        try:
            body = json.dumps(row()).encode()
            request = urllib.request.Request(where, data=body, method="POST", headers={
                "Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}", "Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=5).close()
        except Exception:  # noqa: BLE001 (a board gone, a row unreadable now: the next report tries again)
            pass  # the board is the instructor's view, not the learner's: its silence changes nothing here


def _ran_a_cell(*_) -> None:
    global last_cell
    last_cell = time.time()


def start() -> bool:
    """In a kernel, on a hub with a board: report now, after each cell's time is noted, and every
    ``EVERY`` seconds. Whether it is on."""
    if url() is None:
        return False
    try:
        from IPython import get_ipython
        get_ipython().events.register("post_run_cell", _ran_a_cell)
    except (ImportError, AttributeError):  # not in a kernel: the board sees the time it started
        pass
    return report()
