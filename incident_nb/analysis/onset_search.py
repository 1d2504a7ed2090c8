"""The search for a change in any group: every level scanned, the strongest groups confirmed.

Owns the decision "did something change, and in which group". Each level of
:data:`~incident_nb.analysis.cube.LEVELS` (the whole service, each service, endpoint, tenant,
endpoint x tenant) is scanned for the best upward split of every group's series; the strongest
groups of each level are then confirmed one by one:

- both a step (from a bin on) and an elevated stretch that later recovered are tried;
- the deviance is divided by the overdispersion of the bins where nothing changed;
- the :data:`~incident_nb.analysis.scan.LEAVE_OUT` most extreme bins are set aside (one burst
  is not an onset), and the level must still be at least
  :data:`~incident_nb.analysis.scan.MIN_RATIO` times the level outside;
- a change of a group made of several parts (the whole service, an endpoint, a tenant) must
  hold within its parts too (a stratified test), so a shift of traffic towards a part that
  always failed more is not an onset;
- the p-value is Bonferroni-adjusted for the levels, both signals, both kinds of scan, the
  groups of the level and every position tried, and must be below :data:`ALPHA`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import chi2

from incident_nb.analysis.changepoint import SCAN_KINDS, confirm_change
from incident_nb.analysis.cube import Groups, Level, MinuteCube
from incident_nb.analysis.scan import (
    LEAVE_OUT,
    MIN_BEFORE,
    SIGNALS,
    FloatArray,
    IntArray,
    Signal,
    best_splits,
    within_variance,
)

TOP_PER_LEVEL = 5
"""Groups of each level, the strongest by their raw scan, that are confirmed."""
MIN_EVENTS: dict[str, float] = {"errors": float(LEAVE_OUT + 1), "latency": 20.0}
"""Failures (requests with a latency) a group needs to be scanned: fewer cannot pass."""
CHUNK_CELLS = 2_000_000
"""Groups x bins scanned at once (bounds the memory of a long window with many groups)."""
MIX_CONFIRM = float(chi2.isf(1e-3, 1))
"""The stratified test of a group made of parts must reach p < 0.001."""
SIGNAL_COUNT = len(SIGNALS)
STRATA: dict[str, tuple[str, ...]] = {
    "overall": ("endpoint", "tenant"),
    "service": ("endpoint",),
    "endpoint": ("tenant",),
    "tenant": ("endpoint",),
    "endpoint x tenant": (),
}
"""The parts a group's change must hold within (each in turn), by level."""


@dataclass(frozen=True)
class Candidate:
    """A group whose series stepped up, with where and how strongly (minutes of the cube)."""

    signal: str
    level: Level
    key: tuple[str, ...]
    start: int
    end: int
    """First minute after the elevated stretch (the cube's length when it did not end)."""
    inside: float
    outside: float
    log10p: float
    """log10 of the adjusted p-value (after overdispersion and setting bursts aside)."""
    groups_searched: int

    def scope(self) -> dict[str, set[str] | None]:
        """The group as a scope: each of its dimensions -> its one value."""
        return {dim: {value} for dim, value in zip(self.level.dims, self.key, strict=True)}


