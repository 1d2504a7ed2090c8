"""Latency evidence: a service's own work, and the time lost on the edges between services.

- **Own time** (:func:`own_time_findings`): per service and entry operation, the service's own
  time per visit (:func:`.structure.local_requests`) in the window against the baseline. The
  change is the ratio of the medians, with 1 ms added to both so sub-millisecond jitter is no
  change: a service at fault is slower in most of its requests, while a pause or a cold cache
  makes one or two slow and moves only the tail (the 90th percentiles are reported too). How
  sure it is comes from a one-sided Mann-Whitney rank test (durations are skewed; ranks need no
  distribution), corrected for the service's number of operations.
- **Edges** (:func:`edge_findings`): per caller -> callee pair, the time a call spends between
  the caller's client span and the callee's server span (network, queues, connection pools,
  a starved CPU on either side) compared the same way. That time belongs to the edge, not to
  either end, and an edge alone cannot say which end is at fault; but a fault at one service
  slows *all* of its edges, in and out, whereas each of its neighbours has only the one edge to
  it slowed. So a service's edge score is the mean score of the edges it is an end of: a
  delayed service scores high, its callers and callees (with other, healthy edges) low.
"""

from __future__ import annotations

import pandas as pd

from incident_nb.analysis.localize.model import FINDING_COLUMNS
from incident_nb.analysis.localize.stats import (
    MIN_SAMPLES,
    confidence,
    corrected,
    greater,
    ms,
    quantile,
    ratio_strength,
)

FLOOR_MS = 1.0
"""Added to both sides of a duration ratio: a change below a millisecond is jitter."""
TAIL = 0.9
"""The tail quantile reported beside the median."""


def own_time_findings(window: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """Own-time findings per service and entry operation (local requests of both periods)."""
    rows: list[dict[str, object]] = []
    base_groups = {key: g["own_ms"].to_numpy() for key, g in baseline.groupby(["service", "entry"])}
    for (service, entry), group in window.groupby(["service", "entry"]):
        before = base_groups.get((service, entry))
        after = group["own_ms"].to_numpy()
        if before is None or len(before) < MIN_SAMPLES or len(after) < MIN_SAMPLES:
            continue
        tail_b, tail_w = quantile(before, TAIL), quantile(after, TAIL)
        mid_b, mid_w = quantile(before, 0.5), quantile(after, 0.5)
        rows.append(
            {
                "service": service,
                "signal": "latency",
                "item": f"own time in {entry}",
                "unit": "ms",
                "baseline": mid_b,
                "window": mid_w,
                "n_baseline": len(before),
                "n_window": len(after),
                "p_value": greater(after, before),
                "strength": ratio_strength(mid_b + FLOOR_MS, mid_w + FLOOR_MS),
                "summary": (
                    f"own time in `{entry}` rose from {ms(mid_b)} to {ms(mid_w)} (median; "
                    f"p90 {ms(tail_b)} -> {ms(tail_w)}, {len(after)} requests)"
                ),
            }
        )
    return _scored(rows)


def edge_table(window: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """One row per caller -> callee edge seen in both periods, with its score.

    Args:
        window: the window's span structure (:func:`.structure.span_structure`).
        baseline: the baseline's.
    """
    columns = ["caller", "callee", "baseline", "window", "n_baseline", "n_window", "p_value"]
    columns += ["strength", "score"]
    calls = [s[s["is_call"].to_numpy(bool) & (s["callee"] != "")] for s in (window, baseline)]
    base_groups = {
        key: g["self_ms"].to_numpy() for key, g in calls[1].groupby(["service", "callee"])
    }
    rows = []
    for (caller, callee), group in calls[0].groupby(["service", "callee"]):
        before = base_groups.get((caller, callee))
        after = group["self_ms"].to_numpy()
        if before is None or len(before) < MIN_SAMPLES or len(after) < MIN_SAMPLES:
            continue
        mid_b, mid_w = quantile(before, 0.5), quantile(after, 0.5)
        p = greater(after, before)
        strength = ratio_strength(mid_b + FLOOR_MS, mid_w + FLOOR_MS)
        rows.append(
            (
                caller,
                callee,
                mid_b,
                mid_w,
                len(before),
                len(after),
                p,
                strength,
                strength * confidence(p),
            )
        )
    return pd.DataFrame(rows, columns=columns)


def edge_findings(edges: pd.DataFrame) -> pd.DataFrame:
    """Per service, the mean score of the edges it is an end of, and the slowest of them."""
    if edges.empty:
        return _scored([])
    ends = pd.concat(
        [edges.assign(service=edges["caller"]), edges.assign(service=edges["callee"])],
        ignore_index=True,
    )
    rows: list[dict[str, object]] = []
    for service, group in ends.groupby("service"):
        worst = group.sort_values("score", ascending=False).iloc[0]
        slow = int((group["score"] >= 0.5).sum())
        mean = float(group["score"].mean())
        rows.append(
            {
                "service": service,
                "signal": "latency",
                "item": f"edge {worst['caller']} -> {worst['callee']}",
                "unit": "ms",
                "baseline": float(worst["baseline"]),
                "window": float(worst["window"]),
                "n_baseline": int(worst["n_baseline"]),
                "n_window": int(worst["n_window"]),
                "p_value": float(worst["p_value"]),
                "strength": float(worst["strength"]),
                "score": mean,
                "summary": (
                    f"time between client and server on calls {worst['caller']} -> "
                    f"{worst['callee']} rose from {ms(float(worst['baseline']))} to "
                    f"{ms(float(worst['window']))} (median); {slow} of its {len(group)} "
                    "edges are slower"
                ),
            }
        )
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    return frame[frame["score"] > 0].reset_index(drop=True)


def _scored(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[c for c in FINDING_COLUMNS if c != "score"])
    if frame.empty:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    tests = frame.groupby("service")["item"].transform("size").to_numpy()
    frame["p_value"] = [
        float(corrected(p, int(n))) for p, n in zip(frame["p_value"], tests, strict=True)
    ]
    frame["score"] = frame["strength"].astype(float) * frame["p_value"].map(confidence)
    return frame[list(FINDING_COLUMNS)]


__all__ = ["FLOOR_MS", "edge_findings", "edge_table", "own_time_findings"]
