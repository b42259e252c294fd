"""The course's parts and order (labkit/authoring/course_map.py): every lesson in one part, in number
order; the README and the instructor guide show the same parts; no lesson or lab uses a name before
the lesson that teaches it (tests/taught_names.py) without saying where it is taught; a lesson that
uses one after needs that lesson; every workshop path brings what its lessons need."""
from __future__ import annotations

import re

import nbformat
import pytest

from labkit.authoring.course_map import HALF_DAY, NEEDS, ONE_DAY, PARTS, THREE_DAYS, needed_by

from conftest import ROOT
from taught_names import TAUGHT

LESSONS = sorted(p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")) + sorted(
    (ROOT / "solutions").glob("[0-9][0-9]-*.ipynb"))


def test_every_lesson_is_in_one_part_in_number_order():
    assert [lesson for _, lessons in PARTS for lesson in lessons] == LESSONS
    assert sorted(NEEDS) == LESSONS


def test_a_lesson_needs_only_earlier_lessons():
    later = {lesson: [need for need in needs if need >= lesson] for lesson, needs in NEEDS.items()}
    assert {lesson: needs for lesson, needs in later.items() if needs} == {}


def test_the_readme_shows_the_parts_in_order():
    readme = (ROOT / "README.md").read_text()
    parts = re.findall(r"^### Part (\d) · (.+) \((\d\d) (?:to|and) (\d\d)\)$", readme, re.MULTILINE)
    assert [(title, [first, last]) for _, title, first, last in parts] == [
        (title, [lessons[0], lessons[-1]]) for title, lessons in PARTS]
    parts = [(number, title) for number, title, _, _ in parts]
    for (number, title), (_, lessons) in zip(parts, PARTS, strict=True):
        section = readme.split(f"### Part {number} · {title}")[1].split("\n### ")[0].split("\n## ")[0]
        assert re.findall(r"^\| \[(\d\d) · ", section, re.MULTILINE) == lessons, title
    # and on its first screen, each part a link to its heading (GitHub's anchor for it)
    first_screen = re.findall(r"^(\d)\. \[(.+?)\]\(#([^)]+)\) \((\d\d) (?:to|and) (\d\d)\)$", readme, re.MULTILINE)
    assert [[first, last] for *_, first, last in first_screen] == [[lessons[0], lessons[-1]] for _, lessons in PARTS]
    first_screen = [(number, title, anchor) for number, title, anchor, _, _ in first_screen]
    headings = re.findall(r"^### (Part \d · .+)$", readme, re.MULTILINE)
    assert [title for _, title, _ in first_screen] == [title for title, _ in PARTS]
    assert [anchor for _, _, anchor in first_screen] == [
        re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings]


def test_the_instructor_guide_shows_the_same_parts_and_needs():
    guide = (ROOT / "INSTRUCTORS.md").read_text()
    rows = re.findall(r"^\| (?:(\d) · ([^|]+?))? *\| (\d\d)-[\w-]+ \| ([^|]+) \|$", guide, re.MULTILINE)
    assert [(title, [r[2] for r in rows if r[2] in lessons]) for title, lessons in PARTS] == [
        (title, lessons) for title, lessons in PARTS]
    assert [title for _, title, _, _ in rows if title] == [title for title, _ in PARTS]
    assert {lesson: [] if needs.strip() == "nothing" else needs.strip().split(", ")
            for _, _, lesson, needs in rows} == NEEDS


def cells_naming(pattern: str, notebook) -> list[tuple[int, str]]:
    """(cell index, the text around it) for every cell whose source or output matches ``pattern``;
    the text is the cell's and that of the markdown just above it, where a lesson says where a name
    is taught."""
    found = []
    cells = notebook.cells
    for i, cell in enumerate(cells):
        outputs = [o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in cell.get("outputs", [])]
        text = "\n".join([cell.source, *outputs])
        if re.search(pattern, text):
            above = cells[i - 1].source if i and cells[i - 1].cell_type == "markdown" else ""
            found.append((i, text + "\n" + above))
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_name_is_used_before_the_lesson_that_teaches_it(path):
    lesson = path.name[:2]
    notebook = nbformat.read(path, as_version=4)
    early, unneeded = [], []
    for pattern, teacher in TAUGHT.items():
        if teacher == lesson:
            continue
        for i, text in cells_naming(pattern, notebook):
            name = re.search(pattern, text)[0]
            if teacher > lesson and not re.search(rf"\blessons? {teacher}\b|\b{teacher} · ", text):
                early.append(f"cell {i}: {name} (lesson {teacher}'s), with no word of where it is taught")
            if teacher < lesson and teacher not in needed_by(lesson):
                unneeded.append(f"cell {i}: {name}, from lesson {teacher}, which lesson {lesson} does not need")
    assert early + unneeded == []


def test_the_names_list_is_taught_where_it_says():
    """Each name is in its teaching lesson's own notebook (or lab), so the list stays true."""
    by_lesson = {p.name[:2]: [] for p in NOTEBOOKS}
    for path in NOTEBOOKS:
        by_lesson[path.name[:2]].append(nbformat.read(path, as_version=4))
    missing = [pattern for pattern, teacher in TAUGHT.items()
               if not any(cells_naming(pattern, nb) for nb in by_lesson[teacher])]
    assert missing == []


@pytest.mark.parametrize("path", [("half day", HALF_DAY), ("one day", ONE_DAY),
                                  ("three days", [n for day in THREE_DAYS.values() for n in day])],
                         ids=lambda p: p[0])
def test_a_workshop_path_brings_what_its_lessons_need(path):
    _, lessons = path
    missing = {lesson: sorted(needed_by(lesson) - set(lessons[:i])) for i, lesson in enumerate(lessons)}
    assert {lesson: needs for lesson, needs in missing.items() if needs} == {}
    assert lessons == sorted(lessons)


@pytest.mark.parametrize("folder", ["notebooks", "labs", "solutions"])
def test_each_notebook_is_titled_with_its_number(folder):
    """Its first heading: "NN · ..." for a lesson, "Lab NN · ..." for a lab and its solution."""
    wrong = {}
    for path in sorted((ROOT / folder).glob("[0-9][0-9]-*.ipynb")):
        cells = nbformat.read(path, as_version=4).cells
        title = next(line for cell in cells if cell.cell_type == "markdown"
                     for line in cell.source.splitlines() if line.startswith("# "))
        if not title.startswith(f"# {'' if folder == 'notebooks' else 'Lab '}{path.name[:2]} · "):
            wrong[path.name] = title
    assert wrong == {}
