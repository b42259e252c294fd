"""Make the lab notebooks from their solutions (one source of truth).

    python -m labkit.authoring.labs            # write labs/NAME.ipynb for every solutions/NAME.ipynb
    python -m labkit.authoring.labs --check    # exit 1 if a lab is not what its solution makes

In a solution's code cell:
    ### LAB: pong = ...  # ask Redis      -> in the lab: `pong = ...  # ask Redis`
    ### BEGIN SOLUTION                    -> this line and everything up to
    pong = kitchen.redis.client().ping()
    ### END SOLUTION                      -> this one are left out of the lab
Cells tagged `check` are the lab's checks; they are copied as they are. Labs carry no outputs.
"""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat

from labkit.runtime.paths import REPO_ROOT

ROOT = REPO_ROOT  # the authors work in labkit's own checkout
SOLUTIONS, LABS = ROOT / "solutions", ROOT / "labs"
LAB_PREFIX, BEGIN, END = "### LAB:", "### BEGIN SOLUTION", "### END SOLUTION"


def lab_source(source: str) -> str:
    out, hiding = [], False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            hiding = True
        elif stripped.startswith(END):
            hiding = False
        elif stripped.startswith(LAB_PREFIX):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + stripped[len(LAB_PREFIX):].lstrip())
        elif not hiding:
            out.append(line)
    if hiding:
        raise ValueError(f"{BEGIN} without {END} in:\n{source}")
    return "\n".join(out)


def make_lab(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    lab = copy.deepcopy(solution)
    for cell in lab.cells:
        if cell.cell_type == "code":
            cell.source = lab_source(cell.source)
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    header = nbformat.v4.new_markdown_cell(
        f"**Lab.** Replace each `...` with your answer, run the cell, then run the check below it. "
        f"A check that fails tells you what is wrong and gives a hint.\n\n"
        f"*This file is generated from `solutions/{name}` by `python -m labkit.authoring.labs`; "
        f"edit the solution, not this file.*"
    )
    header.id = "lab-header"
    lab.cells.insert(0, header)
    # only what does not depend on who last ran the solution (language_info records their Python)
    lab.metadata = {"kernelspec": solution.metadata.get("kernelspec", {}), "language_info": {"name": "python"}}
    return lab


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def expected_labs() -> dict[Path, str]:
    return {
        LABS / path.name: render(make_lab(nbformat.read(path, as_version=4), path.name))
        for path in sorted(SOLUTIONS.glob("*.ipynb"))
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report labs out of sync")
    args = parser.parse_args(argv)
    expected = expected_labs()
    stale = []
    for path, text in expected.items():
        current = path.read_text() if path.exists() else None
        if current != text:
            stale.append(path)
            if not args.check:
                path.write_text(text)
    orphans = sorted(set(LABS.glob("*.ipynb")) - set(expected))
    if args.check:
        for path in stale:
            print(f"out of sync: {path.relative_to(ROOT)} (run: python -m labkit.authoring.labs)")
        for path in orphans:
            print(f"no solution for: {path.relative_to(ROOT)}")
        return 1 if stale or orphans else 0
    for path in stale:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
