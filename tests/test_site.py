"""The course's web site (`make site`, site/build.py): built from the committed notebooks with warnings as
errors, every internal link and anchor resolves, each lesson page has its launch links, and every page
opens in Chromium (of the labs, whose text their solutions' pages show, the first and the last) with no
console error and no request leaving the machine; lesson 09's diagram is drawn and lesson 03's live
board shows as it was saved. The build's time, pages and size are printed."""
from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import ROOT
from test_browser import browser  # noqa: F401 (the fixture: Debian's Chromium, no network)

pytestmark = pytest.mark.slow

SITE_PYTHON = ROOT / ".venv-site" / "bin" / "python"
HUB = "https://hub.orderup.test"
# site/build.py, read on its own (its Sphinx is in .venv-site): the repository its pages link to
_spec = importlib.util.spec_from_file_location("site_build", ROOT / "site" / "build.py")
BUILD = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(BUILD)
FILES = f"{BUILD.REPOSITORY}/blob/{BUILD.BRANCH}/"  # its links to course files the site has no page for
LESSONS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built into a folder of this test's (a developer's build/site/ is left alone): its path."""
    # the site's builder, installed as `make site` installs it (here, while other tests run)
    installed = subprocess.run(["make", ".venv-site/.installed"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    cached = (ROOT / "build" / "site-npm" / f"mermaid-{BUILD.MERMAID}.tgz").exists()
    if installed.returncode != 0 or not (shutil.which("npm") or cached):
        message = (f"the site's builder did not install: {installed.stderr[-2000:]}" if installed.returncode
                   else "no npm, which fetches Mermaid's script once (Debian: apt install npm)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("site") / "site"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERUP_SITE_")}  # the repository's defaults
    done = subprocess.run([str(SITE_PYTHON), "site/build.py", "--hub", HUB, "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    print(done.stdout.strip())
    return out


class Links(HTMLParser):
    """Every link and resource a page names, and every id it has."""

    def __init__(self):
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name"):
            if attrs.get(name):
                self.ids.add(attrs[name])
        for name in ("href", "src"):
            if attrs.get(name):
                self.targets.append(attrs[name])


@functools.cache
def parsed(path: Path) -> Links:
    links = Links()
    links.feed(path.read_text(errors="replace"))
    return links


def test_the_site_builds_from_the_notebooks_as_committed(site):
    stats = json.loads((site / "build-stats.json").read_text())
    assert stats["pages"] == 3 * len(LESSONS) + 1
    for folder in ("notebooks", "labs", "solutions"):
        assert sorted(p.stem for p in (site / folder).glob("*.html")) == LESSONS
    assert stats["MiB"] < 60, stats


def test_every_internal_link_and_anchor_resolves(site):
    broken = []
    for page in site.rglob("*.html"):
        if page.parent.name == "_static":  # the theme's templates, not pages
            continue
        for target in parsed(page).targets:
            parts = urlsplit(target)
            if target.startswith(FILES):  # a course file the site has no page for: it must exist
                if not (ROOT / unquote(parts.path.removeprefix(urlsplit(FILES).path))).exists():
                    broken.append(f"{page.relative_to(site)}: {target} (no such file in the repository)")
                continue
            if parts.scheme or target.startswith(("//", "mailto:", "javascript:", "data:")):
                continue
            path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{page.relative_to(site)}: {target} (no such file)")
            elif parts.fragment and path.suffix == ".html" and unquote(parts.fragment) not in parsed(path).ids:
                broken.append(f"{page.relative_to(site)}: {target} (no such anchor)")
    assert broken == []


@pytest.mark.parametrize("folder", ["notebooks", "labs", "solutions"])
def test_each_notebook_page_has_binder_a_hub_its_siblings_and_the_two_commands(site, folder):
    missing = []
    for lesson in LESSONS:
        html = (site / folder / f"{lesson}.html").read_text()
        wanted = {
            "Binder": f"https://mybinder.org/v2/gh/order-up/order-up/main?urlpath=lab/tree/{folder}/{lesson}.ipynb",
            "the hub (nbgitpuller)": f"{HUB}/hub/user-redirect/git-pull?repo=https%3A//github.com/order-up/order-up"
                                     f"&urlpath=lab/tree/order-up/{folder}/{lesson}.ipynb&branch=main",
            "the two commands": "make lab     # install, open JupyterLab\nmake test",
        }
        missing += [f"{folder}/{lesson}: {what}" for what, text in wanted.items() if text not in html]
        missing += [f"{folder}/{lesson}: a link to {other}" for other in ("notebooks", "labs", "solutions")
                    if other != folder and f'href="../{other}/{lesson}.html"' not in html]
    assert missing == []
    assert "On your machine" not in (site / "index.html").read_text()


def test_each_page_is_titled_with_its_number(site):
    titles = {p.relative_to(site).as_posix(): re.search(r"<title>(.*?)</title>", p.read_text()).group(1)
              for folder in ("notebooks", "labs", "solutions") for p in (site / folder).glob("*.html")}
    assert {page: title for page, title in titles.items()
            if not re.match(rf"(Lab )?{page.split('/')[1][:2]} · ", title)} == {}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the pages asked for are the test's business, not its output
        pass


@contextlib.contextmanager
def serving(folder: Path):
    """``folder`` over HTTP on 127.0.0.1 (a port the system picks), for the time of the block: its address."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_every_page_opens_in_chromium_with_no_error_and_nothing_fetched_from_elsewhere(site, browser):  # noqa: F811
    # every lesson and solution; of the labs (their solutions' text without outputs) the first and the last
    pages = ["index.html", "search.html", *(f"{folder}/{name}.html" for folder in ("notebooks", "solutions")
                                            for name in LESSONS), f"labs/{LESSONS[0]}.html", f"labs/{LESSONS[-1]}.html"]
    problems, elsewhere = [], []
    with serving(site) as base:
        check_in_chromium(browser, base, pages, problems, elsewhere)
    assert problems == [] and elsewhere == []


def check_in_chromium(browser, base: str, pages: list[str], problems: list, elsewhere: list) -> None:  # noqa: F811
    """Open each page; note what it logged as an error and what it asked of another server."""
    context = browser.new_context()
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
                  else (elsewhere.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("console", lambda message: problems.append(f"{page.url}: console {message.type}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    try:
        for path in pages:
            response = page.goto(base + path, wait_until="load")
            assert response.status == 200, path
            if path == "notebooks/09-order-up.html":  # the order's trail: a sequence diagram, drawn
                diagram = page.locator(".mermaid svg", has_text="waiter").first  # an empty <svg> comes first
                diagram.wait_for(timeout=15000)
                assert "cook" in diagram.inner_html()
            if path == "notebooks/03-the-cook.html":  # the rail board, as it was saved: its HTML, not the widget's text
                board = page.locator(".cell_output .output.text_html > b", has_text=re.compile(r"^Rail board$"))
                assert board.count() == 1 and "queue celery" in board.locator("xpath=..").inner_text()
    finally:
        context.close()
