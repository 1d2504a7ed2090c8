from datetime import UTC, datetime

from incident_nb.core.models import Severity
from incident_nb.core.record import (
    AlertRecord,
    IncidentRecord,
    SeverityDecision,
    StatusUpdate,
    TimelineEvent,
    Why,
)
from incident_nb.core.summary import AnalysisSummary
from incident_nb.updates.draft import draft_update

T0 = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 14, 40, tzinfo=UTC)
SUMMARY = {
    "tenants_total": 12,
    "endpoints": [
        {"endpoint": "POST /api/v1/orders", "error_rate": 0.643, "affected": True},
        {"endpoint": "GET /api/v1/health", "error_rate": 0.01, "affected": False},
    ],
    "affected_tenants": [{"tenant": "acme"}, {"tenant": "globex"}],
    "error_rate": {"since_onset": 0.125, "peak": 0.71, "peak_at": "2026-11-20T14:12:00Z"},
    "trend": {"direction": "recovering", "slope_per_min": -0.0081, "minutes": 15},
    "severity_suggestion": {"level": "SEV-1", "reasons": []},
}


def known_record() -> IncidentRecord:
    alert = AlertRecord(
        source="alertmanager", key="k", title="Checkout fails", service="shop-api", started_at=T0
    )
    record = IncidentRecord(
        id="2026-11-20-checkout-fails",
        title="Checkout fails",
        service="shop-api",
        created_at=datetime(2026, 11, 20, 14, 5, tzinfo=UTC),
        alert=alert,
    )
    record.severity = SeverityDecision(level=Severity.SEV2, reason="a quarter of tenants")
    record.impact.affected_tenants = ["acme", "globex", "initech"]
    record.impact.broken_functionality = "checkout"
    record.five_whys.whys = [Why(why="Why 500s?", answer="orders table lock timeouts")]
    record.timeline = [
        TimelineEvent(time=T0, event="Alert fired", source="alert"),
        TimelineEvent(
            time=datetime(2026, 11, 20, 14, 20, tzinfo=UTC),
            event="Rolled back release v2.4.1 on shop-api",
        ),
    ]
    record.updates = [StatusUpdate(time=datetime(2026, 11, 20, 14, 15, tzinfo=UTC))]
    return record


GOLDEN_TEXT = """\
[SEV-2] Checkout fails (shop-api): mitigated
Update 2, 2026-11-20 14:40 UTC
Impact: 3 of 12 tenants affected (acme, globex, initech); checkout (POST /api/v1/orders fails 64.3% of requests)
Trend: error rate 12.5% since the onset; peak 71.0% at 14:12 UTC; trend: recovering (-0.81 points/min over the last 15 min)
Cause: under investigation; so far: orders table lock timeouts
Being done: 14:20 UTC Rolled back release v2.4.1 on shop-api
Next update: by 15:10 UTC (SEV-2: updates every 30 min)
"""

GOLDEN_MARKDOWN = """\
**\\[SEV-2\\] Checkout fails (shop-api): mitigated**
_Update 2, 2026-11-20 14:40 UTC_

- **Impact:** 3 of 12 tenants affected (acme, globex, initech); checkout (POST /api/v1/orders fails 64.3% of requests)
- **Trend:** error rate 12.5% since the onset; peak 71.0% at 14:12 UTC; trend: recovering (-0.81 points/min over the last 15 min)
- **Cause:** under investigation; so far: orders table lock timeouts
- **Being done:** 14:20 UTC Rolled back release v2.4.1 on shop-api
- **Next update:** by 15:10 UTC (SEV-2: updates every 30 min)
"""


def test_golden_update_of_a_known_record():
    draft = draft_update(known_record(), AnalysisSummary.from_json(SUMMARY), NOW)
    assert draft.text == GOLDEN_TEXT
    assert draft.markdown == GOLDEN_MARKDOWN
    assert draft.level is Severity.SEV2  # the decision wins over the suggested SEV-1


def test_without_evidence_the_record_alone_is_drafted_and_the_suggestion_is_unused():
    record = known_record()
    record.severity = SeverityDecision()
    record.impact.affected_tenants = []
    record.five_whys.root_cause = "Lock held by a long migration"
    record.five_whys.category = "deployment"
    draft = draft_update(record, None, NOW)
    assert draft.level is None
    assert draft.text.splitlines() == [
        "[SEV-?] Checkout fails (shop-api): mitigated",
        "Update 2, 2026-11-20 14:40 UTC",
        "Impact: no affected tenants identified yet; checkout",
        "Trend: no error-rate evidence yet",
        "Cause: Lock held by a long migration (deployment)",
        "Being done: 14:20 UTC Rolled back release v2.4.1 on shop-api",
        "Next update: on resolution (severity not decided yet)",
    ]


def test_evidence_fills_what_nobody_recorded_and_sev3_updates_on_resolution():
    record = known_record()
    record.severity = SeverityDecision(level=Severity.SEV3, reason="few tenants")
    record.impact.affected_tenants = []
    record.impact.broken_functionality = ""
    record.timeline = record.timeline[:1]
    draft = draft_update(record, AnalysisSummary.from_json(SUMMARY), NOW)
    lines = draft.text.splitlines()
    assert lines[0] == "[SEV-3] Checkout fails (shop-api): investigating"
    assert lines[2] == (
        "Impact: 2 of 12 tenants affected (acme, globex); POST /api/v1/orders fails 64.3% of requests"
    )
    assert lines[5] == "Being done: investigating the evidence"
    assert lines[6] == "Next update: SEV-3: updates on resolution"


def test_resolved_incident_gets_a_final_update():
    record = known_record()
    record.status = "resolved"
    record.resolved_at = datetime(2026, 11, 20, 14, 35, tzinfo=UTC)
    record.five_whys.root_cause = "Lock held by a long migration"
    draft = draft_update(record, AnalysisSummary.from_json(SUMMARY), NOW)
    lines = draft.text.splitlines()
    assert lines[0] == "[SEV-2] Checkout fails (shop-api): resolved"
    assert lines[2] == "Resolved: 2026-11-20 14:35 UTC"
    assert lines[-1] == "Next update: final update: the incident is resolved"
    assert draft.due is not None and draft.due.due_at is None  # this update announces it


def test_recorded_text_cannot_inject_markdown_links_or_mentions():
    record = known_record()
    record.five_whys.root_cause = "[click](javascript:alert(1)) <!channel> *bold*"
    draft = draft_update(record, None, NOW)
    cause = next(line for line in draft.markdown.splitlines() if "Cause" in line)
    assert cause == ("- **Cause:** \\[click\\](javascript:alert(1)) \\<!channel\\> \\*bold\\*")
