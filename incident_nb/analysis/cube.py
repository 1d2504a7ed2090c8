"""The minute series of every group the onset search scans, as arrays.

Owns the step from the ``minute_levels`` frame of a
:class:`~incident_nb.analysis.cube_source.CubeSource` (one row per minute and group of a level:
requests, failures and sums of ``ln(1 + latency_ms)``) to what the search scans: the levels of
grouping (:data:`LEVELS`, a table: the whole service, each service, endpoint, tenant, and each
tenant on each endpoint), each level's groups, and their per-bin
:class:`~incident_nb.analysis.scan.Series`. Pure pandas/numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from incident_nb.analysis.scan import FloatArray, IntArray, Series, sum_by

DIMENSIONS: tuple[str, ...] = ("service", "endpoint", "tenant")
"""What groups requests (those the log has), broadest first."""
SUMS: tuple[str, ...] = ("requests", "errors", "timed", "log_latency", "log_latency_sq")
"""Additive columns: counts, and sums of ``ln(1 + latency_ms)`` and of its square."""
COLUMNS: dict[str, tuple[str, str, str]] = {
    "errors": ("requests", "errors", "errors"),
    "latency": ("timed", "log_latency", "log_latency_sq"),
}
"""The columns feeding a signal's n, x and x2 (x2 is unused by the binomial)."""


@dataclass(frozen=True)
class Level:
    """A way of grouping requests: by nothing (the whole service), or by some dimensions."""

    name: str
    dims: tuple[str, ...]


LEVELS: tuple[Level, ...] = (
    Level("overall", ()),
    Level("service", ("service",)),
    Level("endpoint", ("endpoint",)),
    Level("tenant", ("tenant",)),
    Level("endpoint x tenant", ("endpoint", "tenant")),
)
"""The levels of grouping the search scans; a level of several dimensions groups by cells
(one tenant on one endpoint), where the log has every one of its dimensions."""
MAX_BINS = 1440
"""Longer windows are scanned in bins of several minutes (the onset is then placed by minute)."""


@dataclass(frozen=True)
class Groups:
    """The groups of one level: their keys and the rows of the frame each one sums."""

    level: Level
    keys: list[tuple[str, ...]]
    rows: IntArray
    """Rows of the cube's frame that belong to this level's groups."""
    code: IntArray
    """Per row in ``rows``: the index of its group in ``keys``."""


def series_of(frame: pd.DataFrame, signal: str, start: pd.Timestamp, minutes: int) -> Series:
    """One-minute series of a frame with ``minute`` and :data:`SUMS` (summed per minute)."""
    one = np.zeros(len(frame), np.int64)
    return _minute_sums(frame, signal, start, minutes, codes=one, size=1).row(0)


def parts_of(
    frame: pd.DataFrame, dim: str, signal: str, start: pd.Timestamp, minutes: int
) -> Series:
    """Per value of ``dim`` (rows; a missing value as one more), a frame's one-minute series."""
    if frame.empty or dim not in frame:
        one = np.zeros(len(frame), np.int64)
        return _minute_sums(frame, signal, start, minutes, codes=one, size=1)
    codes, values = pd.factorize(frame[dim], use_na_sentinel=False)
    rows = np.asarray(codes, np.int64)
    return _minute_sums(frame, signal, start, minutes, codes=rows, size=len(values))


def _minute_sums(
    frame: pd.DataFrame,
    signal: str,
    start: pd.Timestamp,
    minutes: int,
    *,
    codes: IntArray,
    size: int,
) -> Series:
    """Series of shape ``(size, minutes)``: the frame's rows summed by code and minute."""
    if frame.empty:
        zero = np.zeros((size, minutes))
        return Series(zero, zero.copy(), zero.copy())
    offsets = (pd.to_datetime(frame["minute"], utc=True) - start) // pd.Timedelta(minutes=1)
    index = np.asarray(offsets, dtype=np.int64)
    keep = (index >= 0) & (index < minutes)
    flat = codes[keep] * minutes + index[keep]
    arrays = [
        sum_by(flat, frame[c].fillna(0).to_numpy(dtype=np.float64)[keep], size * minutes)
        for c in COLUMNS[signal]
    ]
    return Series(*(a.reshape(size, minutes) for a in arrays))


NO_VALUE = "(none)"
"""How the per-minute group frames name records without the field."""


def level_groups(levels: pd.DataFrame, dim: str) -> pd.DataFrame:
    """Requests and errors per minute and value of ``dim`` (``minute, {dim}, requests, errors``).

    The frame :meth:`~incident_nb.sources.logs.LogStore.minute_by` answers, read from a
    ``minute_levels`` frame instead of another scan of the events; records without the field
    are the group :data:`NO_VALUE`.
    """
    rows = levels[levels["level"] == dim]
    values = rows[dim].astype(object) if dim in rows else pd.Series(None, index=rows.index)
    out = pd.DataFrame(
        {
            "minute": pd.to_datetime(rows["minute"], utc=True),
            dim: values.where(values.notna(), NO_VALUE),
            "requests": rows["requests"].fillna(0).astype("int64"),
            "errors": rows["errors"].fillna(0).astype("int64"),
        }
    )
    return out.sort_values(["minute", dim], ignore_index=True)


