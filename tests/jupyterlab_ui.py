"""Drive JupyterLab as a learner does, in a real browser (Playwright's async API): open a notebook
from the file browser, clear it, Run > Run All Cells, wait for the last cell, and read what rendered.

Opening a notebook from the file browser (not from its URL) avoids the "Select Kernel" dialog that a
directly loaded notebook URL can raise.
"""
from __future__ import annotations

import re
import time

CHROMIUM_ARGS = [
    # no calls home: this machine has no network but loopback
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-gpu",
]
PROMPT_NUMBER = re.compile(r"\[(\d+)\]")


async def open_from_file_browser(page, folder_url: str | None, name: str, timeout: float = 60) -> None:
    """Load JupyterLab at ``folder_url`` (a /lab/tree/<folder> URL; None: where the page is) and
    double-click ``name`` in its file browser."""
    if folder_url:
        await page.goto(folder_url)
    item = page.locator(".jp-DirListing-item", has_text=name)
    await item.wait_for(timeout=timeout * 1000)
    await item.dblclick()
    await page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").wait_for(timeout=timeout * 1000)
    await kernel_idle(page, timeout)


async def kernel_idle(page, timeout: float = 60) -> None:
    """Wait until the notebook's kernel is connected and idle (the toolbar's kernel status)."""
    await page.wait_for_function(
        """() => { const s = document.querySelector(
                       '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
                   return s && s.getAttribute('data-status') === 'idle'; }""", timeout=timeout * 1000)


async def menu(page, top: str, item: str) -> None:
    """Click ``top`` in JupyterLab's menu bar, then ``item`` in the menu it opens."""
    dialog = page.locator(".jp-Dialog")
    if await dialog.count():
        raise AssertionError(f"JupyterLab shows a dialog at {page.url}: {await dialog.first.inner_text()!r}")
    await page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(top)}$")).click()
    entry = page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).first
    await entry.wait_for()
    await entry.click()
    await page.locator(".lm-Menu").first.wait_for(state="detached")  # closed: the command ran


async def prompts(page) -> list[str]:
    """Every code cell's prompt ([ ]:, [*]:, [3]:). textContent, not the rendered text: cells
    scrolled out of view are not rendered (JupyterLab's content-visibility windowing)."""
    return await page.evaluate("""() => Array.from(document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')).map(e => e.textContent)""")


PROMPTS = "Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt'))"


async def command_until(page, top: str, item: str, condition: str, attempts: int = 3) -> None:
    """Run the menu command ``top`` > ``item`` until ``condition`` (JavaScript) holds. A click can
    land while Lumino's menu bar is still closing the last menu, or before the notebook is the
    current widget (its tab is clicked first): then the command did nothing, and is tried again."""
    for attempt in range(attempts):
        await page.wait_for_timeout(300 * attempt)
        await page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current").click()
        await menu(page, top, item)
        try:
            await page.wait_for_function(f"() => {condition}", timeout=5000)
            return
        except Exception:
            continue
    shot = f"/tmp/jupyterlab-{int(time.time())}.png"
    await page.screenshot(path=shot)
    raise AssertionError(f"{top} > {item} did nothing, {attempts} times (screenshot: {shot})")


OUTPUTS = "document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output').length"


