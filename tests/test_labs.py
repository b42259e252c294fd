"""Labs are made from solutions by a script, and a lab run as shipped fails only at its checks."""
from __future__ import annotations

import json

import lab_runs
import nbformat
import pytest
from lab_answers import ANSWERS

from labkit.authoring import labs

from conftest import ROOT, Kernel

pytestmark = pytest.mark.slow  # real kernels, browsers or installs: not in `make test-fast`

LABS = sorted((ROOT / "labs").glob("*.ipynb"))


def test_lab_source_hides_the_solution_and_shows_the_stub():
    solution = ("r = client()\n### LAB: pong = ...  # ask Redis\n### BEGIN SOLUTION\npong = r.ping()\n"
                "### END SOLUTION\nprint(1)")
    assert labs.lab_source(solution) == "r = client()\npong = ...  # ask Redis\nprint(1)"
    with pytest.raises(ValueError, match="without"):
        labs.lab_source("### BEGIN SOLUTION\nx = 1")


def test_every_solution_has_a_lab_and_every_lab_is_in_sync():
    assert LABS, "no labs found"
    assert labs.main(["--check"]) == 0, "labs/ is out of sync: run `python -m labkit.authoring.labs`"
    assert [p.name for p in LABS] == [p.name for p in sorted((ROOT / "solutions").glob("*.ipynb"))]


@pytest.mark.parametrize("path", LABS, ids=[p.stem for p in LABS])
def test_labs_ship_without_outputs_or_answers(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
            assert "### BEGIN SOLUTION" not in cell.source and "### LAB:" not in cell.source
    assert sum("check" in c.metadata.get("tags", []) for c in nb.cells) >= 2


@pytest.mark.parametrize("path", LABS, ids=[p.stem for p in LABS])
def test_every_check_gives_the_idea_first_and_the_fix_after_a_second_failure(path):
    """Each labkit.check(...) has a hint (shown at the first failure) and a fix (at the second),
    and the hint is not the fix: a hint that is the answer verbatim teaches nothing."""
    import ast

    def literal(node):
        try:
            return ast.literal_eval(node)
        except ValueError:  # an f-string: its fixed parts
            return "".join(v.value for v in ast.walk(node) if isinstance(v, ast.Constant) and isinstance(v.value, str))

    calls = []
    for cell in nbformat.read(path, as_version=4).cells:
        if "check" not in cell.metadata.get("tags", []):
            continue
        tree = compile(cell.source, path.name, "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        calls += [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and ast.unparse(node.func) == "labkit.check"]
    assert calls, "no labkit.check in the lab's check cells"
    for call in calls:
        given = {k.arg: literal(k.value) for k in call.keywords if k.arg in ("hint", "fix")}
        assert set(given) == {"hint", "fix"}, (path.name, ast.unparse(call)[:200])
        assert given["hint"].strip() != given["fix"].strip() and given["fix"] not in given["hint"], \
            (path.name, given)


@pytest.mark.parametrize("path", LABS, ids=[p.stem for p in LABS])
def test_a_lab_fails_only_at_its_checks_and_each_check_judges_like_a_teacher(path, home):
    """In one kernel, its solution cell by cell; at each check, the exercise as shipped and two wrong
    answers are refused with the hint alone, and a right one written another way passes
    (tests/lab_answers.py), then the solution's; the learner's record then has every exercise
    passed (tests/lab_runs.py says how)."""
    verdicts = lab_runs.Verdicts()
    kernel = Kernel(home, cwd=path.parent)
    try:
        exercises = lab_runs.run_lab(kernel, path, ROOT / "solutions" / path.name, ANSWERS, verdicts)
        record = json.loads(kernel.run("import json, labkit; print(json.dumps(labkit.progress()))"))
    finally:
        kernel.shutdown()
    lab = path.name[:2]
    for exercise in exercises:
        entry = record.get(lab, {}).get(exercise.split(".")[1], {})
        verdicts.expect(entry.get("passed") is True and entry.get("attempts", 0) >= 2,
                        f"{exercise}: the learner's record says {entry}")
    assert not verdicts.problems, "\n\n".join(verdicts.problems)


@pytest.mark.parametrize("path", LABS, ids=[p.stem for p in LABS])
def test_a_learner_who_skips_an_exercise_meets_no_failure_outside_the_checks(path):
    """As shipped, an exercise's answer is `...`: no cell after it but its checks may read it."""
    assert lab_runs.answers_used_later(ROOT / "solutions" / path.name) == []


@pytest.mark.parametrize("path", LABS, ids=[p.stem for p in LABS])
def test_a_solution_is_saved_with_its_checks_passed(path):
    """The solutions run in the test above, not under nbval: what they show saved is a run in which
    every check passed (`make outputs` refreshes them)."""
    cells = nbformat.read(ROOT / "solutions" / path.name, as_version=4).cells
    checks = [c for c in cells if "check" in c.metadata.get("tags", [])]
    for cell in checks:
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        assert "Check passed:" in text and not any(o.get("output_type") == "error" for o in cell.outputs), \
            (path.name, cell.source[:80])


def test_a_later_cell_that_reads_an_answer_is_found(tmp_path):
    nb = nbformat.v4.new_notebook()
    check = nbformat.v4.new_code_cell("labkit.check(later is not None, ...)")
    check.metadata["tags"] = ["check"]
    nb.cells = [nbformat.v4.new_code_cell("### LAB: later = ...\n### BEGIN SOLUTION\nlater = send()\n### END SOLUTION"),
                check, nbformat.v4.new_code_cell("print(later.id)")]
    nbformat.write(nb, tmp_path / "99-x.ipynb")
    assert lab_runs.answers_used_later(tmp_path / "99-x.ipynb") == ["cell 2 reads later, the answer of cell 0"]
