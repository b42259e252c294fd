"""Every file or folder of the repository that a comment or a docstring names is there: a path that
moved or went away leaves the text that names it wrong. Fast: it reads files, it starts nothing.

It reads the comments and docstrings of the repository's own Python files (with ``tokenize``, so a
path in code is not taken for one in a comment) and the ``#`` comments of .ci/run, binder/postBuild,
environment.yml and the Makefile. A repository path starts with one of the top-level names below.
Patterns are skipped (``solutions/NN-*.ipynb``, ``labs/NAME.ipynb``, ``<base_url>``, ``{id}``);
``path.py:123`` is checked as ``path.py``.
"""
from __future__ import annotations

import io
import re
import tokenize

from conftest import ROOT

PYTHON_FOLDERS = ["labkit", "restaurant", "clinic", "tests", "benchmarks"]
PYTHON_FILES = ["conftest.py", "manage.py"]
OTHER_FILES = [".ci/run", "binder/postBuild", "environment.yml", "Makefile"]

TOP_FOLDERS = ["labkit", "restaurant", "clinic", "tests", "benchmarks", "binder", "notebooks", "labs", "solutions",
               ".ci"]
TOP_FILES = ["README.md", "HOW-IT-WORKS.md", "INSTRUCTORS.md", "Makefile", "requirements.txt", "pyproject.toml",
             "environment.yml"]
# a top-level name, at the start of a word or after an opening quote or bracket, `=` or `,`
FOLDERS = "|".join(re.escape(name) for name in TOP_FOLDERS)
FILES = "|".join(re.escape(name) for name in TOP_FILES)
NAMED = re.compile(rf"(?:^|(?<=[\s(\[`'\"=,]))(?:(?:{FOLDERS})/|(?:{FILES})(?![\w.-]))[^\s`'\"(),;\]]*")
PATTERN_SIGNS = ("*", "<", "{", "NN", "NAME")
TRAILING = ")],.:;'\"`"
# a comment in a shell script, a Makefile or YAML: at the start of a line or after a space (or a
# recipe's `@#`), not the `#` of `$#` or `${#x}`
COMMENT = re.compile(r"(?:^|(?<=[\s@]))#(.*)$")


def docstrings_and_comments(path) -> list[tuple[int, str]]:
    """(line, text) of each comment and each docstring (a string that is a statement of its own)."""
    found = []
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
              if t.type not in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT)]
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.COMMENT:
            found.append((tok.start[0], tok.string))
        elif tok.type == tokenize.STRING:
            before = tokens[i - 1].type if i else tokenize.NEWLINE
            after = tokens[i + 1].type if i + 1 < len(tokens) else tokenize.ENDMARKER
            if before in (tokenize.NEWLINE, tokenize.ENCODING) and after in (tokenize.NEWLINE, tokenize.ENDMARKER):
                found.append((tok.start[0], tok.string))
    return found


def comments(path) -> list[tuple[int, str]]:
    return [(n, m.group(1)) for n, line in enumerate(path.read_text().splitlines(), 1)
            if (m := COMMENT.search(line))]


def sources():
    for folder in PYTHON_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path, docstrings_and_comments(path)
    for name in PYTHON_FILES:
        yield ROOT / name, docstrings_and_comments(ROOT / name)
    for name in OTHER_FILES:
        yield ROOT / name, comments(ROOT / name)


def named_paths(text: str) -> list[str]:
    """The repository paths ``text`` names, patterns left out, without a line number or punctuation."""
    out = []
    for match in NAMED.finditer(text):
        token = match.group(0).rstrip(TRAILING)
        token = re.sub(r":\d+(-\d+)?$", "", token).rstrip(TRAILING)
        if token and not any(sign in token for sign in PATTERN_SIGNS):
            out.append(token)
    return out


def test_named_paths_finds_paths_the_way_they_are_written():
    text = ("(restaurant/orders/tasks.py), `labkit/kitchen/your_code.py`: see solutions/NN-*.ipynb, "
            "<base_url>orderup/run/<run>/ or tests/test_layout.py:71 and README.md's table; "
            "notebooks/05-crashes-and-acks-late.ipynb. runs/{id}/labkit/x.py is no path of ours")
    assert named_paths(text) == ["restaurant/orders/tasks.py", "labkit/kitchen/your_code.py",
                                 "tests/test_layout.py", "README.md",
                                 "notebooks/05-crashes-and-acks-late.ipynb"]


def missing_paths(places) -> tuple[int, list[str]]:
    """Of the paths named in ``places`` ((where, text) pairs), how many, and those not in the repository."""
    checked, missing = 0, []
    for where, text in places:
        for name in named_paths(text):
            checked += 1
            if not (ROOT / name).exists():
                missing.append(f"{where}: {name}")
    return checked, missing


def test_every_path_a_comment_or_docstring_names_exists():
    checked, missing = missing_paths((f"{path.relative_to(ROOT)}:{line + offset}", piece)
                                     for path, texts in sources() for line, text in texts
                                     for offset, piece in enumerate(text.splitlines()))
    # about 120 places name about 60 paths: far fewer means the scan no longer reads what it should
    assert checked >= 60, f"only {checked} named paths found: is the scan still reading the files?"
    assert missing == [], "named but not in the repository:\n" + "\n".join(missing)


DOCS = ["README.md", "HOW-IT-WORKS.md", "INSTRUCTORS.md", "deploy/README.md", "benchmarks/README.md"]


def test_every_path_the_documents_name_exists():
    """The same for the Markdown the learners and instructors read; a path there is relative to the
    repository (deploy/README.md's `supervisor/...` are not, and start with no top-level name)."""
    checked, missing = missing_paths((f"{doc}:{number}", line) for doc in DOCS
                                     for number, line in enumerate((ROOT / doc).read_text().splitlines(), 1))
    assert checked >= 60, f"only {checked} named paths found: is the scan still reading the documents?"
    assert missing == [], "named but not in the repository:\n" + "\n".join(missing)
