from datetime import UTC, datetime, timedelta

from incident_nb.core.models import Severity
from incident_nb.core.record import (
    AlertRecord,
    ChangeEntry,
    IncidentRecord,
    SeverityDecision,
    StatusUpdate,
    TimelineEvent,
)
from incident_nb.review.frames import cause_key, clocks, responders, update_sla

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def record(level: Severity | None = Severity.SEV1) -> IncidentRecord:
    alert = AlertRecord(source="m", key="k", title="t", service="s", started_at=at(2))
    r = IncidentRecord(id="i", title="t", service="s", created_at=at(5), alert=alert)
    if level is not None:
        r.severity = SeverityDecision(level=level, reason="r")
    return r


def test_clocks_prefer_kinds_then_fall_back_to_wording_and_fields():
    r = record()
    assert clocks(r) == {"start": at(2), "detected": at(5), "mitigated": None, "resolved": None}
    r.impact.started_at = at(0)
    r.timeline = [
        TimelineEvent(time=at(40), event="Rolled back v2"),  # older records: by wording
        TimelineEvent(time=at(30), event="Canary drained", kind="mitigated"),
        TimelineEvent(time=at(3), event="Page acknowledged", kind="detected"),
        TimelineEvent(time=at(90), event="All clear", kind="resolved"),
    ]
    assert clocks(r) == {"start": at(0), "detected": at(3), "mitigated": at(30), "resolved": at(90)}
    r.resolved_at = at(80)  # the recorded resolution wins over the event
    assert clocks(r)["resolved"] == at(80)


def test_update_sla_edges():
    r = record(Severity.SEV1)
    r.resolved_at = at(5 + 30)
    r.updates = [StatusUpdate(time=at(5 + 15))]
    assert update_sla(r) == ("kept", 0)  # gaps of exactly 15 minutes are on time
    r.timeline = [TimelineEvent(time=at(5 + 15), event="update", kind="update")]  # same update
    assert update_sla(r) == ("kept", 0)
    r.updates = []
    r.timeline = []
    assert update_sla(r) == ("missed", 1)
    assert update_sla(record(None)) == ("n/a", 0)
    assert update_sla(record(Severity.SEV3)) == ("open", 0)
    sev3 = record(Severity.SEV3)
    sev3.resolved_at = at(60)
    assert update_sla(sev3) == ("missed", 1)
    sev3.updates = [StatusUpdate(time=at(60))]
    assert update_sla(sev3) == ("kept", 0)


def test_responders_are_case_folded_and_exclude_service_accounts():
    r = record()
    r.responders = ["@Ana"]
    r.narrative.author = "ana "
    r.changes = [
        ChangeEntry(time=at(1), who="jovyan", field="x"),
        ChangeEntry(time=at(1), who="Ben", field="x"),
    ]
    r.updates = [StatusUpdate(time=at(9), who="chen")]
    assert responders(r) == ["ana", "ben", "chen"]


def test_cause_key_ignores_case_and_punctuation():
    assert cause_key("Missing  Index on ORDERS.created_at.") == cause_key(
        "missing index on orders created_at"
    )


def test_the_review_reads_the_summary_the_notebook_publishes(tmp_path):
    import json

    from incident_nb.core.folder import SUMMARY_MIMETYPE
    from incident_nb.sources.records import read_summary

    summary = {"onset": "2026-11-20T14:07:00Z", "signatures": []}
    output = {"output_type": "display_data", "data": {SUMMARY_MIMETYPE: summary}}
    notebook = tmp_path / "investigation.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "outputs": [output]}]}))
    assert read_summary(notebook) == summary
