"""What a learner's kernel sends the instructor's board (labkit/kitchen/board.py), against a real HTTP
server standing in for the board's address: nothing without a board, the learner's own token, only
names, outcomes and the restaurant's state; a board that does not answer changes nothing for the
learner. The board itself, its refusals and its page run on the real hub: tests/test_hub.py."""
from __future__ import annotations

import http.server
import json
import os
import socket
import threading
import time

import pytest

from labkit.authoring import checks
from labkit.kitchen import board
from labkit.runtime.errors import LabCheckFailed
from labkit.runtime.waiting import wait_until


class Board(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers.get("Authorization"), json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listening_board(monkeypatch, tmp_path):
    monkeypatch.setenv("ORDERUP_HOME", str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Board)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Board.received = []
    monkeypatch.setenv("ORDERUP_BOARD_URL", f"http://127.0.0.1:{server.server_address[1]}/services/orderup-board/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "the-servers-own-token")
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/learner01/order-up/labs/05-crashes-and-acks-late.ipynb")
    monkeypatch.setattr(checks, "after_record", [board.report])
    yield Board.received
    server.shutdown()
    server.server_close()


def test_without_a_board_nothing_is_sent(monkeypatch):
    monkeypatch.delenv("ORDERUP_BOARD_URL", raising=False)
    assert board.url() is None and board.report() is False and board.start() is False
    monkeypatch.setenv("ORDERUP_BOARD_URL", "http://127.0.0.1:9/")
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)  # not on a hub: no token to sign with
    assert board.report() is False


def test_each_check_sends_the_learners_row_with_their_servers_token_and_nothing_else(listening_board):
    checks.check(True, exercise="05.1", success="ok", problem="", hint="")
    with pytest.raises(LabCheckFailed):
        checks.check(False, exercise="05.2", success="", problem="my secret answer was 42", hint="h", fix="f")

    def with_both():  # reports asked for while one is on its way are sent as one, read when sent
        return [row for *_, row in listening_board if set(row["checks"].get("05", {})) == {"1", "2"}]
    (row, *_) = wait_until(with_both, timeout=10, what="a report with both checks")
    path, token, _ = listening_board[-1]
    assert path == "/services/orderup-board/report" and token == "token the-servers-own-token"
    outcomes = {n: {k: v for k, v in e.items() if k != "last"} for n, e in row["checks"]["05"].items()}
    assert outcomes == {"1": {"passed": True, "attempts": 1}, "2": {"passed": False, "attempts": 1}}
    assert all(time.time() - entry["last"] < 60 for entry in row["checks"]["05"].values())
    assert {k: v for k, v in row.items() if k not in ("checks", "active")} == {
        "kernel": str(os.getpid()), "lesson": "labs/05-crashes-and-acks-late",
        "restaurant": {"running": [], "MiB": 0}}


def test_a_board_url_that_is_no_url_fails_no_check(monkeypatch, tmp_path):
    monkeypatch.setenv("ORDERUP_HOME", str(tmp_path))
    monkeypatch.setenv("ORDERUP_BOARD_URL", "not a url at all")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "t")
    monkeypatch.setattr(checks, "after_record", [board.report])
    checks.check(True, exercise="05.1", success="ok", problem="", hint="")
    assert checks.read_record()["05"]["1"]["passed"] is True


def test_a_board_that_does_not_answer_neither_delays_nor_fails_a_check(monkeypatch, tmp_path):
    monkeypatch.setenv("ORDERUP_HOME", str(tmp_path))
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts connections, never answers
    monkeypatch.setenv("ORDERUP_BOARD_URL", f"http://127.0.0.1:{silent.getsockname()[1]}/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "t")
    monkeypatch.setattr(checks, "after_record", [board.report])
    try:
        started = time.monotonic()
        checks.check(True, exercise="05.1", success="ok", problem="", hint="")
        assert time.monotonic() - started < 1
        assert checks.read_record()["05"]["1"]["passed"] is True
    finally:
        silent.close()
