"""The onset search's questions of a store's events, as SQL: the minute levels, cells, scopes.

Owns :class:`CubeQuestions`, the part of :class:`~incident_nb.sources.logs.LogStore` that
answers :class:`~incident_nb.analysis.cube_source.CubeSource` (the SQL is built by
:mod:`.cubesql` from the templates of :mod:`incident_nb.sources.logsql`): which columns group
requests, how a column with very many values is lumped, how many minutes a row of cells spans,
and which events count as failures. :meth:`CubeQuestions.failure_kinds` gives the same
questions asked of the failures of one status only, so that a status whose failures rose under a
steady background of others is seen. Every query goes through the store's ``_df``: a Spark store
answers them too.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from incident_nb.sources import logsql
from incident_nb.sources.logs.cubesql import (
    NO_FLAGS,
    Span,
    aliased,
    bounded_levels_sql,
    levels_of,
    levels_sql,
    status_errors,
)
from incident_nb.sources.logs.lines import literal

CUBE_DIMENSIONS = ("service", "endpoint", "tenant")
"""The columns that group requests for the onset search, broadest first."""
MAX_FAILURE_KINDS = 5
"""Failing statuses looked at one by one, at most (the most frequent)."""
MIN_KIND_FAILURES = 10
"""Failures a status needs to be looked at on its own."""


class CubeQuestions:
    """The onset search's questions (see :class:`~incident_nb.analysis.cube_source.CubeSource`).

    A mixin of the store: it asks its SQL through the store's ``_df`` and reads its ``fields``.
    """

    fields: dict[str, str | None]
    _cube_dims_sql: dict[str, str] | None
    """The grouping columns, once asked (see :meth:`_cube_dims`)."""
    _failure: str = logsql.FAILURE
    """SQL of the events that count as failures: every error, or those of one status."""
    _levels: pd.DataFrame | None = None
    """The minute levels, when asked already (those of one status's failures)."""

    def _df(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        raise NotImplementedError  # the store's

    def failure_kinds(self) -> list[tuple[str, CubeQuestions]]:
        """The failing statuses, each with these questions asked of its failures only.

        Empty when fewer than two statuses have :data:`MIN_KIND_FAILURES` failures or more (one
        status's failures are then the failures); otherwise the :data:`MAX_FAILURE_KINDS` most
        frequent, most frequent first.
        """
        params = {"least": MIN_KIND_FAILURES, "limit": MAX_FAILURE_KINDS}
        statuses = [int(s) for s in self._df(logsql.FAILING_STATUSES, params)["status"]]
        if len(statuses) < 2:
            return []
        # Every status's minute levels in one scan: the same sums, and its failures.
        levels = self._levels_of(statuses)
        counted = [status_errors(s) for s in statuses]
        plain = levels.drop(columns=counted)
        return [
            (str(status), self._of_status(status, plain.assign(errors=levels[column])))
            for status, column in zip(statuses, counted, strict=True)
        ]

    def _of_status(self, status: int, levels: pd.DataFrame) -> CubeQuestions:
        """These questions, failures being those of ``status`` only (the same events)."""
        view = copy.copy(self)
        view._failure = logsql.FAILURE_OF_STATUS.format(status=int(status))
        view._levels = levels
        return view

    def minute_levels(self) -> pd.DataFrame:
        """Per minute and group of each level of grouping: requests, failures, log-latency sums.

        The levels are those of :data:`~incident_nb.analysis.cube.LEVELS` whose columns the log
        has (each dimension; endpoint x tenant where it has both), in one scan (grouping sets):
        ``minute, level``, the grouping columns (null where the row's level does not group by
        them), ``span`` and the sums. Cells are many and each holds few requests a minute: when
        their minutes would be more than :data:`~incident_nb.sources.logsql.CUBE_CELL_ROWS`
        rows, they are grouped by spans of several minutes (``span``; ``minute`` is the first).
        When all that is more than :data:`~incident_nb.sources.logsql.CUBE_MAX_ROWS` rows
        (endpoints with ids in them), a column with very many values keeps its most frequent
        ones, the rest grouped as ``(other)`` (here and in :meth:`cell_windows` and
        :meth:`scope_minutes` after it), and endpoint x tenant keeps its busiest cells. See
        :class:`~incident_nb.analysis.cube_source.CubeSource`.
        """
        if self._levels is not None:
            return self._levels
        return self._levels_of(())

    def _levels_of(self, statuses: Sequence[int]) -> pd.DataFrame:
        """:meth:`minute_levels`, with the failures of each of ``statuses`` counted too."""
        limit = logsql.CUBE_MAX_ROWS
        span = self._span()
        dims = self._cube_dims()
        sql = levels_sql(dims, levels_of(dims), span, self._failure, statuses)
        levels = self._df(f"{sql} LIMIT {limit + 1}")
        if len(levels) <= limit:
            return levels
        self._cube_dims_sql = self._lumped_dims()
        return self._df(bounded_levels_sql(self._cube_dims(), span, self._failure, statuses))

    def cell_windows(
        self,
        start: datetime,
        stop: datetime,
        aside: Collection[datetime] = (),
        cuts: Sequence[datetime] = (),
    ) -> pd.DataFrame:
        """Per cell (endpoint x tenant x service) and part, inside ``[start, stop)`` and outside.

        The minutes ``aside`` (within the window) count as neither: their rows have a null
        ``inside``. ``cuts`` split the window into parts: ``part`` counts the cuts at or
        before a row inside (0 outside).
        """
        dims = self._cube_dims()
        minutes = ", ".join(str(int(m.timestamp()) // 60) for m in sorted(aside))
        part = " + ".join(logsql.CELL_PART.format(cut=f"cut{i}") for i in range(len(cuts)))
        sql = logsql.CELL_WINDOWS.format(
            dims=aliased(dims),
            failure=self._failure,
            **NO_FLAGS,
            names=", ".join(dims),
            inside=logsql.CELL_INSIDE_BUT.format(minutes=minutes) if aside else logsql.CELL_INSIDE,
            part=part or "0",
            groups=", ".join(str(i) for i in range(1, len(dims) + 3)),
        )
        cut_times = {f"cut{i}": cut for i, cut in enumerate(cuts)}
        return self._df(sql, {"start": start, "stop": stop, **cut_times})

    def scope_minutes(
        self, scope: Mapping[str, Collection[str] | None], by: str | None = None
    ) -> pd.DataFrame:
        """Per minute, the requests of ``scope`` (dimension -> values; ``None``: all).

        ``by``: per minute and value of that dimension too (a column of it), when the log has it.
        """
        dims = self._cube_dims()
        split = by is not None and by in dims
        where = [
            f"{d} IN ({', '.join(literal(v) for v in values)})" if values else "FALSE"
            for d, values in scope.items()
            if values is not None and d in dims
        ]
        sql = logsql.SCOPE_MINUTES.format(
            dims=aliased(dims),
            failure=self._failure,
            **NO_FLAGS,
            where=" AND ".join(where) or "TRUE",
            by=f", {by}" if split else "",
            by_key=", 2" if split else "",
        )
        return self._df(sql)

    def _span(self) -> Span:
        """The window's first minute and length, and how many minutes a row of cells spans."""
        # Through _df, as every query of the onset search: a Spark store answers it too.
        extent = self._df(logsql.EXTENT)
        row = None if extent.empty else tuple(extent.iloc[0])
        if row is None or pd.isna(row[0]):
            return Span(0, 1, 1)
        first, last, events = (
            int(row[0].timestamp()) // 60,
            int(row[1].timestamp()) // 60,
            int(row[2]),
        )
        minutes = last - first + 1
        cells = [lv for lv in levels_of(self._cube_dims()) if len(lv.dims) > 1]
        count = None
        if cells and events > logsql.CUBE_CELL_ROWS:
            found = self._df(logsql.CUBE_CELLS.format(cell=", ".join(cells[0].dims)))
            count = None if found.empty else tuple(found.iloc[0])
        return Span.of(first, minutes, min(events, int(count[0]) * minutes) if count else 0)

    def _cube_dims(self) -> dict[str, str]:
        """Grouping column -> its SQL (the column, or its most frequent values)."""
        cached = self._cube_dims_sql
        if cached is None:
            # A column no field of the log fed (no service field: every value null) would only
            # add a grouping of nothing.
            columns = set(self._df("SELECT * FROM events LIMIT 0").columns)
            fed = {d for d in CUBE_DIMENSIONS if self.fields.get(d, d) is not None}
            cached = {
                d: d for d in CUBE_DIMENSIONS if d in columns and (d in fed or d == "endpoint")
            }
            self._cube_dims_sql = cached
        return cached

    def _lumped_dims(self) -> dict[str, str]:
        """Each grouping column with more than CUBE_MAX_VALUES values keeps its most frequent."""
        dims = dict(self._cube_dims())
        counts = ", ".join(f"approx_count_distinct({d}) AS {d}" for d in dims)
        distinct = self._df(logsql.CUBE_CARDINALITY.format(counts=counts)).iloc[0]
        for dim in dims:
            if int(distinct[dim]) <= logsql.CUBE_MAX_VALUES:
                continue
            sql = logsql.CUBE_TOP_VALUES.format(dim=dim, limit=logsql.CUBE_MAX_VALUES)
            kept = ", ".join(literal(v) for v in self._df(sql)["value"])
            dims[dim] = (
                f"CASE WHEN {dim} IS NULL OR {dim} IN ({kept}) THEN {dim} ELSE '(other)' END"
            )
        return dims
