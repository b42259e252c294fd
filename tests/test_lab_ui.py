"""A lesson run the way a learner runs it: JupyterLab in a real browser (the system's Chromium),
the notebook opened from the file browser, Run > Run All Cells. nbval runs every cell too, but only
a browser shows what JupyterLab makes of the outputs: the rail board's live widget, the Mermaid
sequence diagram (lesson 09, in the hub test), and no error output.

Without Chromium these tests skip on a learner's machine; under CI (CI=true) they fail instead.
"""
from __future__ import annotations

import asyncio
import json
import shutil

import pytest

from labkit.runtime.waiting import wait_until

from conftest import ROOT, course_processes
from jupyter_servers import JupyterServer
from jupyterlab_ui import (
    CHROMIUM_ARGS,
    code_cells,
    errors_in,
    open_from_file_browser,
    run_all,
    save,
    scroll_until,
    texts,
    unrun_cells,
)
from test_browser import chromium_executable

pytestmark = pytest.mark.slow  # real kernels, browsers or installs: not in `make test-fast`


def copy_of_the_course(target):
    """The notebooks and the restaurant in a folder of their own: the test saves the notebook it
    runs, as a learner would, and must not touch the repository's."""
    for folder in ("notebooks", "restaurant"):
        shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", target)
    return target


def test_lesson_03_in_jupyterlab_shows_the_live_rail_board(home, tmp_path):
    executable = chromium_executable()
    course = copy_of_the_course(tmp_path / "course")
    server = JupyterServer(home, "/user/alice/", env={}, root_dir=course)

    async def learner():
        from playwright.async_api import async_playwright
        async with async_playwright() as playwright:
            chromium = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                                        chromium_sandbox=False)
            page = await chromium.new_page(viewport={"width": 1280, "height": 900})
            await open_from_file_browser(
                page, f"http://127.0.0.1:{server.port}/user/alice/lab/tree/notebooks?token={server.token}",
                "03-the-cook.ipynb")
            await run_all(page, code_cells(json.loads((course / "notebooks" / "03-the-cook.ipynb").read_text())))
            # widgets are drawn a moment after their cell has run, and only while their cell is in
            # view (JupyterLab renders the cells near the viewport): scroll down until it shows
            await scroll_until(page, """() => Array.from(document.querySelectorAll('.widget-html-content'))
                .some(e => e.textContent.includes('Rail board'))""")
            board = [t for t in await texts(page, ".widget-html-content") if "Rail board" in t]
            widget_errors = await texts(page, ".jupyter-widgets-disconnected, .widget-error")
            await save(page)
            await chromium.close()
            return board, widget_errors

    try:
        board, widget_errors = asyncio.run(learner())
        saved = json.loads((course / "notebooks" / "03-the-cook.ipynb").read_text())
    finally:
        server.stop()
    # the widget is drawn by JupyterLab from the kernel's state: the board, stopped after its 10 s
    assert len(board) == 1 and "on the rail" in board[0] and "results stored" in board[0], board
    assert widget_errors == []
    assert errors_in(saved) == []
    assert unrun_cells(saved) == [], unrun_cells(saved)
    wait_until(lambda: not course_processes(home), timeout=15, what="the kernel's services to stop")
