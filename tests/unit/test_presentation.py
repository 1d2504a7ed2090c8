"""Charts, tables and numbers for people: markers that never collide, five tenants at most,
tables without an index, one spelling for each number and time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_nb import charts
from incident_nb.core import humanize
from incident_nb.demo.scenario import Scenario
from incident_nb.notebook import views
from incident_nb.notebook.tables import Col, Table

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def per_minute(minutes: int = 180) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "minute": [T0 + timedelta(minutes=m) for m in range(minutes)],
            "requests": 100,
            "errors": [1 if m < 120 else 30 for m in range(minutes)],
            "p50_ms": 40.0,
            "p95_ms": 90.0,
            "p99_ms": 150.0,
        }
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-30, max_value=200), min_size=1, max_size=12))
def test_marker_labels_each_get_their_own_row_and_stay_inside_the_time_range(offsets):
    markers = [(f"deploy v{i}", T0 + timedelta(minutes=m)) for i, m in enumerate(offsets)]
    markers += [
        ("onset", T0 + timedelta(minutes=120)),
        ("alert fired", T0 + timedelta(minutes=124)),
    ]
    fig = charts.error_rate_chart(per_minute(), markers=markers)
    notes = fig.layout.annotations
    shifts = [n.yshift for n in notes]
    assert len(set(shifts)) == len(shifts)  # one row each: labels can never overlap
    assert all(abs(a - b) >= charts.MARKER_ROW_PX for a in shifts for b in shifts if a != b)
    assert len(notes) <= charts.MAX_LABELLED_MARKERS
    assert {"onset 14:00", "alert fired 14:04"} <= {n.text for n in notes}  # never dropped
    start, end = T0, T0 + timedelta(minutes=179)
    for shape in fig.layout.shapes:  # markers outside the data would stretch the axis
        assert start <= pd.Timestamp(shape.x0) <= end
    # the plot's top margin holds every row above the plot, under the title
    assert fig.layout.margin.t >= charts.TITLE_PX + charts.MARKER_ROW_PX * len(notes)
    for note in notes:  # each label says its full text on hover too
        assert note.hovertext.endswith(" UTC") and note.yanchor == "bottom"


def test_axis_titles_are_clear_of_the_legend_and_titles_carry_units():
    fig = charts.latency_chart(per_minute(), [("onset", T0 + timedelta(minutes=120))])
    assert fig.layout.legend.x > 1 and fig.layout.legend.xanchor == "left"  # beside the plot
    assert fig.layout.xaxis.title.text == "time (UTC)"
    assert fig.layout.title.text.endswith("(ms)") and fig.layout.yaxis.title.text == "latency (ms)"
    rate = charts.error_rate_chart(per_minute())
    assert rate.layout.title.text.endswith("(% of requests)")


def test_at_most_five_tenants_affected_first():
    names = [f"t{i}" for i in range(8)]
    frame = pd.DataFrame(
        [{"minute": T0, "tenant": n, "requests": 100, "errors": i} for i, n in enumerate(names)]
    )
    tenants = pd.DataFrame(
        {"tenant": names, "errors": range(8), "affected": [n in {"t1", "t2"} for n in names]}
    )
    fig = charts.tenant_error_chart(frame, tenants, top=8)
    assert [t.name for t in fig.data] == [
        "t2",
        "t1",
        "t7 (not affected)",
        "t6 (not affected)",
        "t5 (not affected)",
    ]


def test_tables_have_no_index_readable_values_and_escape_text():
    frame = pd.DataFrame(
        {
            "tenant": ["acme", "<b>x</b>"],
            "requests": [14216, 5],
            "errors": [1330, 0],
            "error_rate": [0.093557, 0.0],
            "baseline_error_rate": [0.00316, 0.001],
            "z": [52.66, 0.1],
            "affected": [True, False],
        }
    )
    table = views.tenants(frame)
    text = table.to_text()
    assert text.splitlines()[0].split() == [
        "Tenant", "Requests", "Errors", "Error", "rate", "since", "the", "onset",
        "Error", "rate", "before", "Affected",
    ]  # fmt: skip
    assert "14,216" in text and "9.4%" in text and "0.3%" in text and "yes" in text
    assert "52.66" not in text and "True" not in text and "0.093557" not in text
    page = table.to_html()
    assert "<th" in page and "<tbody><tr><td" in page  # no index column: rows start with data
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert page.count("background-color:#fdecea") == len(table.columns)  # acme highlighted
    assert Table(frame.iloc[0:0], [Col("tenant")], empty="No tenants.").to_text() == "No tenants."


def test_signature_table_marks_new_ones_and_shows_the_example_on_hover():
    frame = pd.DataFrame(
        {
            "template": ["DatabaseError: column <*>"],
            "example": ["DatabaseError: column discount_code"],
            "count": [3004],
            "first_seen": [pd.Timestamp("2026-11-20T14:07:00.303Z")],
            "last_seen": [pd.Timestamp("2026-11-20T14:59:59.639Z")],
            "tenants": [3],
            "endpoints": ["/api/v1/checkout"],
            "new_since_onset": [True],
        }
    )
    table = views.signatures(frame)
    assert table.cells()[0][:5] == [
        "NEW",
        "DatabaseError: column <*>",
        "3,004",
        "2026-11-20 14:07:00",
        "2026-11-20 14:59:59",
    ]  # no microseconds, no offset
    assert 'title="DatabaseError: column discount_code"' in table.to_html()


def test_one_spelling_for_numbers_and_times():
    assert humanize.percent(0.3423) == "34.2%" and humanize.percent(None) == "-"
    assert humanize.slope_text(0.0017) == "+0.17 points/min"
    assert humanize.trend_text("worsening", 0.0017, 15) == (
        "worsening, +0.17 points/min over the last 15 min"
    )
    assert humanize.duration_text(timedelta(minutes=95)) == "1 hour 35 minutes"
    assert humanize.duration_text(timedelta(minutes=52)) == "52 minutes"
    assert humanize.duration_text(timedelta(hours=50)) == "2 days 2 hours"
    assert humanize.plural(1, "incident") == "1 incident"
    assert humanize.plural(2, "incident") == "2 incidents"
    assert humanize.moment(T0) == "2026-11-20 12:00 UTC"
    assert humanize.humanize_column("baseline_error_rate") == "Baseline error rate"
    assert humanize.humanize_column("p95_ms") == "P95 (ms)"


def test_the_demo_moved_to_now_keeps_its_ground_truth():
    now = datetime(2026, 12, 6, 0, 36, 41, tzinfo=UTC)
    moved = Scenario.ending_at(now)
    base = Scenario()
    assert moved.end == datetime(2026, 12, 6, 0, 36, tzinfo=UTC)
    assert moved.onset - moved.start == base.onset - base.start
    assert moved.alert_at - moved.onset == base.alert_at - base.onset
    truth, base_truth = moved.ground_truth(), base.ground_truth()
    assert truth["onset"] == "2026-12-05T23:43:00Z"
    for key in ("failing_endpoint", "affected_tenants", "tenants_total", "severity"):
        assert truth[key] == base_truth[key]


def test_the_summary_carries_the_top_suspects_through_json():
    from incident_nb.core.findings import SuspectNote
    from incident_nb.core.summary import AnalysisSummary

    note = SuspectNote(
        rank=1,
        sha="f719c84b",
        subject="Add discount codes",
        live_at=T0,
        deploy="v2.14.0",
        score=0.6986,
        reasons=("deployed by v2.14.0", "includes a database migration"),
    )
    summary = AnalysisSummary.from_json({"suspects": [note.to_json()]})
    assert summary.suspects == (note,)
    assert summary.to_json()["suspects"] == [note.to_json()]
    assert "suspects" not in AnalysisSummary.from_json({}).to_json()  # analyze --json unchanged


def test_tables_show_secrets_redacted_in_html_and_text():
    import pandas as pd

    from incident_nb.notebook.tables import Col, Table

    secret = '{"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}'
    frame = pd.DataFrame({"message": [secret], "full": [secret]})
    table = Table(frame, [Col("message", "Message", hover="full")])
    for shown in (table.to_html(), table.to_text()):
        assert "wJalrXUtnFEMI" not in shown
        assert "[REDACTED:" in shown
