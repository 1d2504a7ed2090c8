"""Resource evidence: a service's CPU, memory, latency percentiles and success rate.

Metric rows (``time, service, metric, unit, value``) of the window are compared with the
baseline's. Which metrics say something about a service's health, and which way is worse, is a
table (:data:`METRIC_KINDS`): CPU and memory up, latency up, success rate down; node-level
metrics say nothing about one service and are left out.

Per service and metric, the change is the log ratio of the window's worst row (a fault shows in
the minutes it covers, not in their average) to the baseline's median (one spike in a short
baseline is no level), with the fleet's typical
baseline level of that metric (the median over services) added to both: an idle service that
wakes up (5 to 20 millicores of CPU) is no saturated one (15 to 500), and near-zero values make
no huge ratios (half the fleet's level is added).
Many services move together when the load changes, so the fleet's median change of the same
metric is subtracted; and the others' spread (1.4826 median absolute deviations, at least 5%)
says how much a service's metric varies without a fault: the strength counts only the excess
beyond three such deviations, and how sure it is comes from the excess in deviations (a normal
tail probability, corrected for the service's number of metrics). A busy service whose CPU
doubles with its load is then no CPU hog, and a CPU saturated by a stress tool (30 times or
more) stays one. A metric only one or two services report cannot be compared
across the fleet: its change is judged against a doubling instead.

Latency percentiles measured in front of a service grow with its callees' delays, and a
service without traffic reports percentiles of almost nothing; when spans are given, they show
each service's own time and its edges, which are the better evidence, so metric latencies are
then shown without being scored.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from incident_nb.analysis.localize.latency import _scored
from incident_nb.analysis.localize.model import FINDING_COLUMNS
from incident_nb.analysis.localize.stats import normal_sf


@dataclass(frozen=True)
class MetricKind:
    """Metrics whose name matches ``pattern``: what they measure and which way is worse."""

    kind: str
    pattern: str
    worse: str
    """``up``, ``down``, or empty for metrics that are not evidence."""


METRIC_KINDS: tuple[MetricKind, ...] = (
    MetricKind("node", r"^node", ""),
    MetricKind("cpu", r"cpu", "up"),
    MetricKind("memory", r"mem", "up"),
    MetricKind("success rate", r"success", "down"),
    MetricKind("errors", r"error|fail", "up"),
    MetricKind("latency", r"latency|duration|response.?time|p(50|90|95|99)\b", "up"),
)
"""The first kind whose pattern matches a metric name (case-insensitive) applies."""
LEVEL_FLOOR = 0.5
"""Share of the fleet's typical baseline level of a metric added to both sides of a ratio."""
NOISE_DEVIATIONS = 3.0
"""Deviations of the fleet's changes a change must exceed before it has any strength."""
MIN_SPREAD = math.log(1.05)
"""The smallest spread assumed (a 5% change is measurement noise)."""
MIN_FLEET = 3
"""Services needed to judge a metric against the fleet."""


def metric_kind(name: str) -> MetricKind | None:
    """The kind of a metric by its name, or None when it is not evidence."""
    for kind in METRIC_KINDS:
        if re.search(kind.pattern, name, re.IGNORECASE):
            return kind if kind.worse else None
    return None