async def run_all(page, code_cells: int, timeout: float = 180) -> float:
    """Edit > Clear Outputs of All Cells, then Run > Run All Cells; wait until every one of the
    notebook's ``code_cells`` has run (a number in each prompt, none left at [*]). Returns the
    seconds Run All took."""
    # Not vacuous: every code cell drawn, no prompt numbered and no output left. Prompts alone are
    # not enough: a cell can be drawn with a blank prompt a moment before its saved number shows,
    # and then the saved numbers pass for a finished Run All that never ran (seen on the hub test:
    # the notebook saved with its shipped outputs).
    await command_until(page, "Edit", "Clear Outputs of All Cells",
                        f"{PROMPTS}.length === {code_cells} && {OUTPUTS} === 0 && "
                        f"{PROMPTS}.every(e => !/\\d/.test(e.textContent))")
    started = time.monotonic()
    await command_until(page, "Run", "Run All Cells", f"{PROMPTS}.some(e => /\\*|\\d/.test(e.textContent))")
    deadline = started + timeout
    idle_since = None
    blank_since, tries = None, 1
    while True:
        # Done when every code cell is numbered and the kernel has stayed idle for 2 s with none
        # waiting ([*]). A cell that raises stops Run All: the cells after it stay blank, so an idle
        # kernel with some cells numbered and none waiting for 10 s is done too (the caller reads
        # the error from the saved notebook).
        shown = await prompts(page)
        idle = await page.evaluate(KERNEL_IDLE)
        numbered = sum(bool(PROMPT_NUMBER.search(p)) for p in shown)
        if idle and numbered and not any("*" in p for p in shown):
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= (2.0 if numbered == code_cells else 10.0):
                return idle_since - started  # when the last cell ended
        else:
            idle_since = None
        # Every cell blank again, the kernel idle, after Run All had queued them ([*]): the cells never
        # reached the kernel (seen twice in about twenty runs, at the start, on a loaded machine;
        # JupyterLab resets queued cells when their execution is dropped). Run All again.
        blank = idle and shown and not numbered and not any("*" in p for p in shown)
        blank_since = (blank_since or time.monotonic()) if blank else None
        if blank_since and time.monotonic() - blank_since > 5 and tries < 3:
            await command_until(page, "Run", "Run All Cells", f"{PROMPTS}.some(e => /\\*|\\d/.test(e.textContent))")
            blank_since, tries = None, tries + 1
        if time.monotonic() > deadline:
            raise TimeoutError(f"Run All not finished after {timeout:g} s ({tries} Run All): prompts {shown}")
        await page.wait_for_timeout(250)


def code_cells(notebook: dict) -> int:
    """How many code cells a notebook (as JSON) has: what run_all waits for."""
    return sum(c["cell_type"] == "code" for c in notebook["cells"])


def unrun_cells(notebook: dict) -> list[int]:
    """The code cells of a saved notebook with no execution count (did not run)."""
    return [i for i, c in enumerate(notebook["cells"]) if c["cell_type"] == "code" and c.get("execution_count") is None]


KERNEL_IDLE = """() => { const s = document.querySelector(
                   '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
                        return !!s && s.getAttribute('data-status') === 'idle'; }"""


async def save(page) -> None:
    """File > Save Notebook, until the notebook's tab no longer shows unsaved changes."""
    await command_until(page, "File", "Save Notebook",
                        "!document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current.jp-mod-dirty')")


def errors_in(notebook: dict) -> list[str]:
    """Every error output (ename: evalue) of a notebook as saved."""
    return [f"{o['ename']}: {o['evalue']}" for c in notebook["cells"] if c["cell_type"] == "code"
            for o in c.get("outputs", []) if o["output_type"] == "error"]


async def texts(page, selector: str) -> list[str]:
    """textContent of every match in the open notebook (rendered or scrolled out of view)."""
    return await page.evaluate("""selector => Array.from(document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) ' + selector)).map(e => e.textContent)""", selector)


async def count(page, selector: str) -> int:
    return len(await texts(page, selector))


async def scroll_until(page, condition: str, timeout: float = 30) -> None:
    """Scroll the notebook from the top, a screen at a time, until ``condition`` (JavaScript)
    holds: JupyterLab renders only the cells near the viewport, so an output far above or below
    the last cell run is not in the page until it is scrolled to."""
    deadline = time.monotonic() + timeout
    top = 0
    while True:
        if await page.evaluate(condition):
            return
        height = await page.evaluate("""(top) => {
            const outer = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
            if (!outer) return 0;
            outer.scrollTop = top;
            return outer.scrollHeight; }""", top)
        top = top + 600 if top + 600 < height else 0
        if time.monotonic() > deadline:
            shot = f"/tmp/jupyterlab-scroll-{int(time.time())}.png"
            await page.screenshot(path=shot)
            widgets = await page.evaluate("""() => Array.from(document.querySelectorAll(
                '.jp-OutputArea-output')).map(e => e.className + ': ' + e.textContent.slice(0, 80))""")
            raise TimeoutError(f"not in the notebook after {timeout:g} s of scrolling: {condition}; "
                               f"outputs in the page: {widgets} (screenshot: {shot})")
        await page.wait_for_timeout(300)
