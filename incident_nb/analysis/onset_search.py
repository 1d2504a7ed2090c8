"""The search for a change in any group: every level scanned, the strongest groups confirmed.

Owns the decision "did something change, and in which group". Each level of
:data:`~incident_nb.analysis.cube.LEVELS` (the whole service, each service, endpoint, tenant,
and each tenant on each endpoint) is scanned for the best upward split of every group's
series; the strongest groups of each level are then confirmed one by one:

- both a step (from a bin on) and an elevated stretch that later recovered are tried;
- the deviance is divided by the overdispersion of the bins where nothing changed (the
  latency's, on the spread of a group's requests at one time: a tenant's cell too rare to
  measure its own takes its endpoint's, :data:`SPREAD_FROM`);
- the :data:`~incident_nb.analysis.scan.LEAVE_OUT` most extreme bins are set aside (one burst
  is not an onset), and the level must still be at least
  :data:`~incident_nb.analysis.scan.MIN_RATIO` times the level outside;
- a change of a group made of several parts (the whole service, an endpoint, a tenant) must
  hold within its parts too (:func:`holds_within_parts`: a stratified test on the cells of its
  window, for failures the likelihood ratio of one common rise, held to the same family-wise
  standard as the change itself, and a rise within the parts of at least
  :data:`~incident_nb.analysis.scan.MIN_RATIO` times), so a shift of traffic towards a part
  that always failed more is not an onset, even when that part's own rate happens to wander
  upwards a little at the same time;
- the p-value is Bonferroni-adjusted for the levels, the signals searched (failures and
  latency, and the failures of each status when they are searched one by one), both kinds of
  scan, the groups of the level scanned (every endpoint x tenant cell among them) and every
  position tried, and must be below :data:`~incident_nb.analysis.scan.ALPHA`. A group is
  scanned when it holds the :data:`MIN_EVENTS` a change needs to pass at all (three failures;
  twenty requests with a latency): a count that says nothing of when they came, so leaving
  out the groups below it keeps the family-wise error rate (independent filtering), while a
  log of many quiet cells keeps the power to find the one that changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from incident_nb.analysis.cells import CellTable
from incident_nb.analysis.changepoint import SCAN_KINDS, confirm_change
from incident_nb.analysis.cube import Groups, Level, MinuteCube
from incident_nb.analysis.scan import (
    ALPHA,
    LEAVE_OUT,
    MIN_BEFORE,
    MIN_RATIO,
    SIGNALS,
    FloatArray,
    IntArray,
    Series,
    Signal,
    best_splits,
    dispersion,
    log10_p,
    within_variance,
)

RISE_STEPS = 50
"""Halvings of the interval when fitting a common rise within strata (:func:`common_rise`)."""
MAX_LOG_RISE = 30.0
"""The largest log ratio fitted: a rise from no failures at all has no finite best ratio."""
TOP_PER_LEVEL = 5
"""Groups of each level, the strongest by their scan, that are confirmed."""
PRESELECT = 50
"""Groups of each level whose noise is measured to rank them (the largest raw scans)."""
MIN_EVENTS: dict[str, float] = {"errors": float(LEAVE_OUT + 1), "latency": 20.0}
"""Failures (requests with a latency) a group needs to be scanned: fewer cannot pass."""
CHUNK_CELLS = 2_000_000
"""Groups x bins scanned at once (bounds the memory of a long window with many groups)."""
SIGNAL_COUNT = len(SIGNALS)
STRATA: dict[str, tuple[str, ...]] = {
    "overall": ("endpoint", "tenant"),
    "service": ("endpoint",),
    "endpoint": ("tenant",),
    "tenant": ("endpoint",),
    "endpoint x tenant": ("service",),
}
"""The parts a group's change must hold within (each in turn), by level."""
SPREAD_FROM: dict[str, str] = {"endpoint x tenant": "endpoint"}
"""Where a group with too few requests at a time to measure its own latency noise takes it
from, by level: a tenant's cell from its endpoint (whose requests of a minute vary as the cell's
do, and more); other levels from the whole service."""


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
    tries: float
    """The tests the p-value was adjusted for (groups, levels, signals, positions...)."""
    groups_searched: int

    def scope(self) -> dict[str, set[str] | None]:
        """The group as a scope: each of its dimensions -> its one value."""
        return {dim: {value} for dim, value in zip(self.level.dims, self.key, strict=True)}


