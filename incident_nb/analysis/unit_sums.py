"""What each unit did during the incident, and what it would have done without it.

Owns the sums :mod:`.affected` judges units on (an endpoint, tenant or service, from the cells
of the incident's scope): per unit, its requests and failures (or log latencies) during the
incident, what they would have been at its stratum's level outside the incident (for a tenant:
the endpoints it called) times its own habit, shrunk towards its peers when it was seen little
(empirical Bayes); how the incident's level over its requests compares with the incident's mean
(a ramp's early requests met less of it); and, for failures judged within strata, how much its
strata rose. Pure numpy/scipy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betainc

from incident_nb.analysis.cells import PairSums
from incident_nb.analysis.scan import FloatArray, IntArray, sum_by

PRIOR_EVENTS = 2.0
"""Expected failures' worth of "like its peers" a unit's own failure habit starts from, when
units fail alike (see :func:`_habit_prior`)."""
MIN_PRIOR_EVENTS = 0.5
"""As little as a unit's habit is shrunk, however much units' habits differ."""


@dataclass(frozen=True)
class Noise:
    """How noisy latency is: per request (log scale), and a minute's mean beyond that."""

    var: float = 1.0
    tau2: float = 0.0
    minutes: int = 1
    """Minutes of the incident (the minute-to-minute noise averages over them)."""
    rise: float | None = None
    """The incident's level in the group it was found in (a failure share; for latency, the
    rise of the mean log latency): the affected units' level is at least that."""


@dataclass(frozen=True)
class Units:
    """Per unit: requests and failures (or log-latency sums) during the incident, expected."""

    values: list[str]
    n_in: FloatArray
    x_in: FloatArray
    expected: FloatArray
    """What ``x_in`` would have been at the unit's own level outside the incident."""
    spread: FloatArray
    """Latency only: the standard error of the unit's change of mean log latency."""
    weight: FloatArray
    """The incident's level over the unit's requests as a share of its mean level (1: its
    requests fell when the incident was at its mean; less: early in a ramp)."""
    peak: FloatArray
    """The highest such share at the time of one of its requests."""
    strata_rise: FloatArray
    """Failures only, judged within strata: the share of requests that failed beyond their
    stratum's level outside the incident, during it, in the strata the unit called (weighted
    by its requests there); zero otherwise."""


@dataclass(frozen=True)
class Pairs:
    """Per (unit, stratum) pair during the incident: requests, failures, expected share."""

    unit: IntArray
    n: FloatArray
    x: FloatArray
    base: FloatArray
    weight: FloatArray
    """As :attr:`Units.weight`, over the pair's requests."""


def _per_unit(sums: PairSums, column: FloatArray) -> FloatArray:
    return sum_by(sums.unit, column, len(sums.values))


def _peak(sums: PairSums) -> FloatArray:
    """Per unit, the highest weight of the parts of the window it had requests in."""
    peak = np.zeros(len(sums.values))
    np.maximum.at(peak, sums.unit, sums.peak)
    return peak


def _weight(exposure: FloatArray, n: FloatArray) -> FloatArray:
    """Mean weight of requests (1 where there are none)."""
    return np.divide(exposure, n, out=np.ones_like(n), where=n > 0)


def _stratum_levels(sums: PairSums, inside: bool = False) -> FloatArray:
    """Each pair's stratum level outside the incident, or during it (``inside``).

    A failure share, or a mean log latency.
    """
    side = sums.inside if inside else sums.outside
    size = int(sums.stratum.max()) + 1 if len(sums.stratum) else 0
    n = sum_by(sums.stratum, side[:, 0], size)
    x = sum_by(sums.stratum, side[:, 1], size)
    total = float(side[:, 1].sum()) / max(float(side[:, 0].sum()), 1.0)
    level = np.divide(x, n, out=np.full(len(n), total), where=n > 0)
    return np.asarray(level[sums.stratum], dtype=np.float64)


def _strata_rise(sums: PairSums, level: FloatArray) -> FloatArray:
    """Per unit, :attr:`Units.strata_rise`; ``level``: each pair's stratum level outside."""
    rise = np.maximum(_stratum_levels(sums, inside=True) - level, 0.0) / np.maximum(1 - level, 1e-9)
    n_in = _per_unit(sums, sums.inside[:, 0])
    weighted = _per_unit(sums, sums.inside[:, 0] * rise)
    return np.divide(weighted, n_in, out=np.zeros_like(n_in), where=n_in > 0)


