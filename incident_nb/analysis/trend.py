"""Is it getting worse? The trend of the affected group's failure share (or latency).

Owns the trend verdict: over the minutes since the onset (around the end when the incident
recovered, see :func:`judged_minutes`), a weighted least-squares
line through the per-minute level, each minute weighted by its requests, with a test whose
noise is the binomial (or per-request) noise scaled by the overdispersion of the minutes
around the line, so that power grows with volume but a jumpy series is not called a trend.
"worsening" when the line rises significantly and by a material share of its level,
"recovering" when it falls so, "stable" otherwise. The slope has one unit: percentage points
of the failure share per minute, or milliseconds per minute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import stdtr

from incident_nb.analysis.scan import FloatArray, Series

TREND_MINUTES = 30
"""Without an onset, the trend is judged over this many of the last minutes."""
ONSET_MARGIN = 2
"""Minutes after the onset left out of the trend (the onset is placed within them)."""
AROUND_END = 15
"""When the incident ended, the trend is judged from this many minutes before its end."""
TREND_ALPHA = 0.01
MATERIAL = 0.1
"""A trend must move the level by at least this share of its mean over the judged minutes
(for latency: the typical latency by this factor minus one)."""
MIN_MINUTES = 4


@dataclass(frozen=True)
class Trend:
    """Where the affected group's failure share (or latency) is heading.

    Attributes:
        direction: "worsening", "stable" or "recovering".
        slope: change per minute, in ``unit``.
        unit: "pp/min" (percentage points of the failure share) or "ms/min".
        start_level: the fitted level at the first judged minute (percent, or ms).
        end_level: the fitted level at the last judged minute (percent, or ms).
        first: index of the first judged minute; last: of the last one.
        p_value: two-sided p-value of "no slope".
    """

    direction: str
    slope: float
    unit: str
    start_level: float
    end_level: float
    first: int
    last: int
    p_value: float

    @property
    def minutes(self) -> int:
        """How many minutes the trend was judged over."""
        return self.last - self.first + 1


def judged_minutes(series: Series, onset: int | None, end: int | None) -> tuple[int, int]:
    """The minutes ``[first, last]`` a trend is judged over.

    Since the onset (leaving out its first :data:`ONSET_MARGIN` minutes, within which the
    onset itself is placed, so that the step up does not read as a climb); around the end when
    the incident recovered; without an onset, the last :data:`TREND_MINUTES`.
    """
    last = len(series.n) - 1
    if onset is None:
        return max(last - TREND_MINUTES + 1, 0), last
    if end is not None:
        first = max(onset, end - AROUND_END)
        return first, min(last, max(end + AROUND_END - 1, first))
    return max(onset, min(onset + ONSET_MARGIN, last - 2 * MIN_MINUTES + 1)), last


def judge_trend(series: Series, signal: str, first: int, last: int) -> Trend:
    """The trend of a one-minute series over minutes ``[first, last]``.

    Args:
        series: per-minute sums (requests and failures, or timed requests and log latency).
        signal: ``"errors"`` or ``"latency"``.
        first: the first minute judged.
        last: the last minute judged.
    """
    n = series.n[first : last + 1]
    x = series.x[first : last + 1]
    minutes = np.arange(len(n), dtype=np.float64)
    seen = n > 0
    unit = "pp/min" if signal == "errors" else "ms/min"
    if int(seen.sum()) < MIN_MINUTES:
        level = _display(_pooled(n, x), signal)
        return Trend("stable", 0.0, unit, level, level, first, last, 1.0)
    y = x[seen] / n[seen]
    w, t = n[seen], minutes[seen]
    t_mean = float((w * t).sum() / w.sum())
    y_mean = float((w * y).sum() / w.sum())
    sxx = float((w * (t - t_mean) ** 2).sum())
    slope = float((w * (t - t_mean) * (y - y_mean)).sum()) / sxx if sxx > 0 else 0.0
    fitted = y_mean + slope * (t - t_mean)
    if signal == "errors":
        noise = max(y_mean * (1 - y_mean), 1.0 / float(w.sum()))
    else:
        noise = _log_variance(series, first, last)
    dof = max(len(y) - 2, 1)
    phi = max(1.0, float((w * (y - fitted) ** 2).sum()) / noise / dof)
    stderr = math.sqrt(phi * noise / sxx) if sxx > 0 else math.inf
    p_value = float(2 * stdtr(dof, -abs(slope) / stderr)) if stderr > 0 else 1.0
    span = float(minutes[-1])
    start, end = y_mean + slope * (0 - t_mean), y_mean + slope * (span - t_mean)
    change = end - start
    if signal == "errors":
        material = abs(change) >= MATERIAL * max(y_mean, 1.0 / float(w.sum()))
    else:
        material = abs(change) >= math.log1p(MATERIAL)
    direction = "stable"
    if p_value < TREND_ALPHA and material:
        direction = "worsening" if slope > 0 else "recovering"
    start_level, end_level = _display(start, signal), _display(end, signal)
    per_minute = (end_level - start_level) / span if span > 0 else 0.0
    return Trend(direction, per_minute, unit, start_level, end_level, first, last, p_value)


def _pooled(n: FloatArray, x: FloatArray) -> float:
    total = float(n.sum())
    return float(x.sum()) / total if total else 0.0


def _display(level: float, signal: str) -> float:
    """A level as people read it: percent of requests failing, or milliseconds."""
    if signal == "errors":
        return 100.0 * min(max(level, 0.0), 1.0)
    return math.expm1(level)


def _log_variance(series: Series, first: int, last: int) -> float:
    """Per-request variance of the log latency within minutes over ``[first, last]``."""
    n = series.n[first : last + 1]
    x = series.x[first : last + 1]
    x2 = series.x2[first : last + 1]
    many = n >= 2
    if not many.any():
        return 1.0
    ss = float((x2[many] - x[many] ** 2 / n[many]).sum())
    dof = float((n[many] - 1).sum())
    return max(ss / dof, 1e-6) if dof > 0 else 1.0
