"""The cells of a window: each endpoint x tenant (x service) inside and outside the incident.

Owns the step from the ``cell_windows`` frame of a
:class:`~incident_nb.analysis.cube_source.CubeSource` (one row per cell and side of the window)
to what the scope and the stratified checks need: the cells in a scope, and sums per pair of
(unit, stratum) inside and outside the incident's minutes. Pure pandas/numpy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from incident_nb.analysis.cube import COLUMNS, DIMENSIONS, SUMS
from incident_nb.analysis.scan import FloatArray, IntArray, sum_by

BoolArray = npt.NDArray[np.bool_]
Scope = dict[str, set[str] | None]
"""Dimension -> the values kept (``None``: all of them, those without a value included)."""


@dataclass(frozen=True)
class PairSums:
    """Sums of (unit, stratum) pairs outside and inside a window: arrays ``(pairs, 3)``."""

    values: list[str]
    """The unit dimension's values (``unit`` indexes them)."""
    unit: IntArray
    stratum: IntArray
    outside: FloatArray
    inside: FloatArray
    exposure: FloatArray
    """Inside, each request (or timed request) weighted by its part's share of the incident's
    level (see :meth:`CellTable.pair_sums`)."""
    peak: FloatArray
    """The highest weight of the parts the pair had requests in (0 without requests inside)."""


class CellTable:
    """Per cell, sums inside the incident's minutes and outside them."""

    def __init__(self, frame: pd.DataFrame, weights: Mapping[str, FloatArray] | None = None):
        """Build from a ``cell_windows`` frame (dimension columns, ``inside``, :data:`SUMS`).

        ``weights``: per signal, the incident's level in each ``part`` of the window as a
        share of its mean over the window (none: the same in every part).

        Raises:
            ValueError: the frame lacks a column.
        """
        missing = [c for c in ("inside", *SUMS) if c not in frame]
        if missing:
            raise ValueError(f"cell windows frame lacks column(s) {', '.join(missing)}")
        frame = frame[frame["inside"].notna()]  # minutes set aside count as neither side
        self.inside: BoolArray = frame["inside"].astype(bool).to_numpy(dtype=bool)
        parts = frame["part"] if "part" in frame else pd.Series(0, index=frame.index)
        self.part: IntArray = np.asarray(parts.fillna(0), dtype=np.int64)
        self.weights = dict(weights or {})
        self.sums = {c: frame[c].fillna(0).to_numpy(dtype=np.float64) for c in SUMS}
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
        """The dimensions the log has values for."""
        return tuple(self.codes)

    def mask(self, scope: Scope) -> BoolArray:
        """Rows inside ``scope``."""
        mask = np.ones(len(self.inside), dtype=bool)
        for dim, kept in scope.items():
            if kept is None or dim not in self.codes:
                continue
            allowed = np.array([v in kept for v in self.values[dim]] + [False])
            mask &= allowed[self.codes[dim]]  # code -1 (no value) indexes the trailing False
        return mask

    def _row_weights(self, signal: str) -> FloatArray:
        """Per row, the weight of its part for ``signal`` (1 without weights)."""
        weights = self.weights.get(signal)
        if weights is None or not len(weights):
            return np.ones(len(self.part))
        return np.asarray(weights[np.minimum(self.part, len(weights) - 1)], dtype=np.float64)

    def pair_sums(self, mask: BoolArray, dim: str, strata: str | None, signal: str) -> PairSums:
        """Sums per (value of ``dim``, value of ``strata``) among rows in ``mask``.

        Outside and inside the incident's minutes, for the pairs with requests; without
        ``strata`` every value of ``dim`` is one pair. Each pair's requests inside, each
        weighted by the incident's level in its part of the window (the signal's
        ``weights``), are its ``exposure``.
        """
        unit = self.codes[dim]
        rows = mask & (unit >= 0)
        if strata is not None and strata in self.codes:
            stratum = self.codes[strata]
            rows &= stratum >= 0
            width = len(self.values[strata])
        else:
            stratum, width = np.zeros_like(unit), 1
        size = len(self.values[dim]) * width
        pair = unit * width + stratum
        parts = []
        for side in (~self.inside, self.inside):
            part = rows & side
            parts.append(
                np.stack(
                    [sum_by(pair[part], self.sums[c][part], size) for c in COLUMNS[signal]],
                    axis=1,
                )
            )
        counted, weight = self.sums[COLUMNS[signal][0]], self._row_weights(signal)
        inside, had = rows & self.inside, rows & self.inside & (counted > 0)
        exposure = sum_by(pair[inside], counted[inside] * weight[inside], size)
        peak = np.zeros(size)
        np.maximum.at(peak, pair[had], weight[had])
        present = np.flatnonzero(parts[0][:, 0] + parts[1][:, 0] > 0)
        return PairSums(
            self.values[dim],
            present // width,
            present % width,
            parts[0][present],
            parts[1][present],
            exposure[present],
            peak[present],
        )