def error_units(sums: PairSums, by_strata: bool) -> tuple[Units, Pairs, FloatArray]:
    """Per unit failures during the incident and expected ones, and its p-value; and pairs.

    The pairs (unit, stratum) carry their requests and failures during the incident and the
    failure share the unit's habit gives each. ``by_strata``: the pairs' strata are values of
    another dimension (else one stratum, the whole scope).
    """
    level = _stratum_levels(sums)
    n_out, x_out = _per_unit(sums, sums.outside[:, 0]), _per_unit(sums, sums.outside[:, 1])
    e_out = _per_unit(sums, sums.outside[:, 0] * level)
    n_in, x_in = _per_unit(sums, sums.inside[:, 0]), _per_unit(sums, sums.inside[:, 1])
    e_in = _per_unit(sums, sums.inside[:, 0] * level)
    floor = 0.5 / max(float(n_out.sum()), 1.0)  # a stratum that never failed still might
    e_out, e_in = np.maximum(e_out, floor * n_out), np.maximum(e_in, floor * n_in)
    prior = _habit_prior(x_out, e_out)
    habit = (x_out + prior) / (e_out + prior)
    expected = habit * e_in
    # Given the unit's failures (with its prior's), how unlikely is it that this many fell in
    # the incident's minutes? The uncertainty of its level outside them counts.
    share_in = np.divide(e_in, e_in + e_out + prior, out=np.zeros_like(e_in), where=e_in > 0)
    p_values = np.where(
        (x_in > 0) & (share_in > 0), betainc(x_in, x_out + prior + 1, share_in), 1.0
    )
    pair_base = np.clip(habit[sums.unit] * np.maximum(level, floor), 1e-9, 0.5)
    n_pair = sums.inside[:, 0]
    pairs = Pairs(sums.unit, n_pair, sums.inside[:, 1], pair_base, _weight(sums.exposure, n_pair))
    weight = _weight(_per_unit(sums, sums.exposure), n_in)
    peak = _peak(sums)
    rise = _strata_rise(sums, level) if by_strata else np.zeros_like(n_in)
    return (
        Units(sums.values, n_in, x_in, expected, np.zeros_like(n_in), weight, peak, rise),
        pairs,
        p_values,
    )


def _habit_prior(x_out: FloatArray, e_out: FloatArray) -> float:
    """How many expected failures' worth of its peers' level a unit's habit is shrunk with.

    A Gamma prior of mean 1 on the habits (a unit's failures over those its strata would
    give), whose variance is the habits' spread beyond their Poisson noise (method of
    moments, weighted by the failures expected of each unit): a unit that has always failed
    ten times as often as its peers keeps its own level where units differ that much, and is
    not tested against a level it never had.
    """
    seen = e_out > 0
    if int(seen.sum()) < 3:
        return PRIOR_EVENTS
    w, x = e_out[seen], x_out[seen]
    mean = float(x.sum() / w.sum())
    spread = float((w * (x / w - mean) ** 2).sum() - mean * len(w)) / float(w.sum())
    if mean <= 0 or spread <= 0:
        return PRIOR_EVENTS
    return min(max(mean * mean / spread, MIN_PRIOR_EVENTS), PRIOR_EVENTS)


def latency_units(sums: PairSums, noise: Noise) -> Units:
    """Per unit sums of log latency during the incident, expected ones and their spread."""
    var, tau2, minutes = noise.var, noise.tau2, noise.minutes
    level = _stratum_levels(sums)
    n_out, n_in = _per_unit(sums, sums.outside[:, 0]), _per_unit(sums, sums.inside[:, 0])
    off_out = _per_unit(sums, sums.outside[:, 1] - sums.outside[:, 0] * level)
    x_in = _per_unit(sums, sums.inside[:, 1])
    mean_out = np.divide(off_out, n_out, out=np.zeros_like(off_out), where=n_out > 0)
    # The unit's own offset from its strata, shrunk to its peers' by how much units differ.
    # Too few units to tell how much they differ: one request's worth of shrinkage (a tenant's
    # two endpoints, one ten times slower than the other, are not its peers' typical level).
    seen = n_out >= 10
    between = (
        max(float(np.var(mean_out[seen])) - float(np.mean(var / n_out[seen])), 1e-3)
        if seen.sum() >= 3
        else var
    )
    precision = n_out / var + 1.0 / between
    habit = (n_out / var) * mean_out / precision
    expected = _per_unit(sums, sums.inside[:, 0] * level) + habit * n_in
    spread = np.sqrt(var / np.maximum(n_in, 1) + 1.0 / precision + 2 * tau2 / max(minutes, 1))
    weight = _weight(_per_unit(sums, sums.exposure), n_in)
    return Units(
        sums.values, n_in, x_in, expected, spread, weight, _peak(sums), np.zeros_like(n_in)
    )
