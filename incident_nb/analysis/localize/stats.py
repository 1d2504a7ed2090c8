"""The few statistics every localization signal shares, so their scores mean the same thing.

Each compared item (an operation's own time, an edge, a log template, a metric) gets two
numbers:

- a **strength** in [0, 1) saying how large the change is, on one scale for every signal:
  a duration or a metric whose typical value doubles has strength 0.5, ten times 0.9
  (``1 - before / after``); a distribution of events (what follows a log message, how many
  errors a request logs) that moved by a Kullback-Leibler divergence of D nats has
  ``1 - exp(-D)``, the same as a ratio of ``exp(D)``. Divergences weigh a change by the share of
  requests it concerns, so a new error in every request outweighs one in a few;
- a **p-value** saying how sure the change is, from a test suited to the data (rank test for
  durations, binomial test for counts, G-test for categorical distributions), corrected for the
  number of items tested in the same service and signal (Bonferroni), so a service with many
  operations gets no more chances to look anomalous by luck than a service with one.

Their product with :func:`confidence` (0 at p >= 0.1, 1 at p <= 0.001, linear in log p between)
is the item's **score**: large and sure changes score high, large but unsure or sure but small
ones do not.

The distributions come from :mod:`scipy.special`; the rank test uses the Mann-Whitney U
statistic's normal approximation with the tie correction (what ``scipy.stats.mannwhitneyu``
does for larger samples), because importing ``scipy.stats`` alone costs a second of start-up.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import special

MIN_SAMPLES = 3
"""Fewer observations than this in either period: the item is not compared."""


def confidence(p_value: float) -> float:
    """0 at p >= 0.1, 1 at p <= 0.001, linear in -log10(p) between."""
    if not math.isfinite(p_value):
        return 0.0
    level = -math.log10(max(p_value, 1e-300))
    return min(1.0, max(0.0, (level - 1.0) / 2.0))


def ratio_strength(before: float, after: float) -> float:
    """``1 - before / after`` for an increase (0 otherwise): 0.5 for a doubling."""
    if not (math.isfinite(before) and math.isfinite(after)) or after <= before or after <= 0:
        return 0.0
    return 1.0 - max(before, 0.0) / after


def rate_divergence(before: float, after: float) -> float:
    """Kullback-Leibler divergence (nats) of a Poisson rate ``after`` from ``before``.

    How unexpected the window's count per request is under the baseline's rate: it grows with
    the ratio *and* with the share of requests concerned, so an error in every request of a
    service weighs more than one in a few of them, however new both are.
    """
    if after <= before or before <= 0:
        return 0.0
    return after * math.log(after / before) - after + before


def divergence_strength(nats: float) -> float:
    """``1 - exp(-nats)``: a divergence of ln 2 nats is as strong as a doubling."""
    return 1.0 - math.exp(-max(nats, 0.0)) if math.isfinite(nats) else 0.0


def corrected(p_values: npt.ArrayLike, tests: int) -> npt.NDArray[np.float64]:
    """Bonferroni: each p-value times the number of tests, at most 1."""
    out: npt.NDArray[np.float64] = np.minimum(
        np.asarray(p_values, dtype="float64") * max(tests, 1), 1.0
    )
    return out


def greater(window: npt.ArrayLike, baseline: npt.ArrayLike) -> float:
    """One-sided Mann-Whitney p-value that ``window`` values tend to exceed ``baseline`` ones.

    A rank test: durations are skewed and heavy-tailed, and it needs no distribution.
    """
    x = np.asarray(window, dtype="float64")
    y = np.asarray(baseline, dtype="float64")
    n1, n2 = len(x), len(y)
    if n1 < MIN_SAMPLES or n2 < MIN_SAMPLES:
        return 1.0
    both = np.concatenate([x, y])
    _, inverse, counts = np.unique(both, return_inverse=True, return_counts=True)
    # Average ranks of tied values: the mean of the positions each distinct value spans.
    ends = np.cumsum(counts)
    ranks = (ends - (counts - 1) / 2.0)[inverse]
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2.0
    n = n1 + n2
    ties = float((counts**3 - counts).sum())
    variance = n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1)))
    if variance <= 0:
        return 1.0
    z = (u - n1 * n2 / 2.0 - 0.5) / math.sqrt(variance)  # with the continuity correction
    return float(special.ndtr(-z))


def more_often(count: int, exposure: float, base_count: int, base_exposure: float) -> float:
    """Binomial p-value of ``count`` events in ``exposure`` trials at the baseline's rate.

    The baseline rate is smoothed (half an event added) so an event never seen before has a
    small but not zero rate: seeing it again and again is then very unlikely by chance.
    """
    if count <= 0 or exposure <= 0:
        return 1.0
    rate = min((base_count + 0.5) / (base_exposure + 1.0), 1.0)
    trials = max(round(exposure), count)
    return float(special.bdtrc(count - 1, trials, rate))


def g_test(counts_baseline: npt.ArrayLike, counts_window: npt.ArrayLike) -> float:
    """G-test p-value that two periods' counts over the same categories differ."""
    b = np.asarray(counts_baseline, dtype="float64")
    w = np.asarray(counts_window, dtype="float64")
    nb, nw = b.sum(), w.sum()
    if nb <= 0 or nw <= 0 or len(b) < 2:
        return 1.0
    total = b + w
    expected_b = total * nb / (nb + nw)
    expected_w = total * nw / (nb + nw)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = 2.0 * (
            np.where(b > 0, b * np.log(b / expected_b), 0.0).sum()
            + np.where(w > 0, w * np.log(w / expected_w), 0.0).sum()
        )
    return float(chi2_sf(g, len(b) - 1))


def chi2_sf(statistic: npt.ArrayLike, df: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Upper tail probability of the chi-squared distribution (elementwise)."""
    out = special.chdtrc(np.asarray(df, dtype="float64"), np.asarray(statistic, dtype="float64"))
    return np.asarray(out, dtype="float64")


def normal_sf(z: float) -> float:
    """Upper tail probability of the standard normal distribution."""
    return float(special.ndtr(-z))


def quantile(values: npt.ArrayLike, q: float) -> float:
    """The ``q`` quantile (NaN for no values)."""
    array = np.asarray(values, dtype="float64")
    return float(np.quantile(array, q)) if len(array) else math.nan


def ms(value: float) -> str:
    """A duration in milliseconds, readably: ``0.42 ms``, ``12 ms``, ``1.3 s``."""
    if not math.isfinite(value):
        return "n/a"
    if value >= 1000:
        return f"{value / 1000:.1f} s"
    if value >= 10:
        return f"{value:.0f} ms"
    return f"{value:.2g} ms"


def share(value: float) -> str:
    """A share as a percentage: ``74%``, ``0.5%``."""
    percent = 100.0 * value
    return f"{percent:.0f}%" if percent >= 1 or percent == 0 else f"{percent:.1g}%"


__all__ = [
    "MIN_SAMPLES",
    "chi2_sf",
    "confidence",
    "corrected",
    "divergence_strength",
    "g_test",
    "greater",
    "more_often",
    "ms",
    "normal_sf",
    "quantile",
    "rate_divergence",
    "ratio_strength",
    "share",
]
