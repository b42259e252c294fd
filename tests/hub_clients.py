"""Clients for a JupyterHub under test, as the tests' admin service: its REST API, and code run in a
learner's kernel over Jupyter's kernel WebSocket protocol (the way JupyterLab talks to a kernel).

The hub listens on https with a self-signed certificate for a made-up host name, so every client
connects to 127.0.0.1 and names the host itself (Host header, TLS server name).
"""
from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
import uuid

from websockets.exceptions import ConnectionClosedError, InvalidMessage, InvalidStatus
from websockets.sync.client import connect


def unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class Hub:
    def __init__(self, host: str, port: int, token: str | None):
        self.host, self.port, self.token = host, port, token
        self.retried: list[tuple] = []  # (user, how long it took, why) of each kernel handshake tried again

    def request(self, method: str, path: str, body: dict | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=60, context=unverified())
        try:
            signed = {"Authorization": f"token {self.token}"} if self.token else {}  # none: a login's request
            connection.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                               headers={"Host": f"{self.host}:{self.port}", **signed, **(headers or {})})
            answer = connection.getresponse()
            return answer.status, dict(answer.getheaders()), answer.read()
        finally:
            connection.close()

    def api(self, method: str, path: str, body: dict | None = None):
        status, _, data = self.request(method, f"/hub/api/{path}", body)
        assert status < 400, (method, path, status, data[:500])
        return json.loads(data) if data else None

    def kernel_of(self, user: str, notebook: str) -> str:
        """The id of the kernel behind the learner's open ``notebook`` (JupyterLab's session)."""
        status, _, data = self.request("GET", f"/user/{user}/api/sessions")
        assert status == 200, (status, data[:300])
        for session in json.loads(data):
            if session["path"].endswith(notebook):
                return session["kernel"]["id"]
        raise AssertionError(f"{user} has no session for {notebook}: {data[:300]}")

    def run(self, user: str, kernel: str, code: str, timeout: float = 120) -> str:
        """Run ``code`` in the learner's kernel; return what it printed; raise if it raised."""
        with self.kernel_socket(user, kernel) as ws:
            return execute(ws, user, code, timeout)

    def kernel_socket(self, user: str, kernel: str):
        """A WebSocket to the kernel, through the hub's proxy, tried three times, as JupyterLab reconnects a
        kernel's socket by itself. On a loaded machine the proxy (Node) once answered the handshake with
        408, once closed the connection before it, and several times the handshake was held for 60 to 90 s:
        by the proxy, or by the learner's server, which completes it only once the kernel has answered a
        kernel_info request, or after kernel_info_timeout (60 s; jupyter_server's ZMQChannelsWebsocketConnection
        .prepare; the room test counts those). So the TCP connection gets 20 s, then the handshake 20 s more,
        and a try that runs out is tried again on a new connection; a browser would wait on (a held server
        answers after its 60 s). Nothing has been sent to the kernel before the handshake is done. Each
        failed try is kept in ``self.retried``."""
        url = f"wss://{self.host}:{self.port}/user/{user}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"
        for attempt in range(3):
            started, raw = time.monotonic(), None
            try:
                raw = socket.create_connection(("127.0.0.1", self.port), timeout=20)
                connected = time.monotonic() - started
                return connect(url, sock=raw, ssl=unverified(), server_hostname=self.host, open_timeout=20,
                               additional_headers={"Authorization": f"token {self.token}"}, max_size=None)
            except (InvalidStatus, InvalidMessage, ConnectionClosedError, OSError) as failed:
                if raw is not None:
                    raw.close()
                self.retried.append((user, f"{'TCP' if raw is None else f'TCP {connected:.1f} s, then'} "
                                           f"{time.monotonic() - started:.1f} s in all", repr(failed)[:120]))
                refused = isinstance(failed, InvalidStatus) and failed.response.status_code != 408
                if refused or attempt == 2:
                    raise
                time.sleep(1)

def execute(ws, user: str, code: str, timeout: float) -> str:
    """Run ``code`` through an open kernel WebSocket, as JupyterLab sends a cell: what it printed; raise
    if it raised. ``timeout``: seconds for the whole cell, however many messages it sends."""
    msg_id = uuid.uuid4().hex
    request = {"header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                          "session": uuid.uuid4().hex, "version": "5.3"},
               "parent_header": {}, "metadata": {}, "channel": "shell",
               "content": {"code": code, "silent": False, "store_history": False,
                           "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}
    out, error = [], None
    ws.send(json.dumps(request))
    deadline = time.monotonic() + timeout
    while True:
        try:
            message = json.loads(ws.recv(timeout=deadline - time.monotonic()))  # at or past 0: no wait
        except TimeoutError:
            so_far = "".join(out)
            raise TimeoutError(f"{user}'s cell did not finish in {timeout:.0f} s (output so far: {so_far!r})") from None
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream" and content["name"] == "stdout":
            out.append(content["text"])
        elif kind == "error":
            error = "\n".join(content["traceback"])
        elif kind == "status" and content["execution_state"] == "idle":
            break
    if error:
        raise AssertionError(f"{user}'s kernel raised:\n{error}")
    return "".join(out)
