"""A small table that reads well both as notebook HTML and as plain text (which nbval compares)."""
from __future__ import annotations

import html
from collections.abc import Iterable


class Table:
    def __init__(self, rows: Iterable[dict], columns: list[str] | None = None, title: str = ""):
        self.rows = [dict(r) for r in rows]
        self.columns = columns or list(dict.fromkeys(k for r in self.rows for k in r))
        self.title = title

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, i):
        return self.rows[i]

    def column(self, name: str) -> list:
        return [r.get(name) for r in self.rows]

    @staticmethod
    def _text(value) -> str:
        return "" if value is None else str(value)

    def __repr__(self) -> str:
        cells = [[self._text(r.get(c)) for c in self.columns] for r in self.rows]
        widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(self.columns)]
        line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths, strict=True)).rstrip()  # noqa: E731
        out = [self.title] if self.title else []
        out += [line(self.columns), line(["-" * w for w in widths])]
        out += [line(row) for row in cells] or ["(none)"]
        return "\n".join(out)

    def _repr_html_(self) -> str:
        esc = lambda v: html.escape(self._text(v))  # noqa: E731
        head = "".join(f"<th style='text-align:left'>{esc(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td style='text-align:left'>{esc(r.get(c))}</td>" for c in self.columns) + "</tr>"
            for r in self.rows
        ) or f"<tr><td colspan='{len(self.columns)}'>(none)</td></tr>"
        caption = f"<caption style='text-align:left'><b>{esc(self.title)}</b></caption>" if self.title else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def fmt_duration(seconds: float) -> str:
    """A duration as a person reads it: 1.25 s, 3.40 ms, 120 µs."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"
