"""The instructor's board: a JupyterHub service that shows, live, one row per learner (INSTRUCTORS.md,
"The instructor's board").

The hub starts it (``c.JupyterHub.services``) and protects it: every request is identified by the hub,
never by what it says about itself.

- ``POST report``: a learner's kernel sends its row (labkit/authoring/board.py) with the token of the
  learner's own server ($JUPYTERHUB_API_TOKEN). The hub says whose token it is; the row written is
  that learner's. A report naming someone else, a browser's cookie instead of a token, no token or a
  token the hub does not know is refused. Only the lesson's name, each exercise's outcome and number of
  attempts, and the restaurant's state are kept: anything else in a report is dropped.
- ``GET /`` and ``GET rows.json``: after the hub's login (OAuth), a hub admin or a member of the
  instructors group (``ORDERUP_BOARD_GROUP``, "instructors" by default) sees every row; anyone else
  sees their own row only.

The rows live in this process's memory: a restarted board fills again with the next reports.
"""
from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import ioloop, log, web

PREFIX = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/orderup-board/")
INSTRUCTORS = os.environ.get("ORDERUP_BOARD_GROUP", "instructors")
STUCK_AFTER = 3           # failed attempts at one exercise, not yet passed
QUIET_AFTER = 10 * 60     # seconds in a lab without a new check
PAGE = Path(__file__).with_name("board.html")

rows: dict[str, dict] = {}  # learner -> their last report, cleaned, when it came and when their checks last changed


def cleaned(report: dict) -> dict:
    """The parts of a report the board keeps: names, outcomes, counts and the restaurant's state."""
    checks = {}
    for lab, exercises in (report.get("checks") or {}).items():
        if isinstance(exercises, dict):
            checks[str(lab)[:8]] = {str(number)[:8]: {"passed": bool(entry.get("passed")),
                                                      "attempts": int(entry.get("attempts", 0))}
                                    for number, entry in exercises.items() if isinstance(entry, dict)}
    restaurant = report.get("restaurant") or {}
    return {"lesson": str(report.get("lesson") or "")[:80], "checks": checks,
            "restaurant": {"running": [str(name)[:20] for name in restaurant.get("running") or []][:12],
                           "MiB": int(restaurant.get("MiB") or 0)}}


def looks_stuck(row: dict, now: float) -> list[str]:
    """Why this learner may need someone: the same check failed several times, or a long silence."""
    why = [f"lab {lab}, exercise {number}: {entry['attempts']} tries"
           for lab, exercises in sorted(row["checks"].items()) for number, entry in sorted(exercises.items())
           if not entry["passed"] and entry["attempts"] >= STUCK_AFTER]
    if row["lesson"].startswith("labs/") and now - row["changed"] > QUIET_AFTER:
        why.append(f"no new check for {int(now - row['changed']) // 60} min")
    return why


_admins: dict[str, tuple[float, bool]] = {}  # learner -> (when asked, is a hub admin)


def is_admin(name: str) -> bool:
    """Whether ``name`` is a hub admin, as the hub said at most a minute ago."""
    asked, admin = _admins.get(name, (0.0, False))
    if time.time() - asked > 60:
        admin = bool(hub_user(name).get("admin"))
        _admins[name] = (time.time(), admin)
    return admin


def hub_user(name: str) -> dict:
    """The hub's model of user ``name``, asked with this service's own token (role: read:users)."""
    request = urllib.request.Request(url_path_join(os.environ["JUPYTERHUB_API_URL"], "users", quote(name)),
                                     headers={"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.load(answer)


class Report(HubOAuthenticated, web.RequestHandler):
    def check_xsrf_cookie(self) -> None:
        """Reports come with a token, never a cookie (post() refuses those), so no XSRF token."""

    @web.authenticated
    def post(self) -> None:
        if not self.request.headers.get("Authorization"):
            raise web.HTTPError(403, "a report is signed with the server's token, not a browser's cookie")
        learner = self.current_user["name"]
        try:
            report = json.loads(self.request.body)
        except ValueError:
            raise web.HTTPError(400, "a report is JSON") from None
        if not isinstance(report, dict) or report.get("learner", learner) != learner:
            raise web.HTTPError(403, f"this token is {learner}'s: it writes {learner}'s row only")
        try:
            row = cleaned(report)
        except (AttributeError, TypeError, ValueError):
            raise web.HTTPError(400, "a report has the shape labkit/kitchen/board.py sends") from None
        now, before = time.time(), rows.get(learner)
        changed = before["changed"] if before and before["checks"] == row["checks"] else now
        rows[learner] = {**row, "seen": now, "changed": changed}
        self.set_status(204)


class Rows(HubOAuthenticated, web.RequestHandler):
    def is_instructor(self) -> bool:
        model = self.current_user
        return INSTRUCTORS in (model.get("groups") or []) or is_admin(model["name"])

    @web.authenticated
    def get(self) -> None:
        me, now = self.current_user["name"], time.time()
        everyone = self.is_instructor()
        shown = {name: row for name, row in rows.items() if everyone or name == me}
        self.set_header("Cache-Control", "no-store")
        self.finish({"viewer": me, "instructor": everyone, "now": now,
                     "rows": [{"learner": name, **row, "ago": round(now - row["seen"]),
                               "stuck": looks_stuck(row, now)} for name, row in sorted(shown.items())]})


class Page(HubOAuthenticated, web.RequestHandler):
    @web.authenticated
    def get(self) -> None:
        # the page's own requests (fetch) carry this token: the hub's rule for a cookie that is not a navigation
        token = self.xsrf_token
        self.set_header("Cache-Control", "no-store")
        self.finish(PAGE.read_text().replace("{{xsrf}}", token.decode() if isinstance(token, bytes) else token))


def main() -> None:
    log.enable_pretty_logging()  # each request and refusal, to the hub's log
    app = web.Application([
        (PREFIX, Page),
        (url_path_join(PREFIX, "rows.json"), Rows),
        (url_path_join(PREFIX, "report"), Report),
        (url_path_join(PREFIX, "oauth_callback"), HubOAuthCallbackHandler),
    ], cookie_secret=os.urandom(32))
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app.listen(url.port, url.hostname)
    print(f"the instructor's board listens on {url.hostname}:{url.port}, at {PREFIX}", file=sys.stderr, flush=True)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
