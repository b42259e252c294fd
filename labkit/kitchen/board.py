"""The learner's row on the instructor's board, on a JupyterHub that runs one (INSTRUCTORS.md, "The
instructor's board"; the board is deploy/board/board.py).

The hub's configuration turns it on by giving every learner's server ``ORDERUP_BOARD_URL``. Then this
kernel sends the board its row when labkit is imported, after each check and every 30 s: the notebook
open in this kernel, the learner's record (each exercise: passed or not, and in how many attempts) and
which of the restaurant's services run, with their memory. Never code, answers or outputs. The report
is signed with ``JUPYTERHUB_API_TOKEN``, the token the hub gave the learner's own server; the board
asks the hub whose token it is.

Without a board nothing is sent; a board that does not answer never delays or fails a check (the
report goes from a thread of its own).
"""
from __future__ import annotations

import json
import os
import queue
import threading
import urllib.request
from pathlib import Path

from labkit.runtime.paths import read_record

EVERY = 30.0  # seconds between two reports while nothing else happens (the restaurant opened, closed)


def url() -> str | None:
    """Where reports go, if this hub runs a board and this server has a hub token."""
    if os.environ.get("ORDERUP_BOARD_URL") and os.environ.get("JUPYTERHUB_API_TOKEN"):
        return os.environ["ORDERUP_BOARD_URL"].rstrip("/") + "/report"
    return None


def row() -> dict:
    """What the board is told: the lesson, the record's outcomes, the restaurant's state."""
    from labkit.kitchen.restaurant import current

    checks = {lab: {number: {"passed": bool(entry.get("passed")), "attempts": int(entry.get("attempts", 0))}
                    for number, entry in exercises.items()}
              for lab, exercises in read_record().items()}
    restaurant = current()
    running = [service for service in restaurant.services if service.running]
    notebook = Path(os.environ.get("JPY_SESSION_NAME", ""))  # the notebook's path, set by Jupyter
    return {"lesson": f"{notebook.parent.name}/{notebook.stem}" if notebook.name else "",
            "checks": checks,
            "restaurant": {"running": [service.name for service in running],
                           "MiB": round(sum(service.memory() for service in running) / 1024**2)}}


def report() -> bool:
    """Send this learner's row to the board, in the background (in the order of the calls): whether
    a report is on its way (not without a board)."""
    where = url()
    if where is None:
        return False
    try:
        body = json.dumps(row()).encode()
    except Exception:  # a row that cannot be read now is sent with the next report
        return False
    _outbox.put(urllib.request.Request(where, data=body, method="POST", headers={
        "Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}", "Content-Type": "application/json"}))
    with _sender_lock:
        global _sender
        if _sender is None:
            _sender = threading.Thread(target=_send_in_order, name="orderup-board", daemon=True)
            _sender.start()
    return True


_outbox: queue.SimpleQueue = queue.SimpleQueue()
_sender: threading.Thread | None = None
_sender_lock = threading.Lock()


def _send_in_order() -> None:
    """One report after the other, so that the board never keeps an older row than the last one sent."""
    while True:
        request = _outbox.get()
        try:
            urllib.request.urlopen(request, timeout=5).close()
        except (OSError, ValueError):
            pass  # the board is the instructor's view, not the learner's: its silence changes nothing here


_stopped = threading.Event()  # never set: the reports end with the kernel


def start() -> bool:
    """In a kernel, on a hub with a board: report now, then every ``EVERY`` seconds. Whether it is on."""
    if url() is None:
        return False
    report()

    def every_while() -> None:
        while not _stopped.wait(EVERY):
            report()
    threading.Thread(target=every_while, name="orderup-board-every", daemon=True).start()
    return True
