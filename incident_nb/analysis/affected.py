"""Who is affected: the endpoints, tenants and services whose own rate changed at the onset.

Owns the classification of units (each endpoint, tenant or service) once an onset is known.
Each unit is compared with what it would have done during the incident without it
(:mod:`.unit_sums`: its requests during the incident, each at the level its stratum, for a
tenant the endpoint it called, had outside the incident, times the unit's own habit). A unit
is affected when

- a two-component mixture fitted by EM says its level during the incident is the incident's
  level rather than its own (strength is shared: a tenant with two requests, both failed,
  during a 60% failure spike is affected), or
- a one-sided test of its own change (conditional on its total, so that the uncertainty of
  its level outside counts) passes Holm's correction over the units, and (for failures, where
  a unit is judged within strata) the share of its requests that failed beyond its usual
  rose by at least :data:`MIN_SHARE_OF_RISE` of what its strata's rose during the incident,

and its level rose at least :data:`~incident_nb.analysis.scan.MIN_RATIO` times.

The incident's level is the one at the time of the unit's requests: when it moved over the
incident's minutes (a ramp, a leak, a queue filling), the window comes in parts, each weighing
the incident's rise by its level there (:func:`~incident_nb.analysis.activity.part_weights`).
A unit whose requests fell early in a ramp is held to the smaller rise of then, and is affected
only if the rise was material in a part it had requests in.

How the scope of an incident is grown from these verdicts is :mod:`.scope`'s. A log without
tenants has no tenant dimension, hence no affected tenants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.special import expit, ndtr, xlogy

from incident_nb.analysis.cells import BoolArray, CellTable, Scope
from incident_nb.analysis.scan import MIN_RATIO, FloatArray, sum_by
from incident_nb.analysis.unit_sums import Noise, Pairs, Units, error_units, latency_units

HOLM_ALPHA = 0.01
"""Family-wise error of the per-unit tests (Holm)."""
EM_ROUNDS = 60
"""Rounds of EM at most; it stops sooner once its two parameters hold (:func:`_settled`)."""
STRATA: dict[str, str | None] = {"tenant": "endpoint", "endpoint": None, "service": None}
"""What a unit's expected level is built from: a tenant's from the endpoints it called."""
MIN_SHARE_OF_RISE = 0.1
"""A unit whose failures rose clearly, but by less than this share of what the strata it
called rose during the incident, changed on its own: a tenant failing 0.2% instead of 0.1%
of its thousands of requests, while the endpoints it calls fail a quarter of theirs, is not
affected by the incident."""
UNIT_COLUMNS = ["value", "requests", "failures", "level", "baseline", "affected"]
"""Per unit: requests during the incident, failing ones (NaN for latency), the level during it
and the level expected without it (a failure share, or a typical latency in ms), affected."""


def _holm(p_values: FloatArray, alpha: float) -> BoolArray:
    """Which p-values Holm's step-down procedure rejects at family-wise level ``alpha``."""
    order = np.argsort(p_values)
    size = len(p_values)
    rejected = np.zeros(size, dtype=bool)
    for rank, index in enumerate(order):
        if p_values[index] > alpha / (size - rank):
            break
        rejected[index] = True
    return rejected


class Verdict(NamedTuple):
    """Per unit: affected, and the evidence behind it (so two signals' can be combined)."""

    affected: BoolArray
    llr: FloatArray
    """Log-likelihood ratio of the unit's requests at the incident's level against its own."""
    prior: float
    """Log prior odds of a unit being affected (the share the mixture fitted)."""
    tested: BoolArray
    """Whether the unit's own change passed Holm's correction (and rose materially)."""
    material: BoolArray
    """Whether the incident's level is a material rise over the unit's own."""


def _none(size: int) -> Verdict:
    empty = np.zeros(size, dtype=bool)
    return Verdict(empty, np.zeros(size), 0.0, empty, empty.copy())


