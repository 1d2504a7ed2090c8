"""Tables in the investigation notebook: secrets are redacted before a cell is shortened.

pandas shortens every text cell to ``display.max_colwidth`` (50) characters when it shows a
DataFrame. A secret cut that way survives the export's redaction, since what is left of it no
longer matches its rule (``github_pat_11ABCDEFG01...``). :func:`redact_tables` makes IPython
show every DataFrame and Series through :func:`redacted_frame` instead: the whole value is
redacted first, then shortened (:func:`~incident_nb.core.redact.clip`), for the HTML and the
plain-text view alike. The notebook's own copy of a secret therefore never reaches an output.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from incident_nb.core.redact import Redactor, clip, redact_text


def _clean(value: Any, limit: int | None, redactor: Redactor) -> Any:
    if not isinstance(value, str):
        return value
    return clip(value, limit, redactor) if limit else redactor.text(value)


def _labels(index: pd.Index, redactor: Redactor) -> pd.Index:
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
        return index.map(lambda v: redactor.text(v) if isinstance(v, str) else v)
    return index


def redacted_frame(frame: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are redacted, then cut to ``limit`` characters.

    Column and row labels are redacted too; numbers, times and other values are left as they
    are. ``limit`` None redacts without cutting.
    """
    redactor = Redactor()
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[column] = series.map(lambda v: _clean(v, limit, redactor)).astype(series.dtype)
    out.columns = _labels(out.columns, redactor)
    out.index = _labels(out.index, redactor)
    return out


def _width() -> int | None:
    width = pd.get_option("display.max_colwidth")
    return int(width) if width else None


def _html(frame: pd.DataFrame) -> str | None:
    safe = redacted_frame(frame, _width())
    with pd.option_context("display.max_colwidth", None):
        html: str | None = safe._repr_html_()  # type: ignore[operator]
        return html


def _text(frame: pd.DataFrame, printer: Any, cycle: bool) -> None:
    safe = redacted_frame(frame, _width())
    with pd.option_context("display.max_colwidth", None):
        printer.text(repr(safe))


def _series_text(series: pd.Series[Any], printer: Any, cycle: bool) -> None:
    printer.text(repr(series.map(lambda v: redact_text(v) if isinstance(v, str) else v)))


def redact_tables(shell: Any = None) -> bool:
    """Show every DataFrame (and Series) of this IPython session redacted, then shortened.

    Returns whether a session was there to change (outside IPython nothing happens).
    """
    if shell is None:
        from IPython import get_ipython  # noqa: PLC0415

        shell = get_ipython()
    if shell is None:
        return False
    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(pd.DataFrame, _html)
    formatters["text/plain"].for_type(pd.DataFrame, _text)
    formatters["text/plain"].for_type(pd.Series, _series_text)
    return True
