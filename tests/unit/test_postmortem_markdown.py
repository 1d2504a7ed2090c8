import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from incident_nb.core.models import Severity
from incident_nb.core.record import ActionItem, AlertRecord, IncidentRecord, TimelineEvent, Why
from incident_nb.core.summary import AnalysisSummary
from incident_nb.postmortem.document import postmortem_filename, render_markdown

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
T_ALERT = datetime(2026, 11, 20, 14, 11, 12, tzinfo=UTC)

SUMMARY = AnalysisSummary.from_json(
    {
        "window": {"start": "2026-11-20T12:00:00Z", "end": "2026-11-20T14:59:59Z"},
        "onset": "2026-11-20T14:07:00Z",
        "first_error_at": "2026-11-20T14:07:00Z",
        "tenants_total": 8,
        "affected_tenants": [{"tenant": "acme"}, {"tenant": "globex"}, {"tenant": "initech"}],
        "endpoints": [
            {"endpoint": "/api/v1/checkout", "error_rate": 0.3565, "affected": True},
            {"endpoint": "/api/v1/cart", "error_rate": 0.003, "affected": False},
        ],
        "severity_suggestion": {
            "level": "SEV-2",
            "reasons": ["significant tenant subset affected"],
        },
    }
)

TEMPLATE_HEADINGS = [
    "## Post-Mortem: ",
    "### Date: ",
    "### Severity: ",
    "### Duration: ",
    "### Author: ",
    "### Summary",
    "### Impact",
    "### Timeline (UTC)",
    "### Root Cause",
    "### Contributing Factors",
    "### What Went Well",
    "### What Could Be Improved",
    "### Action Items",
    "### Lessons Learned",
]


def record(**changes) -> IncidentRecord:
    alert = AlertRecord(
        source="alertmanager",
        key="k",
        title="Checkout failing",
        service="shop-api",
        started_at=T_ALERT,
    )
    rec = IncidentRecord(
        id="2026-11-20-checkout-failing",
        title="Checkout failing",
        service="shop-api",
        created_at=datetime(2026, 11, 20, 14, 15, tzinfo=UTC),
        alert=alert,
        timeline=[
            TimelineEvent(time=T_ALERT, event="Alert fired", source="alert"),
            TimelineEvent(
                time=datetime(2026, 11, 20, 14, 15, tzinfo=UTC),
                event="Investigation started",
                source="system",
            ),
        ],
    )
    return rec.model_copy(update=changes)


def headings(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("#")]


def test_empty_record_keeps_every_section_and_says_so():
    md = render_markdown(record(), SUMMARY)
    found = headings(md)
    assert len(found) == len(TEMPLATE_HEADINGS)
    for line, prefix in zip(found, TEMPLATE_HEADINGS, strict=True):
        assert line.startswith(prefix)
    assert md.count("_Not recorded yet._") == 9
    assert "### Severity: SEV-2 (suggested from the evidence, not yet confirmed)" in md
    assert "- **Tenants affected**: 3 (38% of total): acme, globex, initech" in md
    assert "### Duration: 0 hours 52 minutes (ongoing at 14:59 UTC" in md
    assert "| 14:07 | First error logged |" in md


