"""The narrow seam between the onset search and wherever the events live.

Owns :class:`CubeSource`, the three questions the search asks (each one aggregate query for a
store of events, see :class:`~incident_nb.sources.logs.LogStore`), and :class:`FrameSource`,
which answers them from an in-memory minute cube (tests, demos, small data). Every frame holds
the additive columns of :data:`~incident_nb.analysis.cube.SUMS`.

1. ``minute_levels()``: per minute and group of each level of grouping
   (:data:`~incident_nb.analysis.cube.LEVELS`: each dimension, endpoint, tenant and, where the
   log has it, service; and each tenant on each endpoint, where it has both), as
   ``minute, level``, the dimension columns (null where the row's level does not group by
   them) and the sums; a record without the field counts under a missing value. The search
   scans these.
2. ``cell_windows(start, stop, aside, cuts)``: per cell (``endpoint, tenant[, service]``)
   and side of the incident's minutes (``inside``), once an onset is known; minutes ``aside``
   within the window (an on/off incident's quiet ones) count as neither (a null ``inside``),
   and ``cuts`` split it into parts (``part``: 0 outside, then 0, 1... by time inside). The
   affected scope is judged on it.
3. ``scope_minutes(scope, by)``: per minute, the requests of an affected scope (dimension ->
   values), and per endpoint too when ``by="endpoint"``. Onset, end and trend are placed on
   it.

And ``failure_kinds()``: the failing statuses (``"504"``), each with a source asking the same
questions of its failures only (every request still counted): failures of one status may rise
under a steady background of others that hides them in the failures as a whole.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

import pandas as pd

from incident_nb.analysis.cube import DIMENSIONS, LEVELS, SUMS

ScopeValues = Mapping[str, Collection[str] | None]


class CubeSource(Protocol):
    """What the onset search asks of the events (see the module docstring)."""

    def minute_levels(self) -> pd.DataFrame:
        """Per minute and group of each level: ``minute, level``, the dimensions, the sums."""
        ...

    def cell_windows(
        self,
        start: datetime,
        stop: datetime,
        aside: Collection[datetime] = (),
        cuts: Sequence[datetime] = (),
    ) -> pd.DataFrame:
        """Per cell and part, inside ``[start, stop)`` and outside.

        Columns: the dimensions, ``inside``, ``part`` and the sums.
        """
        ...

    def scope_minutes(self, scope: ScopeValues, by: str | None = None) -> pd.DataFrame:
        """Per minute, the requests of ``scope``: ``minute`` and the sums.

        ``by``: per minute and value of that dimension (a column of it), when the log has it.
        """
        ...

    def failure_kinds(self) -> Sequence[tuple[str, CubeSource]]:
        """Each failing status and a source whose failures are that status's (none: one)."""
        ...


class FrameSource:
    """A :class:`CubeSource` over a minute cube held in memory.

    The cube has one row per minute and cell: ``minute``, the dimension columns the log has
    (``endpoint``, ``tenant``, ``service``; missing values as nulls) and the sums.
    """

    def __init__(self, cube: pd.DataFrame, kinds: Mapping[str, pd.DataFrame] | None = None):
        """Keep the cube (its minutes as UTC times).

        ``kinds``: failing status -> the same cube, its ``errors`` those of that status only.

        Raises:
            ValueError: a sum or the minute is missing.
        """
        missing = [c for c in ("minute", *SUMS) if c not in cube]
        if missing:
            raise ValueError(f"minute cube lacks column(s) {', '.join(missing)}")
        self._cube = cube.assign(minute=pd.to_datetime(cube["minute"], utc=True))
        self._dims = [d for d in DIMENSIONS if d in cube]
        self._kinds = dict(kinds or {})

    def failure_kinds(self) -> list[tuple[str, CubeSource]]:
        """Each failing status given, and a source of its failures only (none: only one)."""
        if len(self._kinds) < 2:  # one kind is the failures themselves
            return []
        return [(status, FrameSource(cube)) for status, cube in self._kinds.items()]

    def minute_levels(self) -> pd.DataFrame:
        """Per minute and group of each level of grouping the cube has the columns of."""
        dims = self._dims or ["endpoint"]
        cube = self._cube
        if not all(d in cube for d in dims):
            cube = cube.assign(endpoint=None)
        parts = []
        for level in LEVELS[1:]:
            if not all(d in dims for d in level.dims):
                continue
            keys = ["minute", *level.dims]
            summed = cube.groupby(keys, dropna=False, sort=True)[list(SUMS)].sum()
            parts.append(summed.reset_index().assign(level=level.name))
        out = pd.concat(parts, ignore_index=True)
        return out[["minute", "level", *dims, *SUMS]]

    def cell_windows(
        self,
        start: datetime,
        stop: datetime,
        aside: Collection[datetime] = (),
        cuts: Sequence[datetime] = (),
    ) -> pd.DataFrame:
        """Per cell and part, inside ``[start, stop)`` and outside (minutes ``aside``: neither).

        ``part``: the cuts at or before a minute inside (0 outside).
        """
        minute = self._cube["minute"]
        within = (minute >= start) & (minute < stop)
        inside = within.astype(object)
        inside[minute.isin(pd.to_datetime(list(aside), utc=True))] = None
        part = sum(((minute >= cut) & within).astype(int) for cut in cuts)
        frame = self._cube.assign(inside=inside, part=part if cuts else 0)
        keys = [*self._dims, "inside", "part"]
        summed = frame.groupby(keys, dropna=False, sort=True)[list(SUMS)].sum()
        return summed.reset_index()

    def scope_minutes(self, scope: ScopeValues, by: str | None = None) -> pd.DataFrame:
        """Per minute (and value of ``by``, when the cube has it), the requests of ``scope``."""
        keep = pd.Series(True, index=self._cube.index)
        for dim, values in scope.items():
            if values is not None and dim in self._cube:
                keep &= self._cube[dim].isin(list(values))
        keys = ["minute", by] if by is not None and by in self._dims else ["minute"]
        summed = self._cube[keep].groupby(keys, sort=True, dropna=False)[list(SUMS)].sum()
        return summed.reset_index()
