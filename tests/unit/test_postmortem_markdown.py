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


HEADER = "| Date | Severity | Duration | Status | Author |"


def header_row(markdown: str) -> list[str]:
    lines = markdown.splitlines()
    row = lines[lines.index(HEADER) + 2]
    return [c.strip() for c in row.strip("|").split(" | ")]


def test_empty_record_keeps_every_section_and_says_so():
    md = render_markdown(record(), SUMMARY)
    found = headings(md)
    assert len(found) == len(TEMPLATE_HEADINGS)
    for line, prefix in zip(found, TEMPLATE_HEADINGS, strict=True):
        assert line.startswith(prefix)
    date, severity, duration, status, author = header_row(md)
    assert date == "2026-11-20"
    assert severity == (
        "SEV-2, suggested from the evidence (not yet confirmed): significant tenant subset affected"
    )
    assert duration == "52 minutes so far (ongoing at 14:59 UTC, the end of the evidence)"
    assert status == "Ongoing; post-mortem draft"
    assert author == "_Not recorded yet._"
    # Summary and Impact are drafted from the evidence, and say so; the rest is empty
    assert md.count("> **Draft from the evidence**, not yet reviewed by a person") == 2
    summary = md.split("### Summary\n")[1].split("### Impact")[0]
    assert (
        "Since 2026-11-20 14:07 UTC, /api/v1/checkout failed 35.6% of requests on shop-api"
        in summary
    )
    assert "for 3 of 8 tenants (38%): acme, globex, initech." in summary
    assert md.count("_Not recorded yet._") == 8
    assert "- **Tenants affected**: 3 (38% of total): acme, globex, initech" in md
    assert (
        "- **User-facing impact**: /api/v1/checkout failed 35.6% of requests since the onset" in md
    )
    assert "| 14:07 | First error logged |" in md
    assert "### Supporting Information" not in md  # no analysed lines: nothing to support


def test_supporting_information_holds_key_numbers_charts_signatures_and_suspects():
    summary = AnalysisSummary.from_json(
        {
            **SUMMARY.to_json(),
            "lines": {"total": 1000, "parsed": 1000, "malformed": 0, "bad_timestamp": 0},
            "error_rate": {
                "overall": 0.02,
                "since_onset": 0.05,
                "peak": 0.09,
                "peak_at": "2026-11-20T14:56:00Z",
            },
            "signatures": [
                {
                    "id": "a",
                    "template": "DatabaseError: order <*>",
                    "count": 3004,
                    "first_seen": "2026-11-20T14:07:00Z",
                    "new_since_onset": True,
                },
                {
                    "id": "b",
                    "template": "Timeout after <*> ms",
                    "count": 229,
                    "first_seen": "2026-11-19T23:50:00Z",
                    "new_since_onset": False,
                },
            ],
            "suspects": [
                {
                    "rank": 1,
                    "short_sha": "f719c84b",
                    "subject": "Add discount codes",
                    "live_at": "2026-11-20T14:04:00Z",
                    "deploy": "v2.14.0",
                    "score": 0.7,
                    "reasons": ["deployed by v2.14.0, 3 min before the onset"],
                },
            ],
        }
    )
    md = render_markdown(record(), summary, [("Error rate per minute", "x_files/chart-1.png")])
    support = md.split("### Supporting Information\n")[1]
    assert "| Error rate since the onset | 5.0% (whole window 2.0%) |" in support
    assert "| Peak error rate | 9.0% at 14:56 UTC |" in support
    assert "![Error rate per minute](x_files/chart-1.png)" in support
    assert "| DatabaseError: order &lt;\\*&gt; | 3,004 | 14:07 | new since the onset |" in support
    assert (
        "| Timeout after &lt;\\*&gt; ms | 229 | 2026-11-19 23:50 | seen before the onset |"
        in support
    )
    assert (
        "| 1 | f719c84b Add discount codes | 2026-11-20 14:04 UTC (v2.14.0) | "
        "deployed by v2.14.0, 3 min before the onset |" in support
    )
    summary_text = md.split("### Summary\n")[1].split("### Impact")[0]
    assert (
        'The top suspect is change f719c84b "Add discount codes", live with v2.14.0 at '
        "2026-11-20 14:04 UTC, 3 min before the onset." in summary_text
    )
    assert "### Supporting Information" not in render_markdown(record(), summary, supporting=False)


def test_filled_record_matches_the_golden_document():
    rec = record(resolved_at=datetime(2026, 11, 20, 15, 42, tzinfo=UTC))
    rec.severity.level = Severity.SEV2
    rec.severity.reason = "checkout broken for 3 of 8 tenants"
    rec.impact.affected_tenants = ["acme", "globex", "initech"]
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