def _classify_errors(
    units: Units, pairs: Pairs, p_values: FloatArray, rise: float | None
) -> Verdict:
    n, x = units.n_in, units.x_in
    seen = n > 0
    base = np.clip(np.divide(units.expected, n, out=np.zeros_like(n), where=seen), 1e-9, 1 - 1e-9)
    level = np.divide(x, n, out=np.zeros_like(x), where=seen)
    if not seen.any():
        return _none(len(n))
    # The incident adds a chance of failing (q) to each request's usual one, which is its
    # stratum's (a tenant's failure on an endpoint that often fails is weaker evidence than one
    # on an endpoint that never does): each unit is judged request by stratum, not on its mean.
    usual = float(units.expected[seen].sum() / n[seen].sum())
    rising = seen & (level > base)
    excess = float((x - units.expected)[rising].sum())
    q = excess / float((n - units.expected)[rising].sum()) if rising.any() else 0.5
    # The group the change was found in mixes affected requests with others: its level is a
    # floor for the affected ones' (units near their habit must not drag the estimate down).
    floor = max((rise if rise is not None else 0.0) - usual, 0.0) / (1 - usual)
    share, llr, last = 0.5, np.zeros(len(n)), None
    for _ in range(EM_ROUNDS):
        q = min(max(q, floor, 1e-9), 1 - 1e-9)
        if _settled(last, (q, share)):
            break
        last = (q, share)
        llr = _pair_llr(pairs, q, len(n))
        prior = math.log(share) - math.log1p(-share)
        post = np.where(seen, expit(prior + llr), 0.0)
        share = min(max(float(post[seen].mean()), 1e-3), 1 - 1e-3)
        weight = post[pairs.unit]
        spare = float((weight * pairs.n * (1 - pairs.base) * pairs.weight).sum())
        if spare > 0:
            q = float((weight * (pairs.x - pairs.n * pairs.base)).sum()) / spare
    q = min(max(q, floor, 1e-9), 1 - 1e-9)
    llr = np.where(seen, _pair_llr(pairs, q, len(n)), 0.0)
    prior = math.log(share) - math.log1p(-share)
    added = (level - base) / (1 - base)
    tested = (
        _holm(p_values, HOLM_ALPHA)
        & (level >= MIN_RATIO * base)
        & (added >= MIN_SHARE_OF_RISE * units.strata_rise)
    )
    material = seen & (base + (1 - base) * q * units.peak >= MIN_RATIO * base)
    mixture = (prior + llr > 0) & material
    result: BoolArray = (mixture | tested) & seen & (x > 0)
    return Verdict(result, np.asarray(llr, dtype=np.float64), prior, tested & seen, material)


def _settled(before: tuple[float, float] | None, after: tuple[float, float]) -> bool:
    """Whether the last round of EM left its parameters where they were (to 12 digits)."""
    return before is not None and all(
        math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15) for a, b in zip(before, after, strict=True)
    )


def _pair_llr(pairs: Pairs, q: float, size: int) -> FloatArray:
    """Per unit: log-likelihood ratio of its pairs' failures with the incident's ``q`` added.

    ``q`` at the incident's mean level: each pair's is ``q`` times its weight.
    """
    high = np.minimum(pairs.base + (1 - pairs.base) * q * pairs.weight, 1 - 1e-9)
    high = np.maximum(high, pairs.base)
    ratio = xlogy(pairs.x, high / pairs.base) + xlogy(
        pairs.n - pairs.x, (1 - high) / (1 - pairs.base)
    )
    return sum_by(pairs.unit, np.asarray(ratio, dtype=np.float64), size)


