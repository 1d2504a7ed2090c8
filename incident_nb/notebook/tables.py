"""Tables for people: the evidence's frames with readable headers, formatted values, no index.

A :class:`Table` is a frame and a list of :class:`Col` (which columns, their headers and their
kind). In Jupyter it shows as an HTML table whose styles are inline (so they survive
JupyterLab's sanitizer and the post-mortem export): long text is wrapped in full, never cut,
a column's full value can also be shown on hover, and rows that matter (affected tenants, new
error signatures) are highlighted. Anywhere else it is the same table as plain text. How each
kind of value is written (percentages, milliseconds, times, flags) is the table
:data:`KINDS`, whose formatters are those of :mod:`incident_nb.core.humanize`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from incident_nb.core import humanize
from incident_nb.core.redact import Redactor, redact_text


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NaT


def _time(value: Any) -> str:
    return humanize.stamp(pd.Timestamp(value).to_pydatetime())


def _moment(value: Any) -> str:
    return humanize.moment(pd.Timestamp(value).to_pydatetime())


def _listed(value: Any) -> str:
    if isinstance(value, str):
        return value
    return ", ".join(str(v) for v in value)


def _lines(value: Any) -> str:
    if isinstance(value, str):
        return value
    return "\n".join(f"• {v}" for v in value)


KINDS: dict[str, tuple[Callable[[Any], str], str]] = {
    # kind: (formatter, alignment)
    "text": (str, "left"),
    "code": (str, "left"),
    "int": (lambda v: f"{int(v):,}", "right"),
    "number": (lambda v: f"{float(v):,.2f}", "right"),
    "percent": (lambda v: humanize.percent(float(v)), "right"),
    "ms": (lambda v: humanize.milliseconds(float(v)), "right"),
    "time": (_time, "left"),  # to the second, with the date
    "moment": (_moment, "left"),
    "flag": (lambda v: "yes" if bool(v) else "", "left"),
    "new": (lambda v: "NEW" if bool(v) else "", "left"),
    "list": (_listed, "left"),
    "lines": (_lines, "left"),
}
"""How each kind of value is written, and which side of its cell it keeps to."""
NOWRAP_KINDS = frozenset({"int", "number", "percent", "ms", "time", "moment", "code"})
"""Kinds whose values are short and read badly when broken across lines."""

CELL_STYLE = (
    "padding:0.3rem 0.6rem;border-bottom:1px solid #e0e0e0;vertical-align:top;"
    "white-space:normal;overflow-wrap:break-word;word-break:normal;min-width:4rem"
)
HEAD_STYLE = (
    "padding:0.3rem 0.6rem;border-bottom:2px solid #9e9e9e;vertical-align:bottom;"
    "white-space:normal;font-weight:600;background-color:#f5f5f5"
)
HIGHLIGHT_STYLE = "background-color:#fdecea"
TABLE_STYLE = "border-collapse:collapse;table-layout:auto;margin:0.3rem 0 0.8rem;max-width:100%"


@dataclass(frozen=True)
class Col:
    """One column of a :class:`Table`: the frame's column, its header and kind."""

    key: str
    header: str = ""
    kind: str = "text"
    hover: str = ""
    """Another column whose full value shows when the pointer rests on this cell."""

    @property
    def title(self) -> str:
        """The header people read."""
        return self.header or humanize.humanize_column(self.key)


def auto_columns(frame: pd.DataFrame) -> list[Col]:
    """Columns for any frame: readable headers, kinds guessed from dtypes and names."""
    cols = []
    for name in frame.columns:
        key, series = str(name), frame[name]
        if pd.api.types.is_bool_dtype(series):
            kind = "flag"
        elif pd.api.types.is_datetime64_any_dtype(series):
            kind = "moment"
        elif key.endswith("_ms"):
            kind = "ms"
        elif key.endswith(("rate", "share")) and pd.api.types.is_float_dtype(series):
            kind = "percent"
        elif pd.api.types.is_integer_dtype(series):
            kind = "int"
        elif pd.api.types.is_float_dtype(series):
            kind = "number"
        elif len(series) and isinstance(series.iloc[0], list | tuple):
            kind = "list"
        else:
            kind = "text"
        cols.append(Col(key, kind=kind))
    return cols


class Table:
    """A frame shown for people: HTML in Jupyter, plain text elsewhere."""

    def __init__(
        self,
        frame: pd.DataFrame,
        columns: Sequence[Col] | None = None,
        *,
        highlight: str = "",
        empty: str = "No rows.",
    ) -> None:
        """Show ``columns`` of ``frame`` (all of them, see :func:`auto_columns`, by default).

        Args:
            frame: the rows.
            columns: which columns, how headed and formatted.
            highlight: a boolean column of ``frame``; its true rows are highlighted.
            empty: the line shown instead of a table without rows.
        """
        self.frame = frame.reset_index(drop=True)
        self.columns = list(columns) if columns is not None else auto_columns(self.frame)
        self.highlight = highlight
        self.empty = empty

    def cells(self) -> list[list[str]]:
        """Every row's values as text, in column order, secrets redacted.

        A table shows whole values (wrapped, not cut), so redacting each value as written is
        enough: no secret reaches the page, and none is escaped into HTML first, which would
        keep the export's rules from recognising it.
        """
        redactor = Redactor()
        rows = []
        for record in self.frame.to_dict("records"):
            row = []
            for col in self.columns:
                value = record.get(col.key)
                row.append("" if _missing(value) else redactor.text(KINDS[col.kind][0](value)))
            rows.append(row)
        return rows

    def _marked(self) -> list[bool]:
        if not self.highlight or self.highlight not in self.frame:
            return [False] * len(self.frame)
        return [bool(v) for v in self.frame[self.highlight].fillna(False)]

    def to_text(self) -> str:
        """The table as plain text (no index column)."""
        if self.frame.empty:
            return self.empty
        rows = [[v.replace("\n", "; ") for v in row] for row in self.cells()]
        plain = pd.DataFrame(rows, columns=[c.title for c in self.columns])
        return plain.to_string(index=False)

    def to_html(self) -> str:
        """The table as HTML with inline styles; every value escaped."""
        if self.frame.empty:
            return f"<p><em>{html.escape(self.empty)}</em></p>"
        head = "".join(
            f'<th style="{HEAD_STYLE};text-align:{KINDS[c.kind][1]}">{html.escape(c.title)}</th>'
            for c in self.columns
        )
        records = self.frame.to_dict("records")
        body = []
        for row, record, marked in zip(self.cells(), records, self._marked(), strict=True):
            tds = []
            for col, value in zip(self.columns, row, strict=True):
                style = f"{CELL_STYLE};text-align:{KINDS[col.kind][1]}"
                if col.kind in NOWRAP_KINDS:
                    style += ";white-space:nowrap"
                if marked:
                    style += f";{HIGHLIGHT_STYLE}"
                text = html.escape(value).replace("\n", "<br>")
                if col.kind == "code":
                    text = f"<code>{text}</code>"
                hover = record.get(col.hover) if col.hover else None
                shown = "" if _missing(hover) else redact_text(str(hover))
                title = f' title="{html.escape(shown)}"' if shown else ""
                tds.append(f'<td style="{style}"{title}>{text}</td>')
            body.append(f"<tr>{''.join(tds)}</tr>")
        return (
            f'<table class="inb-table" style="{TABLE_STYLE}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": self.to_html(), "text/plain": self.to_text()}

    def __repr__(self) -> str:
        return self.to_text()
