"""The front desk: a tiny web page, reached at <base_url>orderup/ (or flower/) through Jupyter,
that lists this user's open restaurants and links to their pages through the Jupyter proxy.

jupyter-server-proxy starts it on the first visit (binder/jupyter_server_config.py):

    python -m labkit.frontdesk --port PORT --show tables|flower

Each kernel runs its own Daphne on a port of its own; the front desk reads the run folders' state
files (this user's only: they live in a 0700 folder) to find the live ones.
"""
from __future__ import annotations

import argparse
import html
import http.server
from pathlib import Path

from . import reaper
from .processes import course_home

TABLES = range(1, 9)


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
        found.append({"run": run_dir.name, "port": service.get("port"), "key": state.get("door_key", "")})
    return found


def page(show: str, home: Path | None = None) -> str:
    """The front desk's HTML. Links are relative: <base_url>orderup/ -> <base_url>proxy/<port>/..."""
    kind = "flower" if show == "flower" else "daphne"
    services = open_services(kind, home)
    if not services:
        body = ("<p>No restaurant is open. Run the first cells of a lesson (they call "
                "<code>labkit.open_restaurant()</code>), then reload this page.</p>" if kind == "daphne" else
                "<p>Flower is not running. Lesson 11 starts it from a cell; then reload this page.</p>")
    else:
        items = []
        for s in services:
            query = f"?key={html.escape(s['key'])}" if s["key"] else ""
            if kind == "daphne":
                links = " ".join(f'<a href="../proxy/{s["port"]}/table/{t}/{query}">table {t}</a>' for t in TABLES)
            else:
                # Flower serves under <base_url>proxy/absolute/PORT (its --url_prefix): it writes
                # absolute links, so the proxy must keep the prefix
                links = f'<a href="../proxy/absolute/{s["port"]}/">Flower</a> (user cook, the door key as password)'
            items.append(f"<li>kernel run {html.escape(s['run'])} (port {s['port']}): {links}</li>")
        body = "<ul>" + "".join(items) + "</ul>"
    title = "Order Up! tables" if kind == "daphne" else "Flower"
    return (f"<!doctype html><meta charset=utf-8><title>{title}</title>"
            f"<body style='font:16px system-ui;margin:2em'><h1>{title}</h1>{body}"
            "<p><small>Each notebook's kernel runs its own restaurant; the newest is first.</small></p>")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m labkit.frontdesk")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--show", choices=["tables", "flower"], default="tables")
    args = parser.parse_args(argv)

    class FrontDesk(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = page(args.show).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    http.server.ThreadingHTTPServer(("127.0.0.1", args.port), FrontDesk).serve_forever()


if __name__ == "__main__":
    main()
