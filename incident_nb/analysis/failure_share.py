"""The failure share's own likelihood where a rise starts: a jump, or a bend into a curve.

Owns what :mod:`~incident_nb.analysis.placement` asks of the failures themselves when it places
an onset: the binomial log-likelihood of a jump at each of a few minutes
(:func:`binomial_jumps`), the most likely bend of the share into a line or a curve growing with
a power of time (:func:`binomial_bend`, its slope fitted by Newton's method), and the posterior
median of a bend (:func:`posterior_median`), which latency's bends are placed by too. A minute
with a few failures among a few requests is judged by how likely its count is, not by its
share's distance. Pure numpy/scipy.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import xlogy

from incident_nb.analysis.scan import FloatArray, IntArray, Series

NEWTON_STEPS = 12
"""Newton steps fitting a bend's slope (from a start near it)."""


def binomial_jumps(
    series: Series, stop: int, ks: IntArray, near: IntArray, slopes: FloatArray
) -> FloatArray:
    """Binomial log-likelihood of a jump at each of ``ks[near]``.

    The failure share is its own rate before the jump, and from it the least-squares line
    through the minutes after (slope ``slopes``). A minute at the jump with a few failures
    among a few requests is judged by how likely its count is, not by its share's distance.
    """
    n, x = series.n[:stop], series.x[:stop]
    t = np.arange(stop, dtype=np.float64)
    out = np.empty(len(near))
    for i, index in enumerate(near):
        k = int(ks[index])
        before = float(x[:k].sum()) / max(float(n[:k].sum()), 1.0)
        after_n = float(n[k:].sum())
        if after_n <= 0:
            out[i] = -np.inf
            continue
        t_mean = float((n[k:] * t[k:]).sum()) / after_n
        level = float(x[k:].sum()) / after_n
        p = np.concatenate([np.full(k, before), level + float(slopes[index]) * (t[k:] - t_mean)])
        p = np.clip(p, 1e-9, 1 - 1e-9)
        out[i] = float((xlogy(x, p) + xlogy(n - x, 1 - p)).sum())
    return out


class Bend(NamedTuple):
    """The bend of a failure share into a rise, by its likelihood over the bends tried."""

    best: int
    """The most likely bend's index in ``ks``."""
    line: int
    """The posterior median's index (where the ramp is placed)."""
    base: float
    slope: float
    """The latter's curve: base rate and slope."""
    loglik: float
    """The most likely bend's log-likelihood."""


def binomial_bend(series: Series, stop: int, ks: IntArray, power: int = 1) -> Bend:
    """The bend of a failure share into a rise: indexes in ``ks``, and its curve.

    For each bend k: the share before k is its own rate; from k on it is that rate plus
    ``slope * (t - k) ** power``, the slope fitted by Newton's method on the binomial
    likelihood.
    """
    cn, cx = np.cumsum(series.n[:stop]), np.cumsum(series.x[:stop])
    before_n, before_x = cn[ks - 1], cx[ks - 1]
    base = np.clip(before_x / np.maximum(before_n, 1.0), 1e-9, 0.5)
    # Minutes before the first bend tried sit at the base rate whatever the bend: summed once.
    first = int(ks[0])
    early_n, early_x = cn[first - 1], cx[first - 1]
    early = xlogy(early_x, base) + xlogy(early_n - early_x, 1 - base)
    n, x = series.n[first:stop], series.x[first:stop]
    t = np.arange(first, stop, dtype=np.float64)
    h = np.maximum(t[None, :] - ks[:, None], 0.0) ** power  # (bends, minutes)
    top = np.maximum(h.max(axis=1), 1.0)
    # Start from the rise of the mean share after k over the mean distance from k.
    after_n = np.maximum(cn[-1] - cn[ks - 1], 1.0)
    mean_h = (h * n).sum(axis=1) / after_n
    rate_after = (cx[-1] - cx[ks - 1]) / after_n
    slope = np.clip((rate_after - base) / np.maximum(mean_h, 1.0), 0.0, (1 - base) / top)
    for _ in range(NEWTON_STEPS):
        p = np.clip(base[:, None] + slope[:, None] * h, 1e-9, 1 - 1e-9)
        grad = (h * (x / p - (n - x) / (1 - p))).sum(axis=1)
        hess = (h * h * (x / p**2 + (n - x) / (1 - p) ** 2)).sum(axis=1)
        step = np.divide(grad, hess, out=np.zeros_like(grad), where=hess > 0)
        slope = np.clip(slope + step, 0.0, (1 - 1e-9 - base) / top)
    p = np.clip(base[:, None] + slope[:, None] * h, 1e-9, 1 - 1e-9)
    loglik = early + (xlogy(x, p) + xlogy(n - x, 1 - p)).sum(axis=1)
    best = int(np.argmax(loglik))
    line = posterior_median(loglik)
    return Bend(best, line, float(base[line]), float(slope[line]), float(loglik[best]))


def posterior_median(loglik: FloatArray) -> int:
    """The index of the median of a posterior proportional to ``exp(loglik)`` (flat prior).

    A ramp's first minutes hold little: the likelihood of its bend is flat over several
    minutes, and its single highest point strays; the posterior median is the estimate with
    the least expected error in minutes.
    """
    weight = np.exp(np.where(np.isfinite(loglik), loglik - np.nanmax(loglik), -np.inf))
    return int(np.searchsorted(np.cumsum(weight), 0.5 * weight.sum()))
