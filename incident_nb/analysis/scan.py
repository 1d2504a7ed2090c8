"""Scan statistics: did a per-minute series step up, where, and how sure is that?

Owns the statistics of the onset search, for many groups at once: the best upward split of each
group's series ("from bin k on, higher"), the best elevated segment of one series (a change that
later recovered), the overdispersion of real minutes, the evidence left once the most extreme
minutes are set aside, and the Bonferroni account of every group and position searched.

Two signals share the code, as rows of :data:`SIGNALS`: the share of failing requests
(binomial deviance) and latency (a normal mean on the log scale, ``ln(1 + ms)``). Series come
as :class:`Series` of per-bin sums: ``n`` (requests, or requests with a latency), ``x``
(failures, or the sum of log latencies) and ``x2`` (the sum of squared log latencies).
Pure numpy/scipy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# scipy.special, not scipy.stats: the analysis runs in every analyze, and scipy.stats alone takes
# longer to import than the search takes to run.
from scipy.special import chdtri, log_ndtr, xlogy

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ALPHA = 0.01
"""Family-wise chance of reporting a rise in a series (or a log) where nothing changed."""
LEAVE_OUT = 2
"""Minutes with the most excess set aside before a change counts: one burst is not an onset."""
MIN_RATIO = 1.5
"""A change counts when the level inside is at least this multiple of the level outside."""
MIN_BEFORE = 3
"""Minutes an onset leaves before it: at the window's very start it cannot be told from a
window that began during the incident."""
CHI2_MEDIAN = float(chdtri(1, 0.5))
"""Median of a chi-square with one degree of freedom (robust overdispersion)."""
MIN_DISPERSION_MINUTES = 8
"""Fewer minutes with enough data than this: the binomial (or normal) noise is taken as is."""


@dataclass(frozen=True)
class Series:
    """Per-bin sums of one or many groups (arrays of shape ``(bins,)`` or ``(groups, bins)``)."""

    n: FloatArray
    x: FloatArray
    x2: FloatArray

    def rows(self, index: IntArray | slice) -> Series:
        """The series of some groups."""
        return Series(self.n[index], self.x[index], self.x2[index])

    def row(self, i: int) -> Series:
        """One group's series as 1-d arrays."""
        return Series(self.n[i], self.x[i], self.x2[i])

    def without(self, bins: IntArray) -> Series:
        """A 1-d series with ``bins`` emptied (as if no request fell in them)."""
        n, x, x2 = self.n.copy(), self.x.copy(), self.x2.copy()
        n[bins] = x[bins] = x2[bins] = 0.0
        return Series(n, x, x2)


def sum_by(codes: IntArray, weights: FloatArray, size: int) -> FloatArray:
    """Sum of ``weights`` per code ``0..size-1`` (a typed :func:`numpy.bincount`)."""
    return np.asarray(np.bincount(codes, weights=weights, minlength=size), dtype=np.float64)


def _binomial_gain(
    nb: FloatArray, xb: FloatArray, na: FloatArray, xa: FloatArray, var: FloatArray
) -> FloatArray:
    """Deviance explained by two rates instead of one (twice the log-likelihood ratio)."""

    def loglik(n: FloatArray, x: FloatArray) -> FloatArray:
        p = np.divide(x, n, out=np.zeros_like(x, dtype=np.float64), where=n > 0)
        return np.asarray(xlogy(x, p) + xlogy(n - x, 1.0 - p), dtype=np.float64)

    del var
    return np.maximum(2.0 * (loglik(nb, xb) + loglik(na, xa) - loglik(nb + na, xb + xa)), 0.0)


