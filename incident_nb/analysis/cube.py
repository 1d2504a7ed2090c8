"""The minute cube: requests, failures and log latency per minute and group, as arrays.

Owns the step from the store's long frame (one row per minute, endpoint, tenant and, where the
log has one, service) to what the onset search scans: the levels of grouping (:data:`LEVELS`,
a table), each level's groups, and their per-bin :class:`~incident_nb.analysis.scan.Series`.
Also the series of any set of cells (the affected group) at one-minute resolution.
Pure pandas/numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from incident_nb.analysis.scan import FloatArray, IntArray, Series, sum_by

DIMENSIONS: tuple[str, ...] = ("service", "endpoint", "tenant")
"""Columns of the cube that group requests (those the log has), broadest first."""
SUMS: tuple[str, ...] = ("requests", "errors", "timed", "log_latency", "log_latency_sq")
"""Additive columns of the cube: counts, and sums of ``ln(1 + latency_ms)`` and its square."""


@dataclass(frozen=True)
class Level:
    """A way of grouping requests: by nothing (the whole service) or by some dimensions."""

    name: str
    dims: tuple[str, ...]


LEVELS: tuple[Level, ...] = (
    Level("overall", ()),
    Level("service", ("service",)),
    Level("endpoint", ("endpoint",)),
    Level("tenant", ("tenant",)),
    Level("endpoint x tenant", ("endpoint", "tenant")),
)
BoolArray = npt.NDArray[np.bool_]
MAX_BINS = 1440
"""Longer windows are scanned in bins of several minutes (the onset is then refined)."""


@dataclass(frozen=True)
class Groups:
    """The groups of one level: their keys and, per cube row, the group it belongs to."""

    level: Level
    keys: list[tuple[str, ...]]
    code: IntArray
    """Per cube row: the index of its group in ``keys``, or -1 (a dimension is missing)."""


@dataclass(frozen=True)
class PairSums:
    """Sums of (unit, stratum) pairs outside and inside a window: arrays ``(pairs, 3)``."""

    values: list[str]
    """The unit dimension's values (``unit`` indexes them)."""
    unit: IntArray
    stratum: IntArray
    outside: FloatArray
    inside: FloatArray