class MinuteCube:
    """Per-minute sums of every group of every level, as arrays."""

    def __init__(self, frame: pd.DataFrame):
        """Build from a ``minute_levels`` frame.

        Its columns: ``minute``, ``level``, the dimension columns the log has, :data:`SUMS`,
        and maybe ``span`` (the minutes a row covers; 1 when absent).

        Raises:
            ValueError: the frame lacks a column the search needs.
        """
        missing = [c for c in ("minute", "level", *SUMS) if c not in frame]
        if missing:
            raise ValueError(f"minute levels frame lacks column(s) {', '.join(missing)}")
        minutes = pd.to_datetime(frame["minute"], utc=True)
        span = frame["span"].fillna(1).to_numpy(dtype=np.int64) if "span" in frame else None
        one = minutes if span is None else minutes[span == 1]
        self.start = one.min() if len(one) else pd.Timestamp(0, tz="UTC")
        offsets = ((minutes - self.start) // pd.Timedelta(minutes=1)).to_numpy()
        self.minute: IntArray = np.asarray(offsets, dtype=np.int64)
        self.minutes = int(self.minute.max()) + 1 if len(frame) else 0
        self.bin = max(1, math.ceil(self.minutes / MAX_BINS))
        self.bins = math.ceil(self.minutes / self.bin) if self.minutes else 0
        self.sums = {c: frame[c].fillna(0).to_numpy(dtype=np.float64) for c in SUMS}
        level_code, level_names = pd.factorize(frame["level"])
        code_of = {str(name): i for i, name in enumerate(level_names)}
        self._rows: dict[str, IntArray] = {}
        self._codes: dict[str, IntArray] = {}
        self._keys: dict[str, list[tuple[str, ...]]] = {}
        self._width: dict[str, int] = {}
        self._span: dict[str, int] = {}
        self.values: dict[str, list[str]] = {}
        for lv in LEVELS[1:]:
            rows = np.flatnonzero(level_code == code_of.get(lv.name, -2))
            if rows.size == 0 or not all(d in frame for d in lv.dims):
                continue
            codes, keys = _factorize([frame[d].iloc[rows] for d in lv.dims])
            self._rows[lv.name], self._codes[lv.name], self._keys[lv.name] = rows, codes, keys
            # Rows of several minutes each (a span): the level is scanned in bins of a
            # multiple of them, so that no row straddles two bins.
            spans = 1 if span is None else int(span[rows].max())
            self._span[lv.name] = spans
            self._width[lv.name] = spans * math.ceil(self.bin / spans)
            if len(lv.dims) == 1:
                self.values[lv.dims[0]] = [key[0] for key in keys]
        # Every event is in each one-dimension level once (a missing value as a group of its
        # own): the whole service is any one of them summed.
        single = [lv.name for lv in LEVELS if len(lv.dims) == 1 and lv.name in self._rows]
        self._total_rows = self._rows[single[0]] if single else np.arange(len(frame))

    @property
    def dims(self) -> tuple[str, ...]:
        """The dimensions the log has values for."""
        return tuple(d for d in self.values if self.values[d])

    def levels(self) -> list[Level]:
        """The levels worth scanning: the whole service, and those the frame has groups of.

        A level of dimensions with fewer than two values each is left out (it is the whole
        service, or another level, again).
        """
        return [
            level
            for level in LEVELS
            if not level.dims
            or (
                level.name in self._rows
                and all(len(self.values.get(d, [])) >= 2 for d in level.dims)
            )
        ]

    def groups(self, level: Level) -> Groups:
        """The groups of ``level`` (the rows of a missing value belong to none)."""
        if not level.dims:
            rows = self._total_rows
            return Groups(level, [()], rows, np.zeros(len(rows), dtype=np.int64))
        codes = self._codes[level.name]
        valid = codes >= 0
        return Groups(level, self._keys[level.name], self._rows[level.name][valid], codes[valid])

    def width(self, level: Level) -> int:
        """Minutes per bin the level is scanned in (:attr:`bin`, or a multiple of its span)."""
        return self._width.get(level.name, self.bin)

    def bins_of(self, level: Level) -> int:
        """How many bins the level is scanned in."""
        return math.ceil(self.minutes / self.width(level)) if self.minutes else 0

    def totals(self, groups: Groups, column: str) -> FloatArray:
        """The whole-window sum of ``column`` per group."""
        return sum_by(groups.code, self.sums[column][groups.rows], len(groups.keys))

    def series(self, groups: Groups, chosen: IntArray, signal: str, binned: bool = True) -> Series:
        """Series (``(len(chosen), bins)``) of the groups ``chosen`` for ``signal``.

        By bin of :meth:`width` minutes, or by minute when ``binned`` is false (a level of
        one-minute rows only).
        """
        remap = np.full(len(groups.keys), -1, dtype=np.int64)
        remap[chosen] = np.arange(len(chosen))
        member = remap[groups.code]
        keep = member >= 0
        rows = groups.rows[keep]
        width, size = (self.width(groups.level), self.bins_of(groups.level))
        if not binned:
            if self._span.get(groups.level.name, 1) > 1:
                raise ValueError(f"the {groups.level.name} level has no one-minute series")
            width, size = 1, self.minutes
        flat = member[keep] * size + self.minute[rows] // width
        shape = (len(chosen), size)
        arrays = [
            sum_by(flat, self.sums[c][rows], len(chosen) * size).reshape(shape)
            for c in COLUMNS[signal]
        ]
        return Series(*arrays)

    def scope_series(self, scope: dict[str, set[str] | None], signal: str) -> Series | None:
        """The one-minute series of a scope restricted along one dimension at most, or None.

        A scope restricted along two dimensions (some tenants on some endpoints) is not a sum
        of this cube's one-minute groups: ask the source (``scope_minutes``). A dimension whose
        every value is in the scope, with no request lacking one, does not restrict it.
        """
        restricted = [d for d, v in scope.items() if v is not None and not self._whole(d, v)]
        if len(restricted) > 1:
            return None
        if not restricted:
            return self.series(self.groups(LEVELS[0]), np.array([0]), signal, binned=False).row(0)
        dim = restricted[0]
        level = next(lv for lv in LEVELS if lv.dims == (dim,))
        groups = self.groups(level)
        wanted = scope[dim] or set()
        chosen = np.array([i for i, key in enumerate(groups.keys) if key[0] in wanted])
        if chosen.size == 0:
            zero = np.zeros(self.minutes)
            return Series(zero, zero.copy(), zero.copy())
        both = self.series(groups, chosen, signal, binned=False)
        return Series(both.n.sum(axis=0), both.x.sum(axis=0), both.x2.sum(axis=0))

    def endpoint_parts(self, scope: dict[str, set[str] | None], signal: str) -> Series | None:
        """Per endpoint of a scope restricted along endpoints at most, its one-minute series.

        Rows: the scope's endpoints, and the requests without one (when there are any).
        None when the scope is restricted along another dimension (ask the source).
        """
        restricted = [d for d, v in scope.items() if v is not None and not self._whole(d, v)]
        level = next(lv for lv in LEVELS if lv.dims == ("endpoint",))
        if set(restricted) - {"endpoint"} or self._span.get(level.name, 0) != 1:
            return None
        groups = self.groups(level)
        wanted = scope.get("endpoint")
        chosen = np.array(
            [i for i, key in enumerate(groups.keys) if wanted is None or key[0] in wanted],
            dtype=np.int64,
        )
        parts = self.series(groups, chosen, signal, binned=False)
        if "endpoint" in restricted:
            return parts
        whole = self.scope_series({}, signal)
        assert whole is not None
        rest = whole.n - parts.n.sum(axis=0)
        if rest.sum() <= 0:  # every request has an endpoint
            return parts
        return Series(
            np.vstack([parts.n, rest]),
            np.vstack([parts.x, whole.x - parts.x.sum(axis=0)]),
            np.vstack([parts.x2, whole.x2 - parts.x2.sum(axis=0)]),
        )

    def _whole(self, dim: str, values: set[str]) -> bool:
        """Whether ``values`` are every value of ``dim`` and every request has one."""
        if dim not in self.values or not set(self.values[dim]) <= values:
            return False
        missing = self._codes[dim] < 0
        return not bool(self.sums["requests"][self._rows[dim][missing]].sum())

    def timestamp(self, minute: int) -> pd.Timestamp:
        """The time of minute index ``minute``."""
        return self.start + pd.Timedelta(minutes=minute)


def _factorize(columns: list[pd.Series]) -> tuple[IntArray, list[tuple[str, ...]]]:
    """Per row, the index of its key (the values of ``columns``; -1 when one is missing)."""
    codes = np.zeros(len(columns[0]), dtype=np.int64)
    valid = np.ones(len(codes), dtype=bool)
    uniques: list[list[str]] = []
    for column in columns:
        part, found = pd.factorize(column, sort=True)
        valid &= part >= 0
        codes = codes * max(len(found), 1) + part
        uniques.append([str(v) for v in found])
    if len(columns) == 1:
        return np.asarray(codes, dtype=np.int64), [(v,) for v in uniques[0]]
    inverse, present = pd.factorize(codes[valid], sort=True)
    out = np.full(len(codes), -1, dtype=np.int64)
    out[valid] = inverse
    parts, rest = [], np.asarray(present, dtype=np.int64)
    for values in reversed(uniques):
        rest, at = np.divmod(rest, len(values))
        parts.append(np.asarray(values, dtype=object)[at])
    return out, list(zip(*reversed(parts), strict=True))
