"""Incident records as the review's tables: one row per incident, action item and responder.

Pure: records in, DataFrames out. This is where the review defines its clocks:

- start: when the incident started (the impact's recorded start, else the alert's start);
- detected: the first timeline event of kind ``detected``, else when the incident was created;
- mitigated: the first timeline event of kind ``mitigated`` (or, in records without kinds, the
  first "Fix deployed", "Rolled back" or "Mitigated" event);
- resolved: ``resolved_at``, else the first timeline event of kind ``resolved``.

Time to detect, mitigate and resolve are minutes from the start. Updates are the record's
``updates`` together with timeline events of kind ``update`` (one per time).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from incident_nb.core.models import utc
from incident_nb.core.record import IncidentRecord
from incident_nb.core.severity import update_cadence
from incident_nb.postmortem.check import SYSTEM_ACCOUNTS, check_postmortem
from incident_nb.updates.draft import is_mitigation

UNDECIDED = "undecided"
NOT_RECORDED = "not recorded"


class Reviewed(Protocol):
    """What the review needs of one incident (``sources.records.LoadedIncident`` has it)."""

    @property
    def folder(self) -> Path: ...  # noqa: D102
    @property
    def record(self) -> IncidentRecord: ...  # noqa: D102
    @property
    def postmortem_exported(self) -> bool: ...  # noqa: D102
    @property
    def signatures(self) -> tuple[str, ...]: ...  # noqa: D102


def _first(record: IncidentRecord, kind: str) -> datetime | None:
    times = [utc(e.time) for e in record.timeline if e.kind == kind]
    return min(times) if times else None


def clocks(record: IncidentRecord) -> dict[str, datetime | None]:
    """Start, detected, mitigated and resolved times of one incident (see the module doc)."""
    start = utc(record.impact.started_at or record.alert.started_at)
    detected = _first(record, "detected") or utc(record.created_at)
    mitigations = [utc(e.time) for e in record.timeline if is_mitigation(e)]
    resolved = utc(record.resolved_at) if record.resolved_at else _first(record, "resolved")
    return {
        "start": start,
        "detected": detected,
        "mitigated": min(mitigations) if mitigations else None,
        "resolved": resolved,
    }


def update_times(record: IncidentRecord) -> list[datetime]:
    """When stakeholder updates went out, oldest first."""
    times = {utc(u.time) for u in record.updates}
    times |= {utc(e.time) for e in record.timeline if e.kind == "update"}
    return sorted(times)


def update_sla(record: IncidentRecord) -> tuple[str, int]:
    """Whether the update cadence was kept, and how many gaps were too long.

    SEV-1/SEV-2: every gap between the declaration (``created_at``), each update and the
    resolution is at most the cadence. SEV-3/SEV-4: an update at or after the resolution.
    Returns ("kept" | "missed" | "open" | "n/a", missed gaps).
    """
    level = record.severity.level
    resolved = clocks(record)["resolved"]
    if level is None:
        return "n/a", 0
    if resolved is None:
        return "open", 0
    sent = update_times(record)
    cadence = update_cadence(level)
    if cadence is None:
        return ("kept", 0) if any(t >= resolved for t in sent) else ("missed", 1)
    opened = utc(record.created_at)
    points = [opened, *(t for t in sent if opened < t < resolved), resolved]
    missed = sum(1 for a, b in pairwise(points) if b - a > cadence)
    return ("missed" if missed else "kept"), missed


def responders(record: IncidentRecord) -> list[str]:
    """Everyone who worked on the incident, case-folded.

    Named responders, whoever edited the record, the post-mortem author and whoever sent
    updates; service accounts are left out.
    """
    names = [*record.responders, *(c.who for c in record.changes), record.narrative.author]
    names += [u.who for u in record.updates]
    out = {n.strip().lstrip("@").casefold() for n in names}
    return sorted(n for n in out if n and n not in SYSTEM_ACCOUNTS)


def cause_key(text: str) -> str:
    """A root cause reduced for comparison: lower case, words only."""
    return " ".join(re.findall(r"[a-z0-9]+", text.casefold()))


def _issues(kinds: list[str]) -> str:
    return ", ".join(f"{kinds.count(k)} {k}" for k in sorted(set(kinds)))


def _minutes(later: datetime | None, start: datetime) -> float:
    return (later - start).total_seconds() / 60 if later is not None else float("nan")


def incidents_frame(items: Sequence[Reviewed]) -> pd.DataFrame:
    """One row per incident, with its clocks, cause, updates and post-mortem state."""
    rows: list[dict[str, Any]] = []
    for item in items:
        r = item.record
        c = clocks(r)
        start = c["start"]
        assert start is not None
        sla, missed = update_sla(r)
        findings = check_postmortem(r)
        rows.append(
            {
                "id": r.id,
                "folder": str(item.folder),
                "title": r.title,
                "service": r.service,
                "status": r.status,
                "severity": r.severity.level.value if r.severity.level else UNDECIDED,
                "start": pd.Timestamp(start),
                "month": f"{start:%Y-%m}",
                "ttd_min": _minutes(c["detected"], start),
                "ttm_min": _minutes(c["mitigated"], start),
                "ttr_min": _minutes(c["resolved"], start),
                "category": r.five_whys.category or NOT_RECORDED,
                "root_cause": r.five_whys.root_cause.strip(),
                "cause_key": cause_key(r.five_whys.root_cause),
                "updates": len(update_times(r)),
                "update_sla": sla,
                "missed_gaps": missed,
                "responders": responders(r),
                "signatures": sorted(set(item.signatures)),
                "postmortem_exported": item.postmortem_exported,
                "postmortem_final": r.postmortem_final,
                "postmortem_findings": len(findings),
                "postmortem_issues": _issues([f.kind for f in findings]),
            }
        )
    columns = [
        "id", "folder", "title", "service", "status", "severity", "start", "month", "ttd_min",
        "ttm_min", "ttr_min", "category", "root_cause", "cause_key", "updates", "update_sla",
        "missed_gaps", "responders", "signatures", "postmortem_exported", "postmortem_final",
        "postmortem_findings", "postmortem_issues",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def actions_frame(items: Sequence[Reviewed], today: date) -> pd.DataFrame:
    """One row per action item: its incident, owner, due date and state (done, overdue, open)."""
    rows = []
    for item in items:
        for a in item.record.action_items:
            if a.status == "DONE":
                state = "done"
            elif a.due is not None and a.due < today:
                state = "overdue"
            else:
                state = "open"
            rows.append(
                {
                    "incident": item.record.id,
                    "folder": str(item.folder),
                    "action": a.action,
                    "owner": a.owner.strip().lstrip("@") or "(no owner)",
                    "due": a.due,
                    "status": a.status,
                    "state": state,
                }
            )
    columns = ["incident", "folder", "action", "owner", "due", "status", "state"]
    return pd.DataFrame(rows, columns=columns)