class MinuteCube:
    """The cube as arrays: per row its minute index, dimension codes and sums."""

    def __init__(self, frame: pd.DataFrame):
        """Build from the store's frame (``minute``, dimension columns, :data:`SUMS`).

        Raises:
            ValueError: the frame lacks a column the search needs.
        """
        missing = [c for c in ("minute", *SUMS) if c not in frame]
        if missing:
            raise ValueError(f"minute cube lacks column(s) {', '.join(missing)}")
        minutes = pd.to_datetime(frame["minute"], utc=True)
        self.start = minutes.min() if len(frame) else pd.Timestamp(0, tz="UTC")
        offsets = ((minutes - self.start) // pd.Timedelta(minutes=1)).to_numpy()
        self.minute: IntArray = np.asarray(offsets, dtype=np.int64)
        self.minutes = int(self.minute.max()) + 1 if len(frame) else 0
        self.bin = max(1, math.ceil(self.minutes / MAX_BINS))
        self.bins = math.ceil(self.minutes / self.bin) if self.minutes else 0
        self.sums: dict[str, FloatArray] = {
            c: frame[c].fillna(0).to_numpy(dtype=np.float64) for c in SUMS
        }
        self.codes: dict[str, IntArray] = {}
        self.values: dict[str, list[str]] = {}
        for dim in DIMENSIONS:
            if dim not in frame or frame[dim].isna().all():
                continue
            codes, uniques = pd.factorize(frame[dim], sort=True)
            self.codes[dim] = np.asarray(codes, dtype=np.int64)
            self.values[dim] = [str(v) for v in uniques]

    @property
    def dims(self) -> tuple[str, ...]:
        """The dimensions this log has."""
        return tuple(self.codes)

    def levels(self) -> list[Level]:
        """The levels worth scanning: their dimensions exist and split requests in two or more."""
        return [
            level
            for level in LEVELS
            if all(d in self.codes and len(self.values[d]) >= 2 for d in level.dims)
        ]

    def groups(self, level: Level) -> Groups:
        """The groups of ``level`` that have requests."""
        if not level.dims:
            return Groups(level, [()], np.zeros(len(self.minute), dtype=np.int64))
        combined = np.zeros(len(self.minute), dtype=np.int64)
        valid = np.ones(len(self.minute), dtype=bool)
        for dim in level.dims:
            codes = self.codes[dim]
            valid &= codes >= 0
            combined = combined * (len(self.values[dim]) + 1) + codes
        code, uniques = pd.factorize(np.where(valid, combined, -1), sort=True)
        code = np.asarray(code, dtype=np.int64)
        keys: list[tuple[str, ...]] = []
        for value in uniques:
            parts: list[str] = []
            rest = int(value)
            for dim in reversed(level.dims):
                size = len(self.values[dim]) + 1
                parts.append(self.values[dim][rest % size])
                rest //= size
            keys.append(tuple(reversed(parts)))
        if (~valid).any():  # -1 was factorized as a group of its own: drop it
            dropped = int(code[~valid][0])
            keys.pop(dropped)
            code = np.where(valid, np.where(code > dropped, code - 1, code), -1)
        return Groups(level, keys, code)

    def totals(self, groups: Groups, column: str) -> FloatArray:
        """The whole-window sum of ``column`` per group."""
        rows = groups.code >= 0
        return sum_by(groups.code[rows], self.sums[column][rows], len(groups.keys))

    def series(self, groups: Groups, chosen: IntArray, signal: str) -> Series:
        """Per-bin series (``(len(chosen), bins)``) of the groups ``chosen`` for ``signal``."""
        remap = np.full(len(groups.keys), -1, dtype=np.int64)
        remap[chosen] = np.arange(len(chosen))
        row_group = np.where(groups.code >= 0, remap[np.maximum(groups.code, 0)], -1)
        rows = row_group >= 0
        flat = row_group[rows] * self.bins + self.minute[rows] // self.bin
        size = len(chosen) * self.bins
        shape = (len(chosen), self.bins)
        columns = _COLUMNS[signal]
        arrays = [sum_by(flat, self.sums[c][rows], size).reshape(shape) for c in columns]
        return Series(*arrays)

    def cells_mask(self, scope: dict[str, set[str] | None]) -> BoolArray:
        """Cube rows inside ``scope`` (dimension -> values kept, ``None`` for all)."""
        mask = np.ones(len(self.minute), dtype=bool)
        for dim, kept in scope.items():
            if kept is None or dim not in self.codes:
                continue
            allowed = np.array([v in kept for v in self.values[dim]] + [False])
            mask &= allowed[self.codes[dim]]  # code -1 indexes the trailing False
        return mask

    def minute_series(self, mask: BoolArray, signal: str) -> Series:
        """One-minute series of the rows in ``mask`` (summed) for ``signal``."""
        minute = self.minute[mask]
        arrays = [sum_by(minute, self.sums[c][mask], self.minutes) for c in _COLUMNS[signal]]
        return Series(*arrays)

    def pair_sums(
        self, mask: BoolArray, dim: str, strata: str | None, window: tuple[int, int], signal: str
    ) -> PairSums:
        """Sums per (value of ``dim``, value of ``strata``) among rows in ``mask``.

        Outside and inside the minutes ``window`` (``[start, end)``), for the pairs with
        requests; without ``strata`` every value of ``dim`` is one pair.
        """
        unit = self.codes[dim]
        rows = mask & (unit >= 0)
        if strata is not None and strata in self.codes:
            stratum = self.codes[strata]
            rows &= stratum >= 0
            width = len(self.values[strata])
        else:
            stratum, width = np.zeros_like(unit), 1
        pair = np.where(rows, unit * width + stratum, -1)
        codes, uniques = pd.factorize(pair[rows], sort=True)
        inside = ((self.minute >= window[0]) & (self.minute < window[1]))[rows]
        size = len(uniques)
        parts = []
        for part in (~inside, inside):
            parts.append(
                np.stack(
                    [sum_by(codes[part], self.sums[c][rows][part], size) for c in _COLUMNS[signal]],
                    axis=1,
                )
            )
        uniques = np.asarray(uniques, dtype=np.int64)
        return PairSums(self.values[dim], uniques // width, uniques % width, parts[0], parts[1])

    def timestamp(self, minute: int) -> pd.Timestamp:
        """The time of minute index ``minute``."""
        return self.start + pd.Timedelta(minutes=minute)


_COLUMNS: dict[str, tuple[str, str, str]] = {
    "errors": ("requests", "errors", "errors"),
    "latency": ("timed", "log_latency", "log_latency_sq"),
}
"""The cube columns feeding a signal's n, x and x2 (x2 is unused by the binomial)."""