def _normal_gain(
    nb: FloatArray, xb: FloatArray, na: FloatArray, xa: FloatArray, var: FloatArray
) -> FloatArray:
    """Deviance explained by two means instead of one, per-request variance ``var``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = xa / na - xb / nb
        gain = nb * na / (nb + na) * diff * diff / var
    return np.where((nb > 0) & (na > 0), gain, 0.0)


def _rate(n: FloatArray, x: FloatArray) -> FloatArray:
    return np.divide(x, n, out=np.zeros_like(np.asarray(x, dtype=np.float64)), where=n > 0)


@dataclass(frozen=True)
class Signal:
    """One kind of change looked for: its deviance, its level and how levels compare."""

    name: str
    gain: Callable[[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray], FloatArray]
    ratio: Callable[[float, float], float]
    """How many times the level inside is the level outside."""
    min_ratio: float
    """An onset rises at least this many times."""


SIGNALS: dict[str, Signal] = {
    "errors": Signal(
        "errors",
        _binomial_gain,
        lambda inside, outside: math.inf if outside <= 0 else inside / outside,
        MIN_RATIO,
    ),
    "latency": Signal(
        "latency",
        _normal_gain,
        lambda inside, outside: math.exp(inside - outside),
        MIN_RATIO,
    ),
}


def other_signal(signal: str) -> str:
    """The other of the two signals (a group may both fail and slow)."""
    return "latency" if signal == "errors" else "errors"


def within_variance(series: Series, fallback: float | FloatArray = 1.0) -> FloatArray:
    """Per-request variance of the log latency within bins, per group (shape ``(groups, 1)``).

    Pooled over the bins holding two or more requests; a group with fewer than 20 such degrees
    of freedom takes ``fallback`` (one for all, or one per group).
    """
    n = np.atleast_2d(series.n)
    x = np.atleast_2d(series.x)
    x2 = np.atleast_2d(series.x2)
    ss = np.where(n >= 2, x2 - np.divide(x * x, n, out=np.zeros_like(x), where=n > 0), 0.0)
    dof = np.where(n >= 2, n - 1, 0.0).sum(axis=1)
    var = np.divide(ss.sum(axis=1), dof, out=np.full(len(dof), fallback), where=dof >= 20)
    return np.asarray(np.maximum(var, 1e-6)[:, None], dtype=np.float64)


@dataclass(frozen=True)
class Splits:
    """The best upward split of each group: from bin ``index`` on, the level is higher."""

    index: IntArray
    gain: FloatArray
    before: FloatArray
    after: FloatArray


def best_splits(signal: Signal, series: Series, var: FloatArray, min_before: int = 1) -> Splits:
    """The best upward split of each row of ``series`` (2-d), by deviance explained.

    A split leaves at least ``min_before`` bins before it (an onset at the window's very start
    cannot be told from a window that began during the incident).
    """
    n, x = np.atleast_2d(series.n), np.atleast_2d(series.x)
    zero = np.zeros((n.shape[0], 1))
    cn = np.concatenate([zero, np.cumsum(n, axis=1)], axis=1)
    cx = np.concatenate([zero, np.cumsum(x, axis=1)], axis=1)
    nb, xb = cn[:, 1:-1], cx[:, 1:-1]
    na, xa = cn[:, -1:] - nb, cx[:, -1:] - xb
    before, after = _rate(nb, xb), _rate(na, xa)
    gain = signal.gain(nb, xb, na, xa, var)
    early = np.arange(1, gain.shape[1] + 1) < min_before
    gain = np.where((after > before) & (nb > 0) & (na > 0) & ~early, gain, 0.0)
    if gain.shape[1] == 0:
        empty = np.zeros(n.shape[0])
        return Splits(np.ones(n.shape[0], dtype=np.int64), empty, empty, empty)
    best = np.argmax(gain, axis=1)
    rows = np.arange(n.shape[0])
    return Splits(
        (best + 1).astype(np.int64), gain[rows, best], before[rows, best], after[rows, best]
    )


def without_bursts(series: Series) -> Series:
    """The rows of a 2-d ``series``, each with its :data:`LEAVE_OUT` most excessive bins emptied.

    Excess is against the row's own level over the whole window.
    """
    n, x, x2 = series.n, series.x, series.x2
    if n.shape[1] <= LEAVE_OUT + 1:
        return series
    level = x.sum(axis=1, keepdims=True) / np.maximum(n.sum(axis=1, keepdims=True), 1e-12)
    top = np.argpartition(n * level - x, LEAVE_OUT - 1, axis=1)[:, :LEAVE_OUT]
    rows = np.arange(n.shape[0])[:, None]
    n, x, x2 = n.copy(), x.copy(), x2.copy()
    n[rows, top] = x[rows, top] = x2[rows, top] = 0.0
    return Series(n, x, x2)


@dataclass(frozen=True)
class Segment:
    """An elevated stretch ``[start, end)`` of one series against the bins outside it."""

    start: int
    end: int
    gain: float
    inside: float
    outside: float


def segment_levels(series: Series, start: int, end: int) -> tuple[float, float, float, float]:
    """Requests and level inside ``[start, end)`` and outside it."""
    inside = slice(start, end)
    n_in, x_in = float(series.n[inside].sum()), float(series.x[inside].sum())
    n_out, x_out = float(series.n.sum()) - n_in, float(series.x.sum()) - x_in
    return (
        n_in,
        x_in / n_in if n_in else 0.0,
        n_out,
        x_out / n_out if n_out else 0.0,
    )


def segment_gain(signal: Signal, series: Series, start: int, end: int, var: float) -> Segment:
    """The deviance explained by ``[start, end)`` having its own level."""
    n_in, inside, n_out, outside = segment_levels(series, start, end)

    def one(value: float) -> FloatArray:
        return np.array([value], dtype=np.float64)

    gain = 0.0
    if inside > outside:
        gains = signal.gain(
            one(n_out), one(outside * n_out), one(n_in), one(inside * n_in), one(var)
        )
        gain = float(gains[0])
    return Segment(start, end, gain, inside, outside)


def best_segment(signal: Signal, series: Series, var: float, min_before: int = 1) -> Segment:
    """The elevated stretch of a 1-d series that explains the most deviance.

    The stretch starts at least ``min_before`` bins into the series.
    """
    cn = np.concatenate([[0.0], np.cumsum(series.n)])
    cx = np.concatenate([[0.0], np.cumsum(series.x)])
    size = len(series.n)
    starts, ends = np.triu_indices(size + 1, 1)
    n_in, x_in = cn[ends] - cn[starts], cx[ends] - cx[starts]
    n_out, x_out = cn[-1] - n_in, cx[-1] - x_in
    gain = signal.gain(n_out, x_out, n_in, x_in, np.array(var))
    gain = np.where((_rate(n_in, x_in) > _rate(n_out, x_out)) & (starts >= min_before), gain, 0.0)
    best = int(np.argmax(gain))
    start, end = int(starts[best]), int(ends[best])
    return segment_gain(signal, series, start, end, var)


def dispersion(series: Series, start: int, end: int, var: float, binomial: bool) -> float:
    """How much more the bins outside ``[start, end)`` vary than chance allows (>= 1).

    The median squared Pearson residual of those bins against their common level, over the
    median of a chi-square(1): robust to a few odd bins, and measured where nothing changed.
    """
    mask = np.ones(len(series.n), dtype=bool)
    mask[start:end] = False
    n, x = series.n[mask], series.x[mask]
    total = float(n.sum())
    if total <= 0:
        return 1.0
    level = float(x.sum()) / total
    if binomial:
        expected_var = n * level * (1.0 - level)
        valid = expected_var >= 1.0
        resid = (x - n * level) ** 2 / np.where(valid, expected_var, 1.0)
    else:
        valid = n >= 1
        resid = (x - n * level) ** 2 / np.where(valid, n * var, 1.0)
    if int(valid.sum()) < MIN_DISPERSION_MINUTES:
        return 1.0
    return max(1.0, float(np.median(resid[valid])) / CHI2_MEDIAN)


def leave_out(signal: Signal, series: Series, segment: Segment, var: float) -> Segment:
    """The segment's evidence once its :data:`LEAVE_OUT` most excessive bins are set aside."""
    inside = np.arange(segment.start, segment.end)
    excess = series.x[inside] - series.n[inside] * segment.outside
    drop = inside[np.argsort(excess)[::-1][:LEAVE_OUT]]
    return segment_gain(signal, series.without(drop), segment.start, segment.end, var)


def log10_p(gain: float, multiplicity: float) -> float:
    """log10 of the Bonferroni-adjusted p-value of a deviance ``gain`` (chi-square, 1 dof)."""
    # sf of a chi-square(1) is twice the normal tail at its root; log_ndtr keeps its precision
    # far out, where the log of the chi-square's own sf underflows to -inf.
    raw = (float(log_ndtr(-math.sqrt(max(gain, 0.0)))) + math.log(2.0)) / math.log(10)
    return min(0.0, raw + math.log10(max(multiplicity, 1.0)))


def p_words(log10p: float) -> str:
    """The strength of evidence as an SRE reads it: ``p < 1e-9``, ``p = 0.003``."""
    if log10p <= -9:
        return "p < 1e-9"
    p = 10**log10p
    if p < 0.001:
        return f"p = {p:.0e}".replace("e-0", "e-")
    return f"p = {p:.3f}".rstrip("0").rstrip(".") if p < 1 else "p = 1"
