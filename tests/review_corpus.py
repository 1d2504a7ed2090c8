"""A generated corpus of incident records whose review figures are known by construction.

60 incidents over six months of 2026, all severities (one undecided), the five root-cause
categories (and unrecorded ones), recurring root causes written differently, six responders
(one in half of the incidents), action items with owners and due dates, post-mortems complete,
incomplete or never exported, version-1 records, and two incidents still open. ``Expected``
holds the figures the report must print, counted from the generator's own choices.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from incident_nb.core.models import Severity
from incident_nb.core.record import (
    ActionItem,
    AlertRecord,
    ChangeEntry,
    IncidentRecord,
    SeverityDecision,
    StatusUpdate,
    TimelineEvent,
    Why,
    dump_record,
)

N = 60
AS_OF = date(2026, 7, 1)
LEVELS = [Severity.SEV1, Severity.SEV2, Severity.SEV3, Severity.SEV4, Severity.SEV2]
CATEGORIES = ["code bug", "configuration", "infrastructure", "data", "deployment", None]
CADENCE = {Severity.SEV1: 15, Severity.SEV2: 30}
POOL = ["ben", "chen", "dara", "eli", "fay"]
OWNERS = ["team-db", "team-web", "oncall"]
OPEN = {58, 59}
UNDECIDED = 56
RECURRING = {
    3: "Missing index on orders.created_at",
    17: "missing index on orders created_at.",
    31: "Missing  Index on ORDERS.created_at",
    5: "Connection pool exhausted by retries",
    40: "connection pool exhausted by retries",
}

TIMEOUT = "TimeoutError: connection to <*> timed out after <*> ms"
NPE = "NullPointerException at OrderService.<*>"
SIGNATURES = {  # incident -> (template, new since the onset) in its executed notebook
    7: [(TIMEOUT, True), ("KeyError: <*>", True)],
    21: [(TIMEOUT, True)],
    44: [(TIMEOUT, True), (NPE, False)],
    12: [(NPE, True)],
    50: [(NPE, True)],
    13: [(NPE, False)],
}
BROKEN_NOTEBOOK = 8


def notebook_with(signatures: list[tuple[str, bool]]) -> str:
    """An executed notebook whose last cell published an analysis summary."""
    summary = {
        "summary_version": 1,
        "signatures": [
            {"id": f"s{k}", "template": t, "count": 10, "new_since_onset": new}
            for k, (t, new) in enumerate(signatures)
        ],
    }
    output = {
        "output_type": "display_data",
        "metadata": {},
        "data": {"application/vnd.incident-nb.summary+json": summary, "text/plain": "summary"},
    }
    cell = {
        "cell_type": "code",
        "execution_count": 3,
        "id": "c",
        "metadata": {},
        "outputs": [output],
        "source": "",
    }
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@dataclass
class Expected:
    """The review's figures for the corpus."""

    severity: Counter[str] = field(default_factory=Counter)
    month: Counter[str] = field(default_factory=Counter)
    category: Counter[str] = field(default_factory=Counter)
    ttd: list[float] = field(default_factory=list)
    ttm: list[float] = field(default_factory=list)
    ttr: list[float] = field(default_factory=list)
    sla: dict[str, list[int]] = field(default_factory=dict)  # severity -> [kept, missed, gaps]
    actions: dict[str, list[int]] = field(default_factory=dict)  # owner -> [open, overdue, done]
    responder_sets: list[set[str]] = field(default_factory=list)
    postmortem_gaps: set[str] = field(default_factory=set)
    complete: set[str] = field(default_factory=set)
    v1: int = 0
    ids: list[str] = field(default_factory=list)
    months_of: dict[str, str] = field(default_factory=dict)


def _updates(
    i: int, level: Severity | None, created: datetime, resolved: datetime | None, miss: bool
) -> list[datetime]:
    if level is None:
        return []
    if level in CADENCE:
        c = CADENCE[level]
        first = created + timedelta(minutes=c + 5 if miss else c - 1)
        out, t = [], first
        end = resolved or created + timedelta(hours=3)
        while t < end:
            out.append(t)
            t += timedelta(minutes=c - 1)
        return out
    end = resolved or created
    return [created + timedelta(minutes=5)] if miss else [end + timedelta(minutes=3)]


def _complete_postmortem(record: IncidentRecord) -> None:
    record.narrative.summary = "Checkout requests failed after a release."
    record.narrative.user_facing_impact = "Orders could not be placed."
    record.narrative.data_impact = "None."
    record.narrative.went_well = ["Alerting caught it quickly"]
    record.narrative.could_improve = ["Canary releases"]
    record.narrative.lessons_learned = "Releases need a canary stage."
    record.five_whys.whys = [Why(why=f"Why {k}?", answer=f"Because {k}") for k in range(5)]
    record.five_whys.would_still_happen = False


