"""The incident review's figures, computed from the review frames.

Pure: the frames of :mod:`incident_nb.review.frames` in, small DataFrames out. Percentiles are
linear interpolations between the sorted values (pandas' default), in minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from incident_nb.core.models import Severity
from incident_nb.core.record import RootCauseCategory
from incident_nb.review.frames import NOT_RECORDED, UNDECIDED

SEVERITIES = [s.value for s in Severity] + [UNDECIDED]
CATEGORIES: list[str] = [*RootCauseCategory.__args__, NOT_RECORDED]  # type: ignore[attr-defined]
MEASURES = (
    ("ttd_min", "time to detect"),
    ("ttm_min", "time to mitigate"),
    ("ttr_min", "time to resolve"),
)


def per_severity(incidents: pd.DataFrame) -> pd.DataFrame:
    """Incidents per severity (every severity listed, zero included)."""
    counts = incidents["severity"].value_counts()
    return pd.DataFrame(
        {"severity": SEVERITIES, "incidents": [int(counts.get(s, 0)) for s in SEVERITIES]}
    )


def per_month(incidents: pd.DataFrame) -> pd.DataFrame:
    """Incidents per calendar month and severity, with a total.

    Rows are the calendar months from the first incident's to the last's, oldest first, months
    without incidents included; columns are the severities that occur.
    """
    table = pd.crosstab(incidents["month"], incidents["severity"])
    table = table.reindex(columns=[s for s in SEVERITIES if s in table.columns], fill_value=0)
    if len(table):
        first, last = pd.Period(min(table.index), "M"), pd.Period(max(table.index), "M")
        months = [str(p) for p in pd.period_range(first, last, freq="M")]
        table = table.reindex(months, fill_value=0)
    table["total"] = table.sum(axis=1)
    return table.sort_index().rename_axis(index="month", columns=None).reset_index()


def timings(incidents: pd.DataFrame) -> pd.DataFrame:
    """Median and p90 of the time to detect, mitigate and resolve (minutes), with counts."""
    rows = []
    for column, label in MEASURES:
        values = incidents[column].dropna()
        rows.append(
            {
                "measure": label,
                "incidents": len(values),
                "median_min": float(values.quantile(0.5)) if len(values) else float("nan"),
                "p90_min": float(values.quantile(0.9)) if len(values) else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def update_sla(incidents: pd.DataFrame) -> pd.DataFrame:
    """Per decided severity: resolved incidents whose update cadence was kept or missed."""
    judged = incidents[incidents["update_sla"].isin(["kept", "missed"])]
    rows = []
    for level in SEVERITIES[:-1]:
        part = judged[judged["severity"] == level]
        kept = int((part["update_sla"] == "kept").sum())
        rows.append(
            {
                "severity": level,
                "incidents": len(part),
                "kept": kept,
                "missed": len(part) - kept,
                "missed_gaps": int(part["missed_gaps"].sum()),
            }
        )
    return pd.DataFrame(rows)


def categories(incidents: pd.DataFrame) -> pd.DataFrame:
    """Incidents per root-cause category (the workflow's five, then "not recorded")."""
    counts = incidents["category"].value_counts()
    return pd.DataFrame(
        {"category": CATEGORIES, "incidents": [int(counts.get(c, 0)) for c in CATEGORIES]}
    )


def recurring_causes(incidents: pd.DataFrame, at_least: int = 2) -> pd.DataFrame:
    """Root causes recorded (in the same words) by ``at_least`` incidents, most frequent first."""
    known = incidents[incidents["cause_key"] != ""]
    rows = []
    for key, part in known.groupby("cause_key", sort=False):
        if len(part) >= at_least:
            ordered = part.sort_values("start")
            rows.append(
                {
                    "root_cause": str(ordered["root_cause"].iloc[0]),
                    "key": str(key),
                    "incidents": len(part),
                    "ids": list(ordered["id"]),
                    "folders": list(ordered["folder"]),
                    "categories": sorted(set(part["category"])),
                }
            )
    frame = pd.DataFrame(
        rows, columns=["root_cause", "key", "incidents", "ids", "folders", "categories"]
    )
    return frame.sort_values(["incidents", "key"], ascending=[False, True], ignore_index=True)


def recurring_signatures(incidents: pd.DataFrame, at_least: int = 2) -> pd.DataFrame:
    """Error signatures that came with ``at_least`` incidents, most frequent first."""
    pairs = incidents[["id", "start", "signatures"]].explode("signatures").dropna()
    rows = []
    for template, part in pairs.groupby("signatures", sort=False):
        if len(part) >= at_least:
            rows.append(
                {
                    "signature": str(template),
                    "incidents": len(part),
                    "ids": list(part.sort_values("start")["id"]),
                }
            )
    frame = pd.DataFrame(rows, columns=["signature", "incidents", "ids"])
    return frame.sort_values(["incidents", "signature"], ascending=[False, True], ignore_index=True)


def actions_per_owner(actions: pd.DataFrame) -> pd.DataFrame:
    """Per owner: open (not done, overdue included), overdue and done action items."""
    rows = []
    for owner, part in actions.groupby("owner", sort=True):
        rows.append(
            {
                "owner": str(owner),
                "open": int((part["state"] != "done").sum()),
                "overdue": int((part["state"] == "overdue").sum()),
                "done": int((part["state"] == "done").sum()),
            }
        )
    frame = pd.DataFrame(rows, columns=["owner", "open", "overdue", "done"])
    return frame.sort_values(["overdue", "open", "owner"], ascending=[False, False, True])


@dataclass(frozen=True)
class Concentration:
    """How concentrated incident work is among responders."""

    incidents: int
    """Incidents with at least one known responder."""
    responders: int
    top_share: float
    """Share of those incidents the most involved responder worked on."""
    top3_share: float
    """Share of those incidents at least one of the three most involved responders worked on."""
    shares: pd.DataFrame
    """rank (1 = most involved), incidents, share; no names."""


def concentration(incidents: pd.DataFrame) -> Concentration:
    """Responder concentration, by rank only: the review shows the pattern, not the people."""
    staffed = incidents[incidents["responders"].map(len) > 0]
    per_person = staffed["responders"].explode().value_counts()
    ordered = sorted(per_person.items(), key=lambda kv: (-kv[1], kv[0]))
    total = len(staffed)
    shares = pd.DataFrame(
        {
            "rank": range(1, len(ordered) + 1),
            "incidents": [int(n) for _, n in ordered],
            "share": [n / total for _, n in ordered] if total else [],
        }
    )
    top3 = {name for name, _ in ordered[:3]}
    with_top3 = int(staffed["responders"].map(lambda rs: bool(top3 & set(rs))).sum())
    return Concentration(
        incidents=total,
        responders=len(ordered),
        top_share=float(shares["share"].iloc[0]) if total else 0.0,
        top3_share=with_top3 / total if total else 0.0,
        shares=shares,
    )


def postmortem_gaps(incidents: pd.DataFrame) -> pd.DataFrame:
    """Resolved incidents whose post-mortem was not exported or fails the completeness check."""
    resolved = incidents[incidents["status"] == "resolved"]
    gaps = resolved[(~resolved["postmortem_exported"]) | (resolved["postmortem_findings"] > 0)]
    frame = gaps[
        [
            "id",
            "folder",
            "severity",
            "postmortem_exported",
            "postmortem_findings",
            "postmortem_issues",
        ]
    ]
    return frame.sort_values("id", ignore_index=True)
