"""The onset search's per-minute levels query, built for the grouping columns a log has.

Owns how :meth:`~incident_nb.sources.logs.LogStore.minute_levels` asks for every level of
grouping of :data:`~incident_nb.analysis.cube.LEVELS` in one scan (the SQL templates are in
:mod:`incident_nb.sources.logsql`): which levels a log's columns allow, how each row's level is
named, and how the cells of a level of several columns (a tenant on an endpoint), which are
many and each hold few requests a minute, are grouped by spans of several minutes, or kept to
the busiest, when they would be too many rows.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from incident_nb.analysis.cube import LEVELS, Level
from incident_nb.sources import logsql

MINUTE_US = 60_000_000


@dataclass(frozen=True)
class Span:
    """The window's minutes, and how many of them a row of a level of cells spans."""

    first: int
    """The first minute, in minutes since the epoch: the spans start with it."""
    minutes: int
    width: int = 1

    @classmethod
    def of(cls, first: int, minutes: int, cell_minutes: int) -> Span:
        """The span that brings about ``cell_minutes`` rows of cells under CUBE_CELL_ROWS.

        At most a :data:`~incident_nb.sources.logsql.CUBE_CELL_BINS`-th of the window, so that
        the cells keep enough bins to show a change.
        """
        widest = max(1, minutes // logsql.CUBE_CELL_BINS)
        width = math.ceil(cell_minutes / logsql.CUBE_CELL_ROWS)
        return cls(first, minutes, max(1, min(width, widest)))

    def start(self) -> str:
        """SQL: the first minute of an event's span (a TIMESTAMPTZ)."""
        origin, width = self.first * MINUTE_US, self.width * MINUTE_US
        return logsql.SPAN_MINUTE.format(origin=origin, width=width)


def levels_of(dims: Collection[str]) -> list[Level]:
    """The levels of grouping whose every column the log has (the whole service aside)."""
    return [lv for lv in LEVELS if lv.dims and all(d in dims for d in lv.dims)]


def aliased(dims: dict[str, str]) -> str:
    """SQL: each grouping column's expression, named after it."""
    return ", ".join(f"{sql} AS {name}" for name, sql in dims.items())


def status_errors(status: int) -> str:
    """The column of the minute levels counting the failures of ``status``."""
    return logsql.STATUS_ERRORS.format(status=int(status))


def _flags(statuses: Sequence[int]) -> dict[str, str]:
    """SQL: the columns flagging each status's failures, and their counts."""
    return {
        "flags": "".join(logsql.STATUS_FLAG.format(status=int(s)) for s in statuses),
        "flag_sums": "".join(logsql.STATUS_SUM.format(status=int(s)) for s in statuses),
    }


NO_FLAGS = _flags(())
"""The format arguments of a query over :data:`~incident_nb.sources.logsql.CUBE_EVENTS`
without the failures of each status."""


def levels_sql(
    dims: dict[str, str],
    levels: Sequence[Level],
    span: Span,
    failure: str = logsql.FAILURE,
    statuses: Sequence[int] = (),
) -> str:
    """SQL: per minute (a level of cells: per span) and group of each of ``levels``.

    Args:
        dims: grouping column -> its SQL (the column, or its most frequent values).
        levels: the levels asked for.
        span: the window, and the minutes a row of cells spans.
        failure: SQL of which events count as failures.
        statuses: also count the failures of each of these statuses (:func:`status_errors`).
    """
    finest = sorted(levels, key=lambda lv: -len(lv.dims))  # a row's level: its finest
    grouped = (" AND ".join(f"GROUPING({d}) = 0" for d in lv.dims) for lv in finest)
    case = " ".join(f"WHEN {g} THEN '{lv.name}'" for g, lv in zip(grouped, finest, strict=True))
    spanned = span.width > 1 and any(len(lv.dims) > 1 for lv in levels)

    def time(level: Level) -> str:
        return "span_minute" if spanned and len(level.dims) > 1 else "minute"

    first = "CASE WHEN GROUPING(minute) = 0 THEN minute ELSE span_minute END"
    width = f"CASE WHEN GROUPING(minute) = 0 THEN 1 ELSE {span.width} END"
    return logsql.MINUTE_LEVELS.format(
        dims=aliased(dims),
        failure=failure,
        **_flags(statuses),
        minute=first if spanned else "minute",
        level=f"CASE {case} END",
        names=", ".join(dims),
        span=width if spanned else "1",
        span_minute=span.start() if spanned else "NULL",
        sets=", ".join(f"({time(lv)}, {', '.join(lv.dims)})" for lv in levels),
    )


def bounded_levels_sql(
    dims: dict[str, str], span: Span, failure: str = logsql.FAILURE, statuses: Sequence[int] = ()
) -> str:
    """SQL: :func:`levels_sql`, with each level of several columns kept to its busiest cells.

    As many cells as fill :data:`~incident_nb.sources.logsql.CUBE_CELL_SHARE` of
    :data:`~incident_nb.sources.logsql.CUBE_MAX_ROWS` over the window's spans.
    """
    levels = levels_of(dims)
    single = [lv for lv in levels if len(lv.dims) == 1]
    parts = [levels_sql(dims, single, span, failure, statuses)]
    rows = int(logsql.CUBE_MAX_ROWS * logsql.CUBE_CELL_SHARE)
    cells = max(1, rows * span.width // max(span.minutes, 1))
    events = logsql.CUBE_EVENTS.format(dims=aliased(dims), failure=failure, **NO_FLAGS)
    for level in (lv for lv in levels if len(lv.dims) > 1):
        cell = ", ".join(level.dims)
        present = " AND ".join(f"{d} IS NOT NULL" for d in level.dims)
        top = logsql.CUBE_TOP_CELLS.format(cell=cell, events=events, present=present, limit=cells)
        names = ", ".join(d if d in level.dims else f"NULL::VARCHAR AS {d}" for d in dims)
        parts.append(
            logsql.MINUTE_TOP_CELLS.format(
                dims=aliased(dims),
                failure=failure,
                **_flags(statuses),
                time=span.start(),
                level=level.name,
                names=names,
                span=span.width,
                top=top,
                cell=cell,
            )
        )
    return " UNION ALL ".join(parts)