def build(i: int, exp: Expected) -> tuple[IncidentRecord, bool, bool]:
    """Incident ``i``, whether it is written as version 1, and whether its post-mortem exists."""
    month, day = 1 + i % 6, 1 + i // 6
    start = datetime(2026, month, day, 10, 0, tzinfo=UTC)
    v1 = i % 10 == 9
    level = None if i == UNDECIDED else LEVELS[i % 5]
    ttd = 1 + (i * 7) % 13
    ttm = ttd + 10 + (i * 11) % 40
    ttr = ttm + 30 + (i * 13) % 90
    created = start + timedelta(minutes=ttd + (2 if i % 3 == 0 else 0))
    resolved = None if i in OPEN else start + timedelta(minutes=ttr)
    ident = f"2026-{month:02d}-{day:02d}-incident-{i:02d}"
    alert_start = start + timedelta(minutes=1) if i % 2 == 0 else start
    alert = AlertRecord(
        source="manual", key=f"k{i}", title=f"Incident {i}", service="shop", started_at=alert_start
    )
    r = IncidentRecord(
        id=ident, title=f"Incident {i}", service="shop", created_at=created, alert=alert
    )
    if i % 2 == 0:
        r.impact.started_at = start
    if level is not None:
        r.severity = SeverityDecision(level=level, reason="per the table")
    r.timeline = [TimelineEvent(time=alert_start, event="Alert fired", source="alert")]
    if i % 3 == 0 and not v1:
        r.timeline.append(
            TimelineEvent(time=start + timedelta(minutes=ttd), event="Detected", kind="detected")
        )
    if i != 59:
        when = start + timedelta(minutes=ttm)
        if i % 4 == 0:
            r.timeline.append(TimelineEvent(time=when, event="Traffic shifted", kind="mitigated"))
        else:
            r.timeline.append(TimelineEvent(time=when, event="Fix deployed to production"))
        exp.ttm.append(float(ttm))
    if resolved is not None:
        r.status, r.resolved_at = "resolved", resolved
        exp.ttr.append(float(ttr))
    exp.ttd.append(float(ttd))
    category = CATEGORIES[i % 6]
    r.five_whys.category = category  # type: ignore[assignment]
    r.five_whys.root_cause = RECURRING.get(i, f"Root cause number {i}")
    # status updates
    miss = i % 3 == 1 or v1
    sent = [] if v1 else _updates(i, level, created, resolved, miss)
    for t in sent:
        r.updates.append(StatusUpdate(time=t, severity=level))
        if i % 2 == 0:
            r.timeline.append(TimelineEvent(time=t, event="Status update sent", kind="update"))
    if level is not None and resolved is not None:
        kept, missed, gaps = exp.sla.setdefault(level.value, [0, 0, 0])
        exp.sla[level.value] = [kept + (not miss), missed + miss, gaps + miss]
    # responders: ana in every other incident, one of five others in each
    other = POOL[i % 5]
    people = {other}
    r.changes = [ChangeEntry(time=created, who=other, field="severity.level")]
    if i % 2 == 0:
        people.add("ana")
        if v1 or i % 3 == 0:
            r.changes.append(ChangeEntry(time=created, who="ana", field="timeline"))
        elif i % 3 == 1:
            r.responders = ["@ana"]
        else:
            r.narrative.author = "Ana"
    r.changes.append(ChangeEntry(time=created, who="jovyan", field="impact.trend"))
    if not r.narrative.author:
        r.narrative.author = other
    exp.responder_sets.append(people)
    # action items
    if i % 2 == 0:
        overdue = i % 4 == 0
        due = AS_OF - timedelta(days=10) if overdue else AS_OF + timedelta(days=10)
        done_owner, open_owner = OWNERS[i % 3], OWNERS[(i + 1) % 3]
        r.action_items = [
            ActionItem(action="Add an index check", owner=done_owner, due=AS_OF, status="DONE"),
            ActionItem(action="Add a canary stage", owner=f"@{open_owner}", due=due),
        ]
        exp.actions.setdefault(done_owner, [0, 0, 0])[2] += 1
        counts = exp.actions.setdefault(open_owner, [0, 0, 0])
        counts[0] += 1
        counts[1] += overdue
        if i % 5 == 0:
            r.action_items.append(ActionItem(action="Review alert thresholds", due=AS_OF))
            exp.actions.setdefault("(no owner)", [0, 0, 0])[0] += 1
    complete = i % 4 == 0 and i % 5 != 0 and level is not None and resolved is not None
    if complete:
        _complete_postmortem(r)
        exp.complete.add(ident)
    exported = i % 4 == 0 or i % 6 == 1
    if resolved is not None and not (complete and exported):
        exp.postmortem_gaps.add(ident)
    exp.severity[level.value if level else "undecided"] += 1
    exp.month[f"2026-{month:02d}"] += 1
    exp.category[category or "not recorded"] += 1
    exp.v1 += v1
    exp.ids.append(ident)
    exp.months_of[ident] = f"2026-{month:02d}"
    return r, v1, exported


def as_version_1(record: IncidentRecord) -> str:
    """The record as incident-nb wrote it before schema version 2."""
    data = json.loads(dump_record(record))
    data["schema_version"] = 1
    del data["updates"], data["responders"]
    for event in data["timeline"]:
        assert event.pop("kind") is None
    return json.dumps(data, indent=2)


def write_corpus(root: Path) -> Expected:
    """Write the corpus under ``root/incidents`` and return its expected figures."""
    exp = Expected()
    for i in range(N):
        record, v1, exported = build(i, exp)
        folder = root / "incidents" / record.id
        folder.mkdir(parents=True)
        text = as_version_1(record) if v1 else dump_record(record)
        (folder / "incident.json").write_text(text)
        if exported:
            (folder / "postmortem.html").write_text("<html></html>")
        if i in SIGNATURES:
            (folder / "investigation.ipynb").write_text(notebook_with(SIGNATURES[i]))
        if i == BROKEN_NOTEBOOK:
            (folder / "investigation.ipynb").write_text("{not a notebook")
    return exp