def search(cube: MinuteCube, signal_name: str, signals: int = SIGNAL_COUNT) -> list[Candidate]:
    """The confirmed changes for ``signal_name``, strongest evidence first.

    Each still has to hold within the parts of its group (:func:`holds_within_parts`), which
    needs the cells of its window. ``signals``: how many signals are searched in all (the
    p-values are adjusted for each).
    """
    if cube.minutes < 2:
        return []
    signal = SIGNALS[signal_name]
    levels = cube.levels()
    overall = cube.groups(levels[0])
    all_series = cube.series(overall, np.array([0]), signal_name)
    if signal_name == "latency" and all_series.n.sum() <= 0:
        return []
    fallback = float(within_variance(all_series)[0, 0]) if signal_name == "latency" else 1.0
    searched = 0
    found: list[Candidate] = []
    event_column = "errors" if signal_name == "errors" else "timed"
    for level in levels:
        groups = cube.groups(level)
        eligible = np.flatnonzero(cube.totals(groups, event_column) >= MIN_EVENTS[signal_name])
        searched += len(eligible)
        multiplicity = len(levels) * signals * SCAN_KINDS * max(len(eligible), 1)
        width = cube.width(level)
        min_before = max(1, math.ceil(MIN_BEFORE / width))
        spreads = _spreads(cube, groups, fallback) if signal_name == "latency" else None
        for index, series in _strongest(cube, groups, eligible, signal, (spreads, min_before)):
            spread = fallback if spreads is None else float(spreads[index])
            found_here = confirm_change(signal, series, multiplicity, spread, min_before)
            if found_here is None:
                continue
            segment, log10p, tries = found_here
            found.append(
                Candidate(
                    signal_name,
                    level,
                    groups.keys[index],
                    segment.start * width,
                    min(segment.end * width, cube.minutes),
                    segment.inside,
                    segment.outside,
                    log10p,
                    tries,
                    0,
                )
            )
    found.sort(key=lambda c: c.log10p)
    return [Candidate(**{**c.__dict__, "groups_searched": searched}) for c in found]


def _spreads(cube: MinuteCube, groups: Groups, fallback: float) -> FloatArray:
    """Per group, the per-request variance of log latency to fall back on.

    Its parent's (see :data:`SPREAD_FROM`), or the whole service's ``fallback``.
    """
    parent = SPREAD_FROM.get(groups.level.name)
    if parent is None or parent not in groups.level.dims:
        return np.full(len(groups.keys), fallback)
    own = spread_by(cube, parent)
    at = groups.level.dims.index(parent)
    return np.array([own.get(key[at], fallback) for key in groups.keys], dtype=np.float64)


def spread_by(cube: MinuteCube, dim: str) -> dict[str, float]:
    """Per value of ``dim``, the per-request variance of log latency within its bins.

    As :func:`~incident_nb.analysis.scan.within_variance` measures a group's own; values with
    too few requests at a time to measure it are left out.
    """
    level = next((lv for lv in cube.levels() if lv.dims == (dim,)), None)
    if level is None:
        return {}
    groups = cube.groups(level)
    series = cube.series(groups, np.arange(len(groups.keys)), "latency")
    spread = within_variance(series, math.nan)[:, 0]
    measured = ~np.isnan(spread)
    return {key[0]: float(v) for key, v, m in zip(groups.keys, spread, measured, strict=True) if m}