def search(cube: MinuteCube, signal_name: str) -> Candidate | None:
    """The confirmed change with the strongest evidence for ``signal_name``, if any."""
    if cube.minutes < 2:
        return None
    signal = SIGNALS[signal_name]
    levels = cube.levels()
    overall = cube.groups(levels[0])
    all_series = cube.series(overall, np.array([0]), signal_name)
    if signal_name == "latency" and all_series.n.sum() <= 0:
        return None
    fallback = float(within_variance(all_series)[0, 0]) if signal_name == "latency" else 1.0
    searched = 0
    found: list[Candidate] = []
    min_before = max(1, math.ceil(MIN_BEFORE / cube.bin))
    for level in levels:
        groups = cube.groups(level)
        count_column = "requests" if signal_name == "errors" else "timed"
        present = int((cube.totals(groups, count_column) > 0).sum())
        searched += present
        events = cube.totals(groups, "errors" if signal_name == "errors" else "timed")
        eligible = np.flatnonzero(events >= MIN_EVENTS[signal_name])
        multiplicity = len(levels) * SIGNAL_COUNT * SCAN_KINDS * max(present, 1)
        for index in _strongest(cube, groups, eligible, signal, (fallback, min_before)):
            series = cube.series(groups, np.array([index]), signal_name).row(0)
            found_here = confirm_change(signal, series, multiplicity, fallback, min_before)
            if found_here is None:
                continue
            segment, log10p = found_here
            candidate = Candidate(
                signal_name,
                level,
                groups.keys[index],
                segment.start * cube.bin,
                min(segment.end * cube.bin, cube.minutes),
                segment.inside,
                segment.outside,
                log10p,
                0,
            )
            if _holds_within_parts(cube, candidate, signal, fallback):
                found.append(candidate)
    if not found:
        return None
    best = min(found, key=lambda c: c.log10p)
    return Candidate(**{**best.__dict__, "groups_searched": searched})


def _strongest(
    cube: MinuteCube,
    groups: Groups,
    eligible: IntArray,
    signal: Signal,
    settings: tuple[float, int],
) -> list[int]:
    """The :data:`TOP_PER_LEVEL` eligible groups with the largest raw split deviance.

    ``settings``: the fallback per-request variance of log latency, and the bins an onset
    leaves before it.
    """
    fallback, min_before = settings
    if len(eligible) == 0:
        return []
    chunk = max(1, CHUNK_CELLS // max(cube.bins, 1))
    gains = np.zeros(len(eligible))
    for first in range(0, len(eligible), chunk):
        part = eligible[first : first + chunk]
        series = cube.series(groups, part, signal.name)
        var = (
            within_variance(series, fallback)
            if signal.name == "latency"
            else np.ones((len(part), 1))
        )
        gains[first : first + chunk] = best_splits(signal, series, var, min_before).gain
    order = np.argsort(gains)[::-1][:TOP_PER_LEVEL]
    return [int(eligible[i]) for i in order if gains[i] > 0]


def _holds_within_parts(
    cube: MinuteCube, candidate: Candidate, signal: Signal, fallback: float
) -> bool:
    """Whether the change holds within each kind of part of the group (stratified test)."""
    mask = cube.cells_mask(candidate.scope())
    var = fallback
    if signal.name == "latency":
        var = float(within_variance(cube.minute_series(mask, "latency"), fallback)[0, 0])
    for dim in STRATA[candidate.level.name]:
        if dim not in cube.codes or len(cube.values[dim]) < 2:
            continue
        sums = cube.pair_sums(mask, dim, None, (candidate.start, candidate.end), signal.name)
        stat = _stratified(sums.outside, sums.inside, signal.name, var)
        if stat < MIX_CONFIRM:
            return False
    return True


def _stratified(outside: FloatArray, inside: FloatArray, signal: str, var: float) -> float:
    """Chi-square(1) of a common upward change across strata (Cochran-Mantel-Haenszel)."""
    n_out, x_out = outside[:, 0], outside[:, 1]
    n_in, x_in = inside[:, 0], inside[:, 1]
    total = n_in + n_out
    keep = (n_in > 0) & (n_out > 0)
    if signal == "errors":
        events = x_in + x_out
        expected = n_in * events / np.where(total > 0, total, 1)
        variance = np.where(
            keep & (total > 1),
            n_in * n_out * events * (total - events) / np.maximum(total**2 * (total - 1), 1),
            0.0,
        )
        excess = float(np.where(keep, x_in - expected, 0.0).sum())
        spread = float(variance.sum())
    else:
        weight = np.where(keep, n_in * n_out / np.where(total > 0, total, 1), 0.0)
        diff = np.where(keep, x_in / np.maximum(n_in, 1) - x_out / np.maximum(n_out, 1), 0.0)
        excess = float((weight * diff).sum())
        spread = float(weight.sum()) * var
    if excess <= 0 or spread <= 0:
        return 0.0
    return excess * excess / spread
