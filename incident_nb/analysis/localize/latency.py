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
  it slowed. So each edge's score is shared between its ends by how slow each end's other edges
  are (:func:`edge_shares`), and a service's edge score combines its shares of all its edges: a
  delayed service explaining many slow edges scores high, its callers and callees (with other,
  healthy edges) low.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
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


MARK_SCORE = 0.5
"""A finding scoring at least this marks the visits that carry it (see :mod:`.ranking`)."""
UNKNOWN_END = 0.5
"""How slow an end with no other edge is taken to be: unknown, halfway."""


def own_time_findings(
    window: pd.DataFrame, baseline: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Own-time findings per service and entry operation, and the visits carrying them.

    Args:
        window: the window's local requests (:func:`.structure.local_requests`).
        baseline: the baseline's.

    Returns:
        The findings, and the marks (``request, service, score``): the window's visits of
        an operation found slower whose own time exceeds the baseline's 90th percentile.
    """
    rows: list[dict[str, object]] = []
    limits: list[tuple[str, str, float]] = []
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
        limits.append((str(service), str(entry), tail_b))
    findings = _scored(rows)
    slow = {
        (service, entry): limit
        for (service, entry, limit), score in zip(limits, findings["score"], strict=True)
        if score >= MARK_SCORE
    }
    keys = zip(
        window["service"].astype(str).tolist(), window["entry"].astype(str).tolist(), strict=True
    )
    limit = [slow.get(key, np.inf) for key in keys]
    carried = window[window["own_ms"].to_numpy() > np.asarray(limit, dtype="float64")]
    marks = pd.DataFrame(
        {
            "request": carried["request"].to_numpy(),
            "service": carried["service"].to_numpy(),
            "score": 1.0,
        }
    )
    return findings, marks


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


def edge_shares(edges: pd.DataFrame) -> pd.DataFrame:
    """Each edge's score shared between its two ends by how slow each end's *other* edges are.

    How slow is the edges' strength (the change, however sure: an edge with few calls still
    says which way it went). A fault at a service slows all its edges, so an end whose other
    edges are slow too takes the edge; an end whose other edges are fine is unlikely its
    cause; an end with no other edge says nothing either way (:data:`UNKNOWN_END`). Returns
    ``edges`` with
    ``caller_share`` and ``callee_share`` (summing to 1).
    """
    if edges.empty:
        return edges.assign(caller_share=[], callee_share=[])
    slow = edges["strength"]
    ends = pd.concat(
        [
            pd.DataFrame({"end": edges["caller"], "slow": slow}),
            pd.DataFrame({"end": edges["callee"], "slow": slow}),
        ],
        ignore_index=True,
    )
    total = ends.groupby("end")["slow"].agg(["sum", "size"])

    def others(end: pd.Series, own: pd.Series) -> npt.NDArray[np.float64]:
        size = total["size"].reindex(end).to_numpy() - 1
        rest = total["sum"].reindex(end).to_numpy() - own.to_numpy()
        return np.where(size > 0, rest / np.maximum(size, 1), UNKNOWN_END)

    caller = others(edges["caller"], slow)
    callee = others(edges["callee"], slow)
    both = caller + callee
    share = np.where(both > 0, caller / np.where(both > 0, both, 1.0), 0.5)
    return edges.assign(caller_share=share, callee_share=1.0 - share)


def edge_findings(edges: pd.DataFrame) -> pd.DataFrame:
    """Per service, the edges it is blamed for (:func:`edge_shares`), combined.

    A service's score is ``1 - prod(1 - share * edge score)`` over its edges: the more slow
    edges it explains, the surer.
    """
    if edges.empty:
        return _scored([])
    shared = edge_shares(edges)
    ends = pd.concat(
        [
            shared.assign(service=shared["caller"], blame=shared["score"] * shared["caller_share"]),
            shared.assign(service=shared["callee"], blame=shared["score"] * shared["callee_share"]),
        ],
        ignore_index=True,
    )
    rows: list[dict[str, object]] = []
    for service, group in ends.groupby("service"):
        worst = group.sort_values("blame", ascending=False).iloc[0]
        slow = int((group["strength"] >= 0.5).sum())  # at least twice as slow
        combined = 1.0 - float(np.prod(1.0 - group["blame"].clip(0.0, 1.0).to_numpy()))
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
                "score": combined,
                "summary": (
                    f"time between client and server on calls {worst['caller']} -> "
                    f"{worst['callee']} rose from {ms(float(worst['baseline']))} to "
                    f"{ms(float(worst['window']))} (median); {slow} of its {len(group)} "
                    "edges are at least twice as slow"
                ),
            }
        )
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    return frame[frame["score"] > 0].reset_index(drop=True)


def edge_marks(window: pd.DataFrame, baseline: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """The visits at the blamed end of slow calls on slow edges.

    An edge's time belongs to neither end, but the end whose edges are slower overall is the
    one it points at (:func:`edge_findings`): the visits at that end of the calls slower than the
    baseline's 90th percentile are marked, so that a caller's errors (timeouts) are seen to follow
    them.

    Args:
        window: the window's span structure.
        baseline: the baseline's.
        edges: :func:`edge_table` of the two.
    """
    shared = edge_shares(edges)
    strong = shared[shared["score"] >= MARK_SCORE]
    if strong.empty:
        return pd.DataFrame(columns=["request", "service", "score"])
    calls = window[window["is_call"].to_numpy(bool) & (window["callee"] != "")]
    base = baseline[baseline["is_call"].to_numpy(bool) & (baseline["callee"] != "")]
    frames = []
    for caller, callee, score, to_callee in zip(
        strong["caller"],
        strong["callee"],
        strong["score"],
        strong["callee_share"] >= 0.5,
        strict=True,
    ):
        limit = quantile(
            base.loc[(base["service"] == caller) & (base["callee"] == callee), "self_ms"], TAIL
        )
        slow = calls[
            (calls["service"] == caller) & (calls["callee"] == callee) & (calls["self_ms"] > limit)
        ]
        at_callee = bool(to_callee)
        frames.append(
            pd.DataFrame(
                {
                    "request": (
                        slow["callee_request"] if at_callee else slow["request"]
                    ).to_numpy(),
                    "service": callee if at_callee else caller,
                    "score": float(score),
                }
            )
        )
    marks = pd.concat(frames, ignore_index=True)
    return marks[marks["request"] >= 0]


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


__all__ = [
    "FLOOR_MS",
    "MARK_SCORE",
    "edge_findings",
    "edge_marks",
    "edge_table",
    "own_time_findings",
]
