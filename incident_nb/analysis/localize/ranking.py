"""From findings to a ranking: one score per service, the evidence that made it, and propagation.

A service's score on a signal is its best finding's score (each already combines how large and
how sure, :mod:`.stats`), and its overall score is its best signal's. The maximum, not a sum or
a product of complements: every busy service shows a few small, sure changes between two periods
(its data, its load), and adding them up would rank the busiest services first; a fault shows as
one change that is large and sure. Services with equal scores keep a stable order (by their
summed evidence, then by name).

Faults travel upstream: a caller of a faulty service fails, logs errors and behaves differently
too. The visits that carry a service's changes are marked (:mod:`.behaviour`, :mod:`.latency`);
a marked visit that called, directly or not, a marked visit of another service is *explained*
by it. A service's ``origin`` share is the part of its marked visits that nothing downstream
explains, and its error and log scores are weighed by it: the deepest service showing the change
keeps its score, a caller that only reacts to it loses it. Latency needs no such step: own time
excludes the time spent waiting on callees, and edges are attributed by their shared end.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from incident_nb.analysis.localize.model import SIGNALS, Evidence, ServiceRank

EVIDENCE_FLOOR = 0.1
"""Findings scoring less are not shown as a service's evidence."""
PROPAGATING = ("errors", "logs")
"""Signals whose changes travel upstream to callers, weighed by the origin share."""


def origin_shares(marks: pd.DataFrame, requests: pd.DataFrame) -> dict[str, float]:
    """Per service with marked visits: the share of them no marked visit downstream explains.

    Args:
        marks: ``request, service`` of the visits carrying an error or behaviour change.
        requests: the window's local requests (``caller_request`` links a visit to its caller).
    """
    if marks.empty:
        return {}
    caller = requests["caller_request"]
    service = requests["service"]
    marked = set(marks["request"].astype(int))
    explained: set[int] = set()
    for request in marked:
        own = service.get(request)
        up = int(caller.get(request, -1))
        for _ in range(64):  # a request's depth; bad data with cycles just stops here
            if up < 0:
                break
            if up in marked and service.get(up) != own:
                explained.add(up)
            up = int(caller.get(up, -1))
    per: dict[str, list[int]] = defaultdict(list)
    for request in marked:
        per[str(service.get(request, ""))].append(request)
    return {
        name: 1.0 - sum(r in explained for r in visits) / len(visits)
        for name, visits in per.items()
        if name
    }


def rank(
    findings: pd.DataFrame, services: list[str], origins: dict[str, float]
) -> tuple[tuple[ServiceRank, ...], pd.DataFrame]:
    """The ranking, and the per-service signal scores behind it."""
    table = pd.DataFrame(
        0.0, index=pd.Index(sorted(set(services)), name="service"), columns=list(SIGNALS)
    )
    if not findings.empty:
        best = findings.groupby(["service", "signal"])["score"].max().unstack()
        best = best.reindex(columns=list(SIGNALS)).fillna(0.0)
        table = table.add(best, fill_value=0.0).fillna(0.0)
    origin = pd.Series({s: origins.get(s, 1.0) for s in table.index}, dtype="float64")
    weighted = table.copy()
    for signal in PROPAGATING:
        weighted[signal] = table[signal] * origin
    combined = weighted.clip(0.0, 1.0).max(axis=1).to_numpy()
    # Ties (no evidence at all) keep a stable order: by raw evidence, then by name.
    raw = table.sum(axis=1).to_numpy()
    order = sorted(range(len(table)), key=lambda i: (-combined[i], -raw[i], table.index[i]))
    shown = findings[findings["score"] >= EVIDENCE_FLOOR].sort_values("score", ascending=False)
    # One metric per kind and service (CPU in millicores and in % of the limit say one thing).
    kind = shown["item"].astype(str).str.split(":", n=1).str[0].tolist()
    seen = pd.Series(list(zip(shown["service"].tolist(), kind, strict=True))).duplicated()
    shown = shown[~((shown["signal"] == "resources").to_numpy() & seen.to_numpy())]
    evidence: dict[str, list[Evidence]] = defaultdict(list)
    for name, signal, summary, score in zip(
        shown["service"].astype(str),
        shown["signal"].astype(str),
        shown["summary"].astype(str),
        shown["score"].astype(float),
        strict=True,
    ):
        text = _explained(summary, signal, origins.get(name, 1.0))
        evidence[name].append(Evidence(signal, text, score))
    ranks = [
        ServiceRank(str(table.index[i]), float(combined[i]), tuple(evidence[str(table.index[i])]))
        for i in order
    ]
    signals = weighted.assign(origin=origin).reset_index()
    return tuple(ranks), signals


def _explained(summary: str, signal: str, origin: float) -> str:
    if signal in PROPAGATING and origin < 0.95:
        return f"{summary}; {1 - origin:.0%} of it follows the same change in a service it calls"
    return summary


__all__ = ["PROPAGATING", "origin_shares", "rank"]
