"""The front desk: the Jupyter server's named entries <base_url>orderup/ and <base_url>flower/.

jupyter-server-proxy starts it on the first visit (binder/jupyter_server_config.py), on a Unix
socket in a folder of its own (mode 0700): only this user's Jupyter server can talk to it, so only
someone logged in to that server reaches it. It reads this user's run folders (0700 too) to find
the open restaurants:

    python -m labkit.kitchen.front_desk --unix-socket PATH --show tables|flower

``tables`` (<base_url>orderup/):
    /                          every open restaurant, with links to its tables
    /run/<run>/<path>          a link the notebook printed: sends the browser on to that run's Daphne
                               (through <base_url>proxy/<port>/, with the door key), or says that the
                               restaurant is closed and what to run
``flower`` (<base_url>flower/): passes every request on to the newest open Flower's Unix socket.

Without Jupyter (a laptop, by hand): ``--port 5555`` serves the same on 127.0.0.1:5555, with links
straight to Daphne.
"""
from __future__ import annotations

import argparse
import html
import http.server
import re
import socketserver
from pathlib import Path
from urllib.parse import urlsplit

from labkit.runtime import reaper, unix_http
from labkit.runtime.browser import with_key
from labkit.runtime.paths import course_home

TABLES = range(1, 9)
RUN_LINK = re.compile(r"^/run/(?P<run>[\w-]+)/(?P<path>.*)$")


def open_services(kind: str, home: Path | None = None) -> list[dict]:
    """Live services named ``kind`` ("daphne", "flower") of live kernels, newest first."""
    found = []
    runs = (home or course_home()) / "runs"
    for run_dir in sorted(runs.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True) if runs.is_dir() else []:
        state = reaper.read_state(run_dir)
        service = (state.get("services") or {}).get(kind)
        if not service or not reaper.owner_alive(state):
            continue
        if reaper.same_process(service.get("pid"), service.get("started")) is None:
            continue
        found.append({"run": run_dir.name, "port": service.get("port"), "socket": service.get("socket"),
                      "key": state.get("door_key", ""), "project": state.get("project")})
    return found


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<body style='font:16px system-ui;margin:2em;max-width:40em'><h1>{html.escape(title)}</h1>{body}")