def resource_findings(
    window: pd.DataFrame, baseline: pd.DataFrame, traced: bool = False
) -> pd.DataFrame:
    """One finding per service and metric of a known kind that got worse than the fleet's.

    Args:
        window: the window's metric rows.
        baseline: the baseline's.
        traced: whether spans show the services' latency (metric latencies are then not scored).
    """
    names = pd.concat([window["metric"], baseline["metric"]]).unique()
    kinds = {str(n): k for n in names if (k := metric_kind(str(n))) is not None}
    if not kinds:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    worse_up = {m: k.worse == "up" for m, k in kinds.items()}
    w = _per_time(window[window["metric"].isin(list(kinds))], worse_up)
    b = _per_time(baseline[baseline["metric"].isin(list(kinds))], worse_up)
    up_w = w["metric"].map(worse_up).astype(bool)
    key = ["service", "metric"]
    worst = w.assign(v=np.where(up_w, w["value"], -w["value"])).groupby(key)["v"].max()
    table = pd.DataFrame(
        {
            "after": worst,
            "before": b.groupby(key)["value"].median(),
            "n_window": w.groupby(key).size(),
            "n_baseline": b.groupby(key).size(),
        }
    ).dropna()
    if table.empty:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    table = table.reset_index()
    up = table["metric"].map(worse_up).astype(bool).to_numpy()
    table["after"] = np.where(up, table["after"], -table["after"])
    level = table.groupby("metric")["before"].transform(lambda v: v.abs().median())
    floor = LEVEL_FLOOR * np.maximum(level.to_numpy(dtype="float64"), 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.log((table["after"].to_numpy() + floor) / (table["before"].to_numpy() + floor))
    table["change"] = np.where(up, change, -change)
    table = table[np.isfinite(table["change"])]
    size = table.groupby("metric")["change"].transform("size")
    median = table.groupby("metric")["change"].transform("median")
    mad = (table["change"] - median).abs().groupby(table["metric"]).transform("median")
    fleet = median.where(size >= MIN_FLEET, 0.0)
    spread = np.maximum(1.4826 * mad, MIN_SPREAD).where(size >= MIN_FLEET, math.log(2.0))
    table = table.assign(fleet=fleet, excess=table["change"] - fleet, spread=spread)
    table = table[table["excess"] > 0]
    units = pd.concat([window, baseline]).drop_duplicates("metric").set_index("metric")["unit"]
    rows: list[dict[str, object]] = []
    for r in table.itertuples(index=False):
        kind = kinds[str(r.metric)]
        unit = str(units.get(r.metric, ""))
        scored = not (kind.kind == "latency" and traced)
        verb, sign = ("rose", 1.0) if kind.worse == "up" else ("fell", -1.0)
        rows.append(
            {
                "service": r.service,
                "signal": "resources",
                "item": f"{kind.kind}: {r.metric}",
                "unit": unit,
                "baseline": float(r.before),
                "window": float(r.after),
                "n_baseline": int(r.n_baseline),
                "n_window": int(r.n_window),
                "p_value": normal_sf(float(r.excess) / float(r.spread)) if scored else 1.0,
                "strength": 1.0
                - math.exp(-max(0.0, float(r.excess) - NOISE_DEVIATIONS * float(r.spread))),
                "summary": (
                    f"{r.metric} {verb} from {_value(float(r.before), unit)} to "
                    f"{_value(float(r.after), unit)} ({_factor(sign * float(r.change))}; "
                    f"the fleet's median change {_factor(sign * float(r.fleet))})"
                ),
            }
        )
    findings = _scored(rows)
    return findings if not findings.empty else pd.DataFrame(columns=list(FINDING_COLUMNS))


def _per_time(rows: pd.DataFrame, worse_up: dict[str, bool]) -> pd.DataFrame:
    """One value per service, metric and time: the worst of its entities (pods) then."""
    up = rows["metric"].map(worse_up).astype(bool).to_numpy()
    signed = rows.assign(value=np.where(up, rows["value"], -rows["value"]))
    worst = signed.groupby(["service", "metric", "time"])["value"].max().reset_index()
    back = worst["metric"].map(worse_up).astype(bool).to_numpy()
    worst["value"] = np.where(back, worst["value"], -worst["value"])
    return worst


def _factor(log_ratio: float) -> str:
    return f"{math.exp(log_ratio):.2g}x" if math.isfinite(log_ratio) else "n/a"


def _value(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.3g} ms"
    if unit == "%":
        return f"{value:.3g}%"
    if unit == "millicores":
        return f"{value:.3g} millicores"
    return f"{value:.3g} {unit}".strip()


__all__ = ["METRIC_KINDS", "MetricKind", "metric_kind", "resource_findings"]
