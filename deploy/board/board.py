"""The instructor's board: a JupyterHub service that shows, live, one row per learner (INSTRUCTORS.md,
"The instructor's board").

The hub starts it (``c.JupyterHub.services``) and protects it: every request is identified by the hub,
never by what it says about itself.

- ``POST report``: each of a learner's kernels sends its report (labkit/kitchen/board.py) with the token
  of the learner's own server ($JUPYTERHUB_API_TOKEN). The hub says whose token it is; the row written
  is that learner's. A report naming someone else, without a token (a browser's cookie, say), or with a
  token the hub does not know is refused. Kept: the notebook's name, each exercise's outcome, attempts
  and time, the restaurant's services and memory, the kernel's id and when it last ran a cell; anything
  else in a report is dropped. A learner's row shows the kernel they used last.
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
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import ioloop, log, web

PREFIX = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/orderup-board/")
INSTRUCTORS = os.environ.get("ORDERUP_BOARD_GROUP", "instructors")
STUCK_AFTER = 3           # failed attempts at one exercise, not yet passed, the last of them recent
QUIET_AFTER = 10 * 60     # seconds in a lab without a new check; and how recent "recent" is
GONE_AFTER = 90           # seconds without a report from a kernel (they report every 30 s): it is closed
MOST = 64                 # labs in a report, exercises in a lab, services in a restaurant
PAGE = Path(__file__).with_name("board.html")

#: learner -> {"kernels": {kernel: its last report, cleaned, and when it came}, "checks": the learner's
#: record as last reported (one per learner, whichever kernel sends it), "changed": when it last changed,
#: "seen": when the last report came}
learners: dict[str, dict] = {}


def cleaned(report: dict) -> dict:
    """The parts of a report the board keeps: names, outcomes, counts, times and the restaurant's state.
    Anything else is dropped; a report of another shape raises (TypeError, ValueError, ...)."""
    checks = {}
    for lab, exercises in list(report.get("checks", {}).items())[:MOST]:
        checks[str(lab)[:8]] = {str(number)[:8]: {"passed": bool(entry["passed"]), "attempts": int(entry["attempts"]),
                                                  "last": float(entry.get("last", 0))}
                                for number, entry in list(exercises.items())[:MOST]}
    restaurant = report.get("restaurant", {})
    return {"kernel": str(report.get("kernel", ""))[:40], "lesson": str(report.get("lesson", ""))[:80],
            "active": float(report.get("active", 0)), "checks": checks,
            "restaurant": {"running": [str(name)[:20] for name in restaurant.get("running", [])][:MOST],
                           "MiB": int(restaurant.get("MiB", 0))}}


def shown_row(learner: dict, now: float) -> dict:
    """A learner's row: the notebook and restaurant of the kernel they ran a cell in last, and the memory
    of every open kernel's restaurant (none once all their kernels are closed)."""
    kernels = [k for k in learner["kernels"].values() if now - k["seen"] <= GONE_AFTER]
    active = max(kernels, key=lambda k: k["active"]) if kernels else {"lesson": "", "restaurant": {"running": []}}
    return {"lesson": active["lesson"], "checks": learner["checks"], "kernels": len(kernels),
            "restaurant": {"running": active["restaurant"]["running"],
                           "MiB": sum(k["restaurant"]["MiB"] for k in kernels)},
            "ago": round(now - learner["seen"]), "stuck": looks_stuck(learner, active["lesson"], now)}


def looks_stuck(learner: dict, lesson: str, now: float) -> list[str]:
    """Why this learner may need someone: the same check failed several times lately, or a long time
    in a lab without a new check."""
    why = [f"lab {lab}, exercise {number}: {entry['attempts']} tries"
           for lab, exercises in sorted(learner["checks"].items()) for number, entry in sorted(exercises.items())
           if not entry["passed"] and entry["attempts"] >= STUCK_AFTER and now - entry["last"] < QUIET_AFTER]
    if lesson.startswith("labs/") and now - learner["changed"] > QUIET_AFTER:
        why.append(f"no new check for {int(now - learner['changed']) // 60} min")
    return why


class Report(HubOAuthenticated, web.RequestHandler):
    @web.authenticated
    def post(self) -> None:
        # the hub's own rule lets a cookie stand in for a token it does not know: a report needs the token
        if not getattr(self, "_token_authenticated", False):
            raise web.HTTPError(403, "a report is signed with the server's token, not a browser's cookie")
        name = self.current_user["name"]
        try:
            report = json.loads(self.request.body)
            if not isinstance(report, dict) or report.get("learner", name) != name:
                raise web.HTTPError(403, f"this token is {name}'s: it writes {name}'s row only")
            row = cleaned(report)
        except web.HTTPError:
            raise
        except Exception:  # not JSON, or not the shape labkit/kitchen/board.py sends
            raise web.HTTPError(400, "a report is the JSON labkit/kitchen/board.py sends") from None
        now = time.time()
        learner = learners.setdefault(name, {"kernels": {}, "checks": {}, "changed": now})
        if row["checks"] != learner["checks"]:
            learner["checks"], learner["changed"] = row["checks"], now
        learner["seen"] = now
        kernels = {kernel: k for kernel, k in learner["kernels"].items() if now - k["seen"] <= GONE_AFTER}
        kernels[row["kernel"]] = {**row, "seen": now}
        learner["kernels"] = dict(sorted(kernels.items(), key=lambda item: item[1]["seen"])[-MOST:])
        self.set_status(204)


class Rows(HubOAuthenticated, web.RequestHandler):
    @web.authenticated
    def get(self) -> None:
        model, now = self.current_user, time.time()
        # the hub's model of the viewer carries "admin" and "groups" (its identify scopes)
        everyone = bool(model.get("admin")) or INSTRUCTORS in (model.get("groups") or [])
        rows = []
        for name, learner in sorted(learners.items()):
            if everyone or name == model["name"]:
                rows.append({"learner": name, **shown_row(learner, now)})
        self.set_header("Cache-Control", "no-store")
        self.finish({"viewer": model["name"], "instructor": everyone, "now": now, "rows": rows})


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
    app.listen(url.port, url.hostname, max_body_size=64 * 1024)  # a report is a few kilobytes
    print(f"the instructor's board listens on {url.hostname}:{url.port}, at {PREFIX}", file=sys.stderr, flush=True)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
