"""Step 1 of the workflow from the evidence: onset, trend, affected tenants, failing endpoints.

Pure functions: per-minute DataFrames in, DataFrames and small frozen values out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import stdtr

from incident_nb.analysis.changepoint import error_rate_onset, mean_shift_onset
from incident_nb.analysis.scan import Series
from incident_nb.analysis.trend import judge_trend

TREND_MINUTES = 30
# A group (tenant, endpoint) is affected when its error rate rose at the onset with a
# two-proportion z-score at least this large, and at least doubled.
MIN_Z = 4.0
NO_VALUE = "(none)"
"""How the store names the group of records without a tenant (or endpoint) field."""


@dataclass(frozen=True)
class Onset:
    """When the incident started, by which signal, and the levels before and after."""

    at: datetime
    signal: str  # "error rate" or "latency p95"
    before: float
    after: float


@dataclass(frozen=True)
class Trend:
    """Direction of the error rate over the last minutes of the window."""

    direction: str  # "worsening", "stable" or "recovering"
    slope_per_min: float
    """Change of the error rate (a share of requests) per minute."""
    start_rate: float
    end_rate: float
    minutes: int
    p_value: float


def error_rates(per_minute: pd.DataFrame) -> pd.Series:
    """Error rate (errors / requests) of each row."""
    return (per_minute["errors"] / per_minute["requests"].where(per_minute["requests"] > 0)).fillna(
        0.0
    )


def detect_onset(per_minute: pd.DataFrame) -> Onset | None:
    """Detect the onset from a per-minute frame (minute, requests, errors, p95_ms).

    The error rate is tried first; when it did not shift, a p95 latency shift is looked for.
    """
    if per_minute.empty:
        return None
    frame = per_minute.sort_values("minute", ignore_index=True)
    shift = error_rate_onset(frame["errors"].to_numpy(float), frame["requests"].to_numpy(float))
    if shift is not None:
        return Onset(
            _ts(frame["minute"].iloc[shift.index]), "error rate", shift.before, shift.after
        )
    if "p95_ms" in frame:
        lat = mean_shift_onset(frame["p95_ms"].to_numpy(float))
        if lat is not None:
            return Onset(_ts(frame["minute"].iloc[lat.index]), "latency p95", lat.before, lat.after)
    return None


def _ts(value: object) -> datetime:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.to_pydatetime()


def _linear_fit(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]
) -> tuple[float, float, float]:
    """Least-squares slope and intercept, and the two-sided p-value of "slope = 0" (t-test)."""
    n = len(x)
    x_mean, y_mean = float(x.mean()), float(y.mean())
    sxx = float(((x - x_mean) ** 2).sum())
    slope = float(((x - x_mean) * (y - y_mean)).sum()) / sxx
    intercept = y_mean - slope * x_mean
    residual = float(((y - (intercept + slope * x)) ** 2).sum())
    if residual == 0:
        return slope, intercept, 0.0 if slope else 1.0
    stderr = np.sqrt(residual / (n - 2) / sxx)
    p_value = float(2 * stdtr(n - 2, -abs(slope / stderr)))
    return slope, intercept, p_value


def error_trend(
    per_minute: pd.DataFrame, minutes: int = TREND_MINUTES, since: datetime | None = None
) -> Trend:
    """Direction of the error rate over the last ``minutes`` minutes (from ``since`` if later).

    Judged by :func:`~incident_nb.analysis.trend.judge_trend`: a line through the per-minute
    rates weighted by requests, tested against binomial noise scaled by the overdispersion of
    the minutes, so a steady climb reads "worsening" at any realistic volume.
    """
    frame = per_minute.sort_values("minute", ignore_index=True)
    if frame.empty:
        return Trend("stable", 0.0, 0.0, 0.0, 0, 1.0)
    start = pd.Timestamp(frame["minute"].iloc[0])
    offsets = (pd.to_datetime(frame["minute"], utc=True) - start) // pd.Timedelta(minutes=1)
    index = offsets.to_numpy(dtype=np.int64)
    size = int(index[-1]) + 1
    requests = np.zeros(size)
    errors = np.zeros(size)
    np.add.at(requests, index, frame["requests"].to_numpy(dtype=np.float64))
    np.add.at(errors, index, frame["errors"].to_numpy(dtype=np.float64))
    first = max(0, size - minutes)
    if since is not None:
        onset = int((pd.Timestamp(since) - start) // pd.Timedelta(minutes=1))
        first = min(max(first, onset), size - 1)
    trend = judge_trend(Series(requests, errors, errors), "errors", first, size - 1)
    return Trend(
        trend.direction,
        trend.slope / 100,
        trend.start_level / 100,
        trend.end_level / 100,
        trend.minutes,
        trend.p_value,
    )


def _z_increase(e1: pd.Series, n1: pd.Series, e0: pd.Series, n0: pd.Series) -> pd.Series:
    """Two-proportion z-score of rate 1 over rate 0 (pooled variance)."""
    p1 = e1 / n1.where(n1 > 0)
    p0 = e0 / n0.where(n0 > 0)
    pooled = (e1 + e0) / (n1 + n0).where((n1 + n0) > 0)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1.where(n1 > 0) + 1 / n0.where(n0 > 0)))
    z: pd.Series = ((p1 - p0) / se.where(se > 0)).fillna(0.0)
    return z


def group_impact(groups: pd.DataFrame, key: str, onset: datetime | None) -> pd.DataFrame:
    """Requests, errors and error rate per ``key`` (tenant or endpoint) since the onset.

    A group is ``affected`` when its error rate since the onset is significantly above its own
    rate before the onset (or, without an onset, above the rate of all other groups).

    Returns columns: key, requests, errors, error_rate, baseline_error_rate, z, affected;
    affected groups first, then by errors.
    """
    columns = [key, "requests", "errors", "error_rate", "baseline_error_rate", "z", "affected"]
    if groups.empty:
        return pd.DataFrame(columns=columns)
    if onset is not None:
        after_mask = groups["minute"] >= pd.Timestamp(onset)
        after = groups[after_mask].groupby(key)[["requests", "errors"]].sum()
        before = groups[~after_mask].groupby(key)[["requests", "errors"]].sum()
        before = before.reindex(after.index, fill_value=0)
    else:
        after = groups.groupby(key)[["requests", "errors"]].sum()
        totals = after.sum()
        before = pd.DataFrame(
            {
                "requests": totals["requests"] - after["requests"],
                "errors": totals["errors"] - after["errors"],
            }
        )
    out = after.copy()
    out["error_rate"] = (out["errors"] / out["requests"].where(out["requests"] > 0)).fillna(0.0)
    baseline = (before["errors"] / before["requests"].where(before["requests"] > 0)).fillna(0.0)
    out["baseline_error_rate"] = baseline
    out["z"] = _z_increase(out["errors"], out["requests"], before["errors"], before["requests"])
    out["affected"] = (
        (out["z"] >= MIN_Z)
        & (out["error_rate"] >= 2 * out["baseline_error_rate"])
        & (out["errors"] > 0)
        & (out.index.astype(str) != NO_VALUE)  # records without the field are no one's
    )
    out = out.reset_index().rename(columns={"index": key})
    out = out.sort_values(
        ["affected", "errors", key], ascending=[False, False, True], ignore_index=True
    )
    return out[columns]


def window_rate(per_minute: pd.DataFrame, since: datetime | None = None) -> float:
    """Share of requests that failed from ``since`` on (the whole frame without it)."""
    frame = per_minute if since is None else per_minute[per_minute["minute"] >= pd.Timestamp(since)]
    requests = float(frame["requests"].sum())
    return float(frame["errors"].sum()) / requests if requests else 0.0


def peak_minute(per_minute: pd.DataFrame) -> tuple[float, datetime | None]:
    """The highest per-minute error rate and its minute."""
    if per_minute.empty:
        return 0.0, None
    rates = error_rates(per_minute)
    idx = int(rates.to_numpy().argmax())
    return float(rates.iloc[idx]), _ts(per_minute["minute"].iloc[idx])
