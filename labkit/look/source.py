"""The restaurant's real source on screen: read from its file when the cell runs (never a copy that
could drift from it), highlighted, with the file's path and line numbers.

    labkit.show("restaurant/orders/views.py", "place_order")   # a function (or a class, a method)
    labkit.show(cook_order)                                     # the same, from the object
    labkit.show("restaurant/settings.py", "CELERY_")            # every setting named CELERY_...
    labkit.show("restaurant/orders/templates/orders/table.html", "<script>")   # an element
    labkit.show("restaurant/celery.py")                         # a whole file
    labkit.show(RedisChannelLayer.group_send).between("lua", "logger")  # some lines of one
"""
from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import IniLexer, get_lexer_for_filename
from pygments.util import ClassNotFound

from labkit.runtime.errors import LabkitError
from labkit.runtime.paths import course_root


@dataclass
class Source:
    """Lines ``first``..``last`` (counted from 1) of ``path``, as the file holds them now."""
    path: Path
    first: int
    last: int
    text: str

    @property
    def where(self) -> str:
        try:
            shown = self.path.relative_to(course_root())
        except ValueError:
            shown = self.path
        return f"{shown}, lines {self.first}-{self.last}"

    def between(self, start: str, end: str) -> Source:
        """Only the lines from the first that contains ``start`` to the next that contains ``end``
        (a few lines of a long function: ``show(group_send).between("group_send_lua", "logger")``)."""
        lines = self.text.splitlines()
        try:
            i = next(n for n, line in enumerate(lines) if start in line)
            j = next(n for n, line in enumerate(lines) if n >= i and end in line)
        except StopIteration:
            raise LabkitError(f"{self.where} has no lines from {start!r} to {end!r}") from None
        return Source(self.path, self.first + i, self.first + j, "\n".join(lines[i:j + 1]) + "\n")

    def __repr__(self) -> str:
        width = len(str(self.last))
        numbered = [f"{n:>{width}}  {line}" for n, line in
                    enumerate(self.text.splitlines(), start=self.first)]
        return "\n".join([f"# {self.where}", *numbered])

    def _repr_html_(self) -> str:
        formatter = HtmlFormatter(linenos="inline", linenostart=self.first, noclasses=True,
                                  style="default", nobackground=True)
        try:
            lexer = get_lexer_for_filename(self.path.name)
        except ClassNotFound:  # supervisor's and systemd's files are INI files
            lexer = IniLexer()
        code = highlight(self.text, lexer, formatter)
        return f"<div><code style='font-size:smaller'>{self.where}</code>{code}</div>"


def show(what, part: str | None = None) -> Source:
    """The source of ``what``: a function, class or module of the project, or a file's path
    (relative to the course folder). ``part`` picks a piece of a file: in Python, a function,
    class or method (``"OrderConsumer.order_update"``) or a module-level name; a name ending in
    ``_`` picks every name it begins (``"CELERY_"``); in a template, an element (``"<script>"``)."""
    if isinstance(what, (str, Path)):
        path = Path(what)
        path = path if path.is_absolute() else course_root() / path
    else:
        obj = inspect.unwrap(what)
        if not inspect.ismodule(obj):
            part = part or obj.__qualname__
        try:
            path = Path(inspect.getsourcefile(obj))
        except TypeError:
            raise LabkitError(f"{what!r} has no source file to show") from None
    if not path.is_file():
        raise LabkitError(f"No file {path}: is the course folder {course_root()}?")
    lines = path.read_text().splitlines()
    if part is None:
        first, last = 1, len(lines)
    elif path.suffix == ".py":
        first, last = _python_part(path, part)
    else:
        first, last = _element(path, lines, part)
    return Source(path.resolve(), first, last, "\n".join(lines[first - 1:last]) + "\n")


def _python_part(path: Path, part: str) -> tuple[int, int]:
    """Where ``part`` is defined (with its decorators), or assigned, in the module at ``path``."""
    tree = ast.parse(path.read_text())
    *outer, name = part.split(".")
    body = tree.body
    for scope in outer:  # a method: look inside its class
        body = next((n.body for n in body if isinstance(n, ast.ClassDef) and n.name == scope), [])
    spans = []
    for node in _statements(body):
        names = _names(node)
        if name in names or (name.endswith("_") and any(n.startswith(name) for n in names)):
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            spans.append((first, node.end_lineno))
    if not spans:
        raise LabkitError(f"{path.name} defines nothing named {part!r}")
    return min(s[0] for s in spans), max(s[1] for s in spans)


def _statements(body):
    """A module's statements, looking into if/else and try blocks (settings often branch)."""
    for node in body:
        if isinstance(node, (ast.If, ast.Try)):
            yield from _statements(node.body + node.orelse + getattr(node, "finalbody", []))
        else:
            yield node


def _names(node) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    targets = node.targets if isinstance(node, ast.Assign) else \
        [node.target] if isinstance(node, ast.AnnAssign) else []
    return [t.id for t in targets if isinstance(t, ast.Name)]


def _element(path: Path, lines: list[str], part: str) -> tuple[int, int]:
    """The lines of the first ``<tag ...> ... </tag>`` element of a template."""
    tag = part.strip("<>/ ")
    opening = re.compile(rf"<{re.escape(tag)}[\s>]")
    first = next((n for n, line in enumerate(lines, 1) if opening.search(line)), None)
    if first is None:
        raise LabkitError(f"{path.name} has no <{tag}> element")
    last = next((n for n, line in enumerate(lines, 1) if n >= first and f"</{tag}>" in line), len(lines))
    return first, last
