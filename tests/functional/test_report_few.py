"""The incident review of zero, one and two incidents reads as sentences, not empty charts."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from incident_nb.cli import main
from incident_nb.core.models import Severity
from incident_nb.core.record import AlertRecord, IncidentRecord, SeverityDecision, write_record
from incident_nb.review.aggregate import per_month
from incident_nb.review.charts import month_label, per_month_chart

START = datetime(2026, 9, 14, 10, 0, tzinfo=UTC)


def incident(root: Path, n: int, start: datetime, resolved: bool = False) -> None:
    alert = AlertRecord(source="m", key=f"k{n}", title="t", service="s", started_at=start)
    record = IncidentRecord(
        id=f"i{n}",
        title=f"Incident {n}",
        service="shop-api",
        created_at=start + timedelta(minutes=6),
        alert=alert,
    )
    if resolved:
        record.severity = SeverityDecision(level=Severity.SEV3, reason="few tenants")
        record.status, record.resolved_at = "resolved", start + timedelta(hours=1)
    folder = root / "incidents" / f"i{n}"
    folder.mkdir(parents=True)
    write_record(folder, record)


def review(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    page = tmp_path / "review.html"
    assert main(["report", "--root", str(root), "--as-of", "2026-12-01", "--html", str(page)]) == 0
    out = capsys.readouterr().out
    return out, page.read_text()


def charts_and_sentences(page: str) -> tuple[int, list[str]]:
    charts = len(re.findall(r'<div id="review-chart-\d+"', page))
    titles = re.findall(r'<div class="empty-chart"><b>([^<]+)</b>', page)
    return charts, [html.unescape(t) for t in titles]


def test_no_incidents_yet(tmp_path, capsys):
    (tmp_path / "incidents").mkdir()
    out, page = review(tmp_path, tmp_path, capsys)
    assert "0 incidents\n" in out
    charts, sentences = charts_and_sentences(page)
    assert charts == 0 and len(sentences) == 6
    assert "No incidents in this period." in page
    assert "<th>Measure</th>" not in page  # no table of headers only


def test_one_incident_is_one_incident(tmp_path, capsys):
    incident(tmp_path, 1, START)
    out, page = review(tmp_path, tmp_path, capsys)
    assert "1 incident (0 resolved, 1 open)" in out and "1 incidents" not in out
    assert "1 incident (0 resolved, 1 open)" in page
    charts, sentences = charts_and_sentences(page)
    # per month and time to detect have data; nothing is resolved, categorised or owned yet
    assert charts == 2
    assert sentences == [
        "Status updates on the severity's cadence",
        "Root-cause categories",
        "Action items per owner",
        "Share of incidents per responder (by rank)",
    ]


def test_two_incidents_months_apart_show_every_calendar_month(tmp_path, capsys):
    incident(tmp_path, 1, START, resolved=True)
    incident(tmp_path, 2, START + timedelta(days=61))
    out, page = review(tmp_path, tmp_path, capsys)
    assert "2 incidents (1 resolved, 1 open)" in out
    assert "Per month:    2026-09 1, 2026-10 0, 2026-11 1" in out
    charts, sentences = charts_and_sentences(page)
    assert charts == 3 and "Status updates on the severity's cadence" not in sentences


def test_months_are_calendar_months_on_a_category_axis():
    import pandas as pd

    frame = pd.DataFrame({"month": ["2026-09", "2026-11"], "severity": ["SEV-2", "SEV-3"]})
    months = per_month(frame)
    assert list(months["month"]) == ["2026-09", "2026-10", "2026-11"]
    assert list(months["total"]) == [1, 0, 1]
    fig = per_month_chart(months)
    assert fig.layout.xaxis.type == "category"
    assert list(fig.data[0].x) == ["Sep 2026", "Oct 2026", "Nov 2026"]
    assert month_label("2026-01") == "Jan 2026"
    assert date(2026, 1, 1)  # the labels are months, never times of day