def test_filled_record_matches_the_golden_document():
    rec = record(resolved_at=datetime(2026, 11, 20, 15, 42, tzinfo=UTC))
    rec.severity.level = Severity.SEV2
    rec.severity.reason = "checkout broken for 3 of 8 tenants"
    rec.narrative.author = "On-call SRE, checkout team"
    rec.narrative.summary = (
        "A release ran a schema migration after the new code started, so checkout failed."
    )
    rec.narrative.user_facing_impact = "Checkout returned HTTP 500 for about a third of attempts."
    rec.narrative.data_impact = "None: failed orders were not written."
    rec.narrative.went_well = ["Alerting caught the issue within 5 minutes"]
    rec.narrative.could_improve = ["Migrations run before the code that needs them"]
    rec.narrative.lessons_learned = "Order of deploy steps matters | even for small changes."
    rec.five_whys.problem = "Users getting 500 errors on /api/v1/checkout"
    rec.five_whys.whys = [
        Why(answer="The order insert fails"),
        Why(answer='Column "discount_code" does not exist'),
        Why(answer="The migration had not run yet"),
        Why(answer="The deploy job runs migrations after the new code starts"),
        Why(answer="The pipeline has no ordering check for schema changes"),
    ]
    rec.five_whys.root_cause = "Deploy pipeline ordering gap"
    rec.five_whys.category = "deployment"
    rec.five_whys.contributing_factors = [
        "No canary for checkout",
        "Staging had the column already",
    ]
    rec.action_items = [
        ActionItem(
            action="Run migrations before rollout",
            owner="@platform",
            due=date(2026, 12, 5),
            status="IN PROGRESS",
        ),
        ActionItem(action="Add a canary for checkout", owner="@checkout", due=date(2026, 12, 12)),
    ]
    rec.timeline.append(
        TimelineEvent(
            time=datetime(2026, 11, 20, 15, 30, tzinfo=UTC), event="Rolled back to v2.13.0"
        )
    )
    md = render_markdown(rec, SUMMARY)
    assert md == (GOLDEN / "postmortem_filled.md").read_text()
    assert postmortem_filename(rec, SUMMARY) == "postmortem-2026-11-20-checkout-failing.md"


def test_hostile_text_is_shown_not_interpreted():
    rec = record(title='<script>alert("x")</script> | pipes')
    rec.narrative.summary = (
        '<img src=x onerror="alert(1)"> and <a href="javascript:alert(1)">link</a>'
    )
    rec.timeline.append(TimelineEvent(time=T_ALERT, event="a | b\nsecond line <b>"))
    md = render_markdown(rec, SUMMARY)
    assert "<script>" not in md and "<img" not in md and "<a href" not in md
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in md
    assert "| a \\| b<br>second line &lt;b&gt; |" in md
    assert re.search(
        r"postmortem-2026-11-20-script-alert-x-script-pipes\.md", postmortem_filename(rec, SUMMARY)
    )


def rendered_headings(markdown: str) -> list[str]:
    """The headings a CommonMark renderer sees (not just lines starting with #)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    return [
        tokens[i + 1].content
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and i + 1 < len(tokens)
    ]


INJECTIONS = [
    "Outage\n### Root Cause\nThe database was fine",
    "Outage\n\n## Lessons Learned\n- none",
    "Outage\nRoot Cause\n==========",
    "Outage\n---",
    "Outage\n```\n### Action Items",
    "Outage\n~~~\nswallowed",
    "   # Outage",
]


@pytest.mark.parametrize("injected", INJECTIONS)
def test_person_or_alert_text_never_adds_or_hides_a_section(injected):
    from incident_nb.postmortem.check import check_postmortem

    rec = record(title=injected, service=injected)
    rec.narrative.summary = injected
    rec.narrative.author = injected
    rec.narrative.lessons_learned = injected
    rec.narrative.went_well = [injected]
    rec.severity.level = Severity.SEV3
    rec.severity.reason = injected
    rec.five_whys.contributing_factors = [injected]
    rec.action_items = [ActionItem(action=injected, owner=injected)]
    rec.timeline.append(TimelineEvent(time=T_ALERT, event=injected))
    md = render_markdown(rec, SUMMARY)
    expected = rendered_headings(render_markdown(record(title="Outage"), SUMMARY))
    found = rendered_headings(md)
    assert len(found) == len(expected) == len(TEMPLATE_HEADINGS)
    for got, want in zip(found, expected, strict=True):
        assert got.split(":")[0] == want.split(":")[0]
    assert len(headings(md)) == len(TEMPLATE_HEADINGS)
    findings = check_postmortem(rec)
    kinds = {(f.kind, f.where) for f in findings}
    assert ("missing", "five_whys.root_cause") in kinds  # not fooled by a fake section
    if "#" in injected or "==" in injected or "---" in injected or "```" in injected:
        assert ("structure", "title") in kinds
        assert ("structure", "narrative.summary") in kinds
