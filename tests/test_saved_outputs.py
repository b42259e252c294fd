"""What the saved notebooks show of the course's own files is what those files say now.

A lesson that shows `labkit.show("restaurant/orders/tasks.py", "buzz")` saves the lines it read, with
their numbers. nbval compares a re-run with them, but a notebook that no test re-runs (a solution, a
cell the suite skips) would go on showing code that has since moved or changed. This reads every
such cell of every notebook, shows the same thing again from the files as they are, and compares.
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = sorted([*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "solutions").glob("*.ipynb")])


def show_cell(source: str) -> str | None:
    """The code to evaluate again if the cell is imports and then one `labkit.show(...)` expression
    (optionally `.between(...)`); None for any other cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    *imports, last = tree.body or [None]
    if not isinstance(last, ast.Expr) or not all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in imports):
        return None
    call = last.value
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "between":
        call = call.func.value
    if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "labkit.show"):
        return None
    bound = {"labkit"} | {(alias.asname or alias.name).split(".")[0] for s in imports for alias in s.names}
    used = {node.id for node in ast.walk(last) if isinstance(node, ast.Name)}
    return source if used <= bound else None  # what an earlier cell defined cannot be shown again here


def saved_shows() -> list[tuple[str, int, str, str]]:
    found = []
    for path in NOTEBOOKS:
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "code" or show_cell(cell.source) is None:
                continue
            saved = [o for o in cell.get("outputs", []) if o.get("output_type") == "execute_result"]
            text = saved[0]["data"].get("text/plain", "") if saved else ""
            shown_path = text.split(",", 1)[0].removeprefix("# ")
            # the course's own files; an installed library's path is the machine's, not the course's
            if shown_path and (ROOT / shown_path).is_file() and not shown_path.startswith("."):
                found.append((f"{path.parent.name}/{path.name}", i, cell.source, text))
    return found


SHOWS = saved_shows()


def test_the_notebooks_show_the_course_files_in_many_places():
    assert len(SHOWS) >= 35, len(SHOWS)  # a parser that finds none would pass every comparison below


SHOW_AGAIN = """
import ast, json, sys
import labkit
labkit.current().prepare_django()  # the restaurant's modules import its models
namespace, shown = {"labkit": labkit}, []
for source in json.load(sys.stdin):
    tree = ast.parse(source)
    exec(compile(ast.Module(tree.body[:-1], type_ignores=[]), "cell", "exec"), namespace)
    shown.append(repr(eval(compile(ast.Expression(tree.body[-1].value), "cell", "eval"), namespace)))
print(json.dumps(shown))
"""


@pytest.fixture(scope="module")
def shown_now(tmp_path_factory):
    """Every cell's show, evaluated again in a fresh Python (its own Django settings, as a kernel's)."""
    env = {**os.environ, "ORDERUP_HOME": str(tmp_path_factory.mktemp("home"))}
    done = subprocess.run([sys.executable, "-c", SHOW_AGAIN], input=json.dumps([source for _, _, source, _ in SHOWS]),
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(zip([(where, cell) for where, cell, *_ in SHOWS], json.loads(done.stdout), strict=True))


@pytest.mark.parametrize("where, cell, source, saved", SHOWS,
                         ids=[f"{w.split('/')[1][:2]}{w.split('/')[0][0]}-{c}" for w, c, *_ in SHOWS])
def test_a_saved_show_matches_the_file_as_it_is(where, cell, source, saved, shown_now):
    assert shown_now[(where, cell)] == saved, (
        f"{where}, cell {cell}: the saved output shows an older version of the file; "
        f"re-run the notebook (make outputs, or nbconvert --execute --inplace on it)")