def _strongest(
    cube: MinuteCube,
    groups: Groups,
    eligible: IntArray,
    signal: Signal,
    settings: tuple[FloatArray | None, int],
) -> list[tuple[int, Series]]:
    """The :data:`TOP_PER_LEVEL` eligible groups with the strongest split, for their noise.

    The :data:`PRESELECT` groups with the largest raw split deviance are ranked again by that
    deviance over the overdispersion of their bins before the split, those rising at least
    :data:`~incident_nb.analysis.scan.MIN_RATIO` times first: a busy group whose level wanders
    (the latency of a big tenant drifting a little) would otherwise crowd out a quieter group
    that stepped up clearly. ``settings``: per group, the per-request variance of log latency
    to fall back on (latency only), and the bins an onset leaves before it. Returns each
    group's index and series.
    """
    spreads, min_before = settings
    if len(eligible) == 0:
        return []
    chunk = max(1, CHUNK_CELLS // max(cube.bins_of(groups.level), 1))
    binomial = signal.name == "errors"
    best: list[tuple[tuple[bool, float], int, Series]] = []
    for first in range(0, len(eligible), chunk):
        part = eligible[first : first + chunk]
        series = cube.series(groups, part, signal.name)
        var = (
            within_variance(series, spreads[part])
            if spreads is not None
            else np.ones((len(part), 1))
        )
        splits = best_splits(signal, series, var, min_before)
        for i in np.argsort(splits.gain)[::-1][:PRESELECT]:
            if splits.gain[i] <= 0:
                break
            row = series.row(int(i))
            size = len(row.n)
            phi = dispersion(row, int(splits.index[i]), size, float(var[i, 0]), binomial)
            # A rise short of MIN_RATIO cannot be confirmed as a step: such groups come last
            # (their stretch that recovered still might be).
            rises = signal.ratio(float(splits.after[i]), float(splits.before[i]))
            rank = (rises >= signal.min_ratio, float(splits.gain[i]) / phi)
            best.append((rank, int(part[i]), row))
    best.sort(key=lambda item: item[0], reverse=True)
    return [(index, series) for _, index, series in best[:TOP_PER_LEVEL]]


def holds_within_parts(cells: CellTable, candidate: Candidate, var: float = 1.0) -> bool:
    """Whether the change holds within each kind of part of the group (stratified test).

    ``cells`` are those of the candidate's window; ``var`` is the per-request variance of
    the log latency (for latency).
    """
    mask = cells.mask(candidate.scope())
    for dim in STRATA[candidate.level.name]:
        if dim not in cells.codes or len(cells.values[dim]) < 2:
            continue
        sums = cells.pair_sums(mask, dim, None, candidate.signal)
        stat, ratio = _stratified(sums.outside, sums.inside, candidate.signal, var)
        if log10_p(stat, candidate.tries) >= math.log10(ALPHA) or ratio < MIN_RATIO:
            return False
    return True


def _stratified(
    outside: FloatArray, inside: FloatArray, signal: str, var: float
) -> tuple[float, float]:
    """Chi-square(1) of a common upward change across strata.

    For failures, the likelihood ratio of one common rise of the rate across strata
    (:func:`common_rise`); for latency, the weighted mean rise of the log latency over its
    spread. And how many times the level inside is the level outside within the strata:
    failures inside over those each stratum's own rate outside expects (Mantel-Haenszel), or
    the weighted mean rise of the log latency, as a factor.
    """
    n_out, x_out = outside[:, 0], outside[:, 1]
    n_in, x_in = inside[:, 0], inside[:, 1]
    total = n_in + n_out
    keep = (n_in > 0) & (n_out > 0)
    if signal == "errors":
        expected_in = float(np.where(keep, n_in * x_out / np.maximum(n_out, 1), 0.0).sum())
        seen_in = float(np.where(keep, x_in, 0.0).sum())
        ratio = seen_in / expected_in if expected_in > 0 else math.inf
        return common_rise(n_in[keep], x_in[keep], n_out[keep], x_out[keep]), ratio
    weight = np.where(keep, n_in * n_out / np.where(total > 0, total, 1), 0.0)
    diff = np.where(keep, x_in / np.maximum(n_in, 1) - x_out / np.maximum(n_out, 1), 0.0)
    excess = float((weight * diff).sum())
    spread = float(weight.sum()) * var
    ratio = math.exp(excess / float(weight.sum())) if spread > 0 else 1.0
    if excess <= 0 or spread <= 0:
        return 0.0, 1.0
    return excess * excess / spread, ratio


def common_rise(n_in: FloatArray, x_in: FloatArray, n_out: FloatArray, x_out: FloatArray) -> float:
    """Twice the log-likelihood ratio of one common upward rise of the failure rate in strata.

    Each stratum's failures inside, given its failures in all, are as many draws as its
    requests inside would take at its rate outside times one common ratio (failures as
    Poisson counts): the ratio that fits best, if above 1, against a ratio of 1. Unlike the
    score test (Cochran-Mantel-Haenszel), whose statistic stays small when the strata had
    few requests before and none of them failed, this keeps the strength of a rise from
    nothing: 0 failures in 250 requests, then 11% of 2,500.
    """
    events = x_in + x_out
    use = events > 0
    if not use.any():
        return 0.0
    failed, events = x_in[use], events[use]
    base = np.log(n_in[use]) - np.log(n_out[use])  # a stratum's log-odds of a draw inside

    def loglik(theta: float) -> float:
        """The log-likelihood at log ratio ``theta`` (up to a constant)."""
        odds = base + theta
        return float((failed * odds - events * np.logaddexp(0.0, odds)).sum())

    def slope(theta: float) -> float:
        """Its derivative: failures inside less those the ratio expects there."""
        return float((failed - events * expit(base + theta)).sum())

    if slope(0.0) <= 0:
        return 0.0
    if slope(MAX_LOG_RISE) >= 0:  # no finite peak: a rise from no failures at all
        theta = MAX_LOG_RISE
    else:  # concave: its peak is where its slope is 0 (bisection: no scipy.optimize to import)
        low, high = 0.0, MAX_LOG_RISE
        for _ in range(RISE_STEPS):
            middle = (low + high) / 2
            low, high = (middle, high) if slope(middle) > 0 else (low, middle)
        theta = (low + high) / 2
    return max(0.0, 2.0 * (loglik(theta) - loglik(0.0)))