def _classify_latency(units: Units, rise: float | None) -> Verdict:
    n, seen = units.n_in, units.n_in > 0
    change = np.divide(units.x_in - units.expected, n, out=np.zeros_like(n), where=seen)
    z = change / units.spread
    rising = seen & (z > 0)
    delta = float(np.median(change[rising])) if rising.any() else math.log(MIN_RATIO)
    floor = max(rise if rise is not None else 0.0, math.log(MIN_RATIO))
    share, post, last = 0.5, np.zeros(len(n)), None
    w = units.weight  # the rise at the time of the unit's requests is delta * w
    for _ in range(EM_ROUNDS):
        delta = max(delta, floor)
        if _settled(last, (delta, share)):
            break
        last = (delta, share)
        # Normal log-likelihoods; the terms both share cancel in their difference.
        ll1 = -0.5 * ((change - delta * w) / units.spread) ** 2
        ll0 = -0.5 * (change / units.spread) ** 2
        prior = math.log(share) - math.log1p(-share)
        post = np.where(seen, expit(prior + ll1 - ll0), 0.0)
        share = min(max(float(post[seen].mean()), 1e-3), 1 - 1e-3)
        weight = float((post * w * w / units.spread**2).sum())
        delta = float((post * w * change / units.spread**2).sum()) / weight if weight else delta
    delta = max(delta, floor)
    at_requests = delta * w
    llr = np.where(seen, (change * at_requests - 0.5 * at_requests**2) / units.spread**2, 0.0)
    prior = math.log(share) - math.log1p(-share)
    # The mixture already weighs a unit against the incident's own rise (at the time of its
    # requests, which must be material); a unit that stands out on its own must have risen
    # materially.
    tested = _holm(np.where(seen, ndtr(-z), 1.0), HOLM_ALPHA) & (change >= math.log(MIN_RATIO))
    material = seen & (delta * units.peak >= math.log(MIN_RATIO))
    result: BoolArray = (((prior + llr > 0) & material) | tested) & seen
    return Verdict(result, np.asarray(llr, dtype=np.float64), prior, tested & seen, material)


@dataclass(frozen=True)
class Judged:
    """Units of one dimension in the scope, judged: a frame of :data:`UNIT_COLUMNS`."""

    dim: str
    units: pd.DataFrame
    verdict: Verdict | None = None
    """The evidence per unit, in the order of :attr:`values`."""
    values: tuple[str, ...] = ()

    @property
    def affected(self) -> list[str]:
        """Affected values, most excess first."""
        return [str(v) for v in self.units.loc[self.units["affected"], "value"]]

    @property
    def tested(self) -> set[str]:
        """Values whose own change passed the per-unit test (none without a verdict)."""
        if self.verdict is None:
            return set()
        return {v for v, t in zip(self.values, self.verdict.tested, strict=True) if t}


def judge(cells: CellTable, scope: Scope, dim: str, signal: str, noise: Noise) -> Judged:
    """Judge each value of ``dim`` on the cells of ``scope`` (its own ``dim`` set aside).

    Args:
        cells: the cells inside and outside the incident's minutes.
        scope: dimension -> values kept (``None``: all).
        dim: the dimension whose values are judged.
        signal: ``"errors"`` or ``"latency"``.
        noise: for latency, how noisy a request and a minute are.
    """
    mask = cells.mask({d: v for d, v in scope.items() if d != dim})
    sums = cells.pair_sums(mask, dim, STRATA.get(dim), signal)
    if signal == "errors":
        units, pairs, p_values = error_units(sums, STRATA.get(dim) in cells.codes)
        verdict = _classify_errors(units, pairs, p_values, noise.rise)
    else:
        units = latency_units(sums, noise)
        verdict = _classify_latency(units, noise.rise)
    affected = verdict.affected
    seen = units.n_in > 0
    level = np.divide(units.x_in, units.n_in, out=np.zeros_like(units.x_in), where=seen)
    baseline = np.divide(units.expected, units.n_in, out=np.zeros_like(units.x_in), where=seen)
    failures = units.x_in
    if signal == "latency":  # as people read it: milliseconds; no failures counted
        level, baseline, failures = np.expm1(level), np.expm1(baseline), np.full_like(level, np.nan)
    frame = pd.DataFrame(
        {
            "value": units.values,
            "requests": units.n_in,
            "failures": failures,
            "level": level,
            "baseline": baseline,
            "affected": affected,
            "excess": units.x_in - units.expected,
        }
    )
    frame = frame[seen].sort_values(["affected", "excess", "value"], ascending=[False, False, True])
    return Judged(dim, frame[UNIT_COLUMNS].reset_index(drop=True), verdict, tuple(units.values))