class Desk:
    """What the desk answers. ``behind_jupyter``: it is a named entry of a Jupyter server, so its
    links go through that server's proxy (else straight to 127.0.0.1)."""

    def __init__(self, behind_jupyter: bool, home: Path | None = None):
        self.behind_jupyter, self.home = behind_jupyter, home

    def daphne_url(self, request_path: str, daphne: dict, path: str) -> str:
        if self.behind_jupyter:
            # from <base_url>orderup/<the request's folders> back to <base_url>: one ../ per folder
            up = "../" * request_path.count("/")
            return with_key(f"{up}proxy/{daphne['port']}/{path}", daphne["key"])
        return with_key(f"http://127.0.0.1:{daphne['port']}/{path}", daphne["key"])

    def tables(self, request_path: str, query: str = "") -> tuple[int, str, dict]:
        """(status, HTML, extra headers) for a request to the tables entry. A run link's query
        (the login page's ?next=, say) goes on with it."""
        restaurants = open_services("daphne", self.home)
        link = RUN_LINK.match(request_path)
        if link:
            wanted = next((d for d in restaurants if d["run"] == link["run"]), None)
            if wanted:
                path = link["path"] + (f"?{query}" if query else "")
                return 302, "", {"Location": self.daphne_url(request_path, wanted, path)}
            return 503, self.closed(request_path, link["run"], link["path"], restaurants), {}
        restaurants = [d for d in restaurants if not d["project"]]  # another project's run: no tables
        if request_path not in ("", "/"):
            return 404, _page("Not here", "<p>The front desk only knows <a href='./'>its list</a>.</p>"), {}
        if not restaurants:
            return 200, _page("Order Up! tables", "<p>No restaurant is open. Run the first cells of a "
                              "lesson (they call <code>labkit.open_restaurant()</code>), then reload this "
                              "page.</p>"), {}
        items = []
        for d in restaurants:
            links = " ".join(f'<a href="run/{d["run"]}/table/{t}/">table {t}</a>' for t in TABLES)
            items.append(f"<li>kernel run {html.escape(d['run'])}: {links}</li>")
        return 200, _page("Order Up! tables", "<ul>" + "".join(items) + "</ul><p><small>Each notebook's "
                          "kernel runs its own restaurant; the newest is first.</small></p>"), {}

    def closed(self, request_path: str, run: str, path: str, restaurants: list[dict]) -> str:
        state = reaper.read_state((self.home or course_home()) / "runs" / run)
        project = (state or {}).get("project")  # another project's run (the clinic), or the restaurant
        what = f"the {project}" if project else "the restaurant"
        opens = (f'labkit.open_project("{project}")' if project else "kitchen = labkit.open_restaurant()")
        if state and reaper.owner_alive(state):
            closes = f'labkit.close_project("{project}")' if project else "labkit.close_restaurant()"
            why = (f"Its notebook closed it (<code>{html.escape(closes)}</code>, or a lesson's last cell). Run "
                   f"<code>{html.escape(opens)}</code> in that notebook, then reload this page.")
        else:
            why = ("The kernel that ran it was shut down or restarted. Open the notebook, run its first "
                   f"cells (they open {what} again), and click the new link they print.")
        body = (f"<p>{what.capitalize()} behind this link (kernel run <code>{html.escape(run)}</code>) is closed.</p>"
                f"<p>{why}</p>")
        same_kind = [d for d in restaurants if d["project"] == project]  # the same page exists there
        if same_kind:
            up = "../" * (request_path.count("/") - 1)  # back to orderup/
            others = "".join(f'<li><a href="{up}run/{d["run"]}/{html.escape(path)}">kernel run '
                             f'{html.escape(d["run"])}</a></li>' for d in same_kind)
            body += f"<p>Open now, the same page in another {project or 'restaurant'}:</p><ul>{others}</ul>"
        return _page(f"This {project or 'restaurant'} is closed", body)

    def flower(self) -> dict | None:
        return next(iter(open_services("flower", self.home)), None)


FLOWER_NOT_RUNNING = _page("Flower is not running", "<p>Lesson 12 starts it from a cell "
                           "(<code>kitchen.start_flower()</code>); then reload this page.</p>")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate"}


def handler(desk: Desk, show: str):
    class FrontDesk(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, body: bytes, headers: dict | list = (), content_type="text/html; charset=utf-8"):
            self.send_response(status)
            pairs = list(headers.items()) if isinstance(headers, dict) else list(headers)
            if not any(k.lower() == "content-type" for k, _ in pairs) and content_type:
                pairs.append(("Content-Type", content_type))
            for key, value in pairs:
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _handle(self):
            if show == "tables":
                asked = urlsplit(self.path)
                status, page, headers = desk.tables(asked.path, asked.query)
                return self._answer(status, page.encode(), headers)
            flower = desk.flower()
            if flower is None or not flower.get("socket"):
                return self._answer(503, FLOWER_NOT_RUNNING.encode())
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            try:
                status, answer_headers, answer = unix_http.request(flower["socket"], self.command, self.path,
                                                                   body, headers)
            except OSError:
                return self._answer(503, FLOWER_NOT_RUNNING.encode())
            self._answer(status, answer, answer_headers, content_type=None)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        def address_string(self) -> str:  # a Unix socket's client has no address
            return "jupyter"

        def log_message(self, *args):
            pass

    return FrontDesk


class UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        request, _ = super().get_request()
        return request, ("jupyter", 0)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m labkit.kitchen.front_desk")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--unix-socket", help="listen here (jupyter-server-proxy's {unix_socket})")
    where.add_argument("--port", type=int, help="listen on 127.0.0.1:PORT instead (no Jupyter)")
    parser.add_argument("--show", choices=["tables", "flower"], default="tables")
    args = parser.parse_args(argv)
    desk = Desk(behind_jupyter=args.unix_socket is not None)
    if args.unix_socket:
        server = UnixHTTPServer(args.unix_socket, handler(desk, args.show))
    else:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler(desk, args.show))
    server.serve_forever()


if __name__ == "__main__":
    main()
