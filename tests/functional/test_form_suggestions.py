"""What a form shows is what incident.json holds; the evidence's answers are suggestions until
accepted; an edit in one form shows at once in the others (one source for the cadence)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incident_nb.alerts import alert_from_fields
from incident_nb.core.record import read_record
from incident_nb.core.summary import AnalysisSummary
from incident_nb.forms import (
    ChecklistForm,
    FiveWhysForm,
    ImpactForm,
    NarrativeForm,
    PostmortemDraft,
    RecordEvents,
    RecordStore,
    StatusUpdateForm,
)
from incident_nb.incidents import create_incident

CREATED = datetime(2026, 11, 20, 14, 15, tzinfo=UTC)
SUMMARY = AnalysisSummary.from_json(
    {
        "window": {"start": "2026-11-20T12:00:00Z", "end": "2026-11-20T14:59:00Z"},
        "lines": {"total": 1000, "parsed": 1000},
        "onset": "2026-11-20T14:07:00Z",
        "onset_signal": "error rate",
        "tenants_total": 8,
        "affected_tenants": [{"tenant": "acme"}, {"tenant": "globex"}, {"tenant": "initech"}],
        "endpoints": [{"endpoint": "/api/v1/checkout", "error_rate": 0.342, "affected": True}],
        "trend": {"direction": "worsening", "slope_per_min": 0.0017, "minutes": 15},
        "severity_suggestion": {"level": "SEV-2", "reasons": ["significant tenant subset"]},
    }
)


@pytest.fixture
def folder(tmp_path):
    alert = alert_from_fields("Checkout failing", "shop-api", "2026-11-20T14:11:00Z")
    return create_incident(alert, tmp_path, now=CREATED)


def test_suggestions_show_as_suggestions_and_are_saved_only_when_accepted(folder):
    form = ImpactForm(RecordStore(folder, who="ana"), summary=SUMMARY)
    # nothing shows as entered that is not in the record
    assert form.tenants.value == [] and form.broken.value == "" and form.trend.value == ""
    assert form.started.value == ""
    assert set(form.hints) == {"tenants", "broken", "started", "trend"}
    assert "acme, globex, initech" in form.hints["tenants"].children[1].value
    impact = read_record(folder).impact
    assert impact.affected_tenants == [] and impact.trend == ""
    assert "not confirmed; the evidence suggests: acme, globex, initech" in form.static_markdown()

    form.hints["tenants"].children[2].click()  # one click accepts one suggestion
    assert read_record(folder).impact.affected_tenants == ["acme", "globex", "initech"]
    assert form.hints["tenants"].layout.display == "none"
    form.accept_all.click()  # and one click the rest
    impact = read_record(folder).impact
    assert (
        impact.broken_functionality == "/api/v1/checkout failed 34.2% of requests since the onset"
    )
    assert impact.trend == "worsening, +0.17 points/min over the last 15 min"
    assert impact.started_at == datetime(2026, 11, 20, 14, 7, tzinfo=UTC)
    assert form.accept_all.layout.display == "none"
    assert "| Affected tenants | acme, globex, initech |" in form.static_markdown()

    # a field a person already answered gets no suggestion
    again = ImpactForm(RecordStore(folder), summary=SUMMARY)
    assert again.hints == {} and again.tenants.value == ["acme", "globex", "initech"]


def test_the_drafted_summary_is_offered_and_saved_with_one_click(folder):
    form = NarrativeForm(RecordStore(folder), SUMMARY)
    assert form.summary.value == ""
    offered = form.summary_offer.children[1].value
    assert "Since 2026-11-20 14:07 UTC, /api/v1/checkout failed 34.2% of requests" in offered
    assert read_record(folder).narrative.summary == ""
    form.summary_offer.children[2].click()
    assert read_record(folder).narrative.summary.startswith("Since 2026-11-20 14:07 UTC")


def test_an_edit_in_one_form_refreshes_the_others(folder):
    events = RecordEvents()
    clock = lambda: CREATED + timedelta(minutes=5)  # noqa: E731
    impact = ImpactForm(RecordStore(folder), summary=SUMMARY, events=events)
    updates = StatusUpdateForm(RecordStore(folder), SUMMARY, clock, events=events)
    deploy = ChecklistForm(RecordStore(folder), "deployment_checklist", "SEV-2", events=events)
    whys = FiveWhysForm(RecordStore(folder), events=events)
    draft = PostmortemDraft(RecordStore(folder), SUMMARY, events=events)
    assert "SEV-2: updates every 30 min" in updates.due_line.value
    assert "suggested SEV-2" in deploy.watch.value
    impact.severity.value = "SEV-1"
    impact.reason.value = "checkout is the revenue path"
    # the cadence of the chosen severity everywhere, at once
    assert "SEV-1: updates every 15 min" in updates.due_line.value
    assert "Next update due at 14:30 UTC" in updates.due_line.value
    assert "<b>15 minutes</b> (SEV-1;" in deploy.watch.value
    assert "updates every 15 min" in impact.advice.value
    # the draft follows every edit
    assert "| SEV-1: checkout is the revenue path |" in draft.markdown()
    shown = draft.output.outputs[-1]["data"]["text/markdown"]
    assert "SEV-1: checkout is the revenue path" in shown
    whys.problem.value = "Checkout returns 500"
    assert "**Problem**: Checkout returns 500" in draft.output.outputs[-1]["data"]["text/markdown"]
