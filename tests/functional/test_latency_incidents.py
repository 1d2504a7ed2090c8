"""A latency incident reads as one: slow endpoints and tenants, in milliseconds, everywhere.

Nothing fails: from minute 60, three of 40 tenants are six times slower on one of six
endpoints. With a status field (every request answered 200), the post-mortem, the headline and
the stakeholder update must speak of latency, not of "0.0% of requests failing". Without any
field that tells errors, the slow tenants are still listed (their error counts unknown) and the
severity rests on the latency, saying so.
"""

from __future__ import annotations

import contextlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from incident_nb.analysis.answers import impact_answers
from incident_nb.cli import main
from incident_nb.core.record import AlertRecord, IncidentRecord
from incident_nb.core.summary import AnalysisSummary
from incident_nb.evidence.logs import LATENCY_ONLY, analyze_store
from incident_nb.postmortem import story
from incident_nb.postmortem.document import render_markdown
from incident_nb.sources.logs import LogStore
from incident_nb.updates.draft import draft_update

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ONSET = 60
SLOW = ("t01", "t02", "t03")
ENDPOINT = "/api/e3"


def write_slow_log(
    path: Path, status: bool, seed: int = 3, failing: tuple[int, float] | None = None
) -> Path:
    """90 minutes of about 600 requests a minute; from ONSET the SLOW tenants on ENDPOINT
    take six times longer. ``status``: every request has one (200; ``failing``: from that
    minute on, that share of the slow requests fail with 504)."""
    rng = np.random.default_rng(seed)
    minute = np.repeat(np.arange(90), rng.poisson(600, 90))
    tenant = np.array([f"t{i:02d}" for i in rng.integers(40, size=minute.size)])
    endpoint = np.array([f"/api/e{i}" for i in rng.integers(6, size=minute.size)])
    latency = 40 * np.exp(0.4 * rng.standard_normal(minute.size))
    slow = (minute >= ONSET) & (endpoint == ENDPOINT) & np.isin(tenant, SLOW)
    latency = np.where(slow, latency * 6, latency)
    ts = pd.Timestamp(T0) + pd.to_timedelta(minute * 60 + rng.uniform(0, 60, minute.size), "s")
    frame = pd.DataFrame(
        {
            "time": ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "tenant": tenant,
            "path": endpoint,
            "duration_ms": np.round(latency, 1),
            "msg": "handled",
        }
    )
    if status:
        since, share = failing or (10**9, 0.0)
        failed = slow & (minute >= since) & (rng.random(minute.size) < share)
        frame["status"] = np.where(failed, 504, 200)
    frame.sort_values("time").to_json(path, orient="records", lines=True)
    return path


def analyze(path: Path) -> tuple[dict[str, Any], str]:
    """The ``--json`` document and the text output of ``analyze``, run in this process."""
    outputs = []
    for extra in (["--json"], []):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["analyze", "--logs", str(path), *extra]) == 0
        outputs.append(out.getvalue())
    return json.loads(outputs[0]), outputs[1]


def record() -> IncidentRecord:
    alert = AlertRecord(source="grafana", key="k", title="Slow", service="api", started_at=T0)
    return IncidentRecord(
        id="2026-11-20-slow", title="Slow", service="api", created_at=T0, alert=alert
    )


@pytest.fixture(scope="module")
def untold(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    return analyze(write_slow_log(tmp_path_factory.mktemp("logs") / "app.jsonl", status=False))


@pytest.fixture(scope="module")
def told(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return analyze(write_slow_log(tmp_path_factory.mktemp("logs") / "app.jsonl", status=True))[0]


def test_logs_that_cannot_tell_errors_still_list_the_slow_tenants(untold):
    doc, text = untold
    assert doc["onset_signal"] == "latency"
    at = datetime.fromisoformat(doc["onset"].replace("Z", "+00:00"))
    assert abs(at - (T0 + timedelta(minutes=ONSET))) <= timedelta(minutes=2)
    assert [t["tenant"] for t in doc["affected_tenants"]] == list(SLOW)
    assert all(t["errors"] is None and t["error_rate"] is None for t in doc["affected_tenants"])
    assert all(t["requests"] > 0 for t in doc["affected_tenants"])
    assert doc["error_rate"]["overall"] is None  # still no error figure claimed
    severity = doc["severity_suggestion"]
    assert severity["level"] == "SEV-3"
    assert severity["reasons"][-1] == LATENCY_ONLY
    assert any("3 of 40 tenants" in r for r in severity["reasons"])
    assert "  t01: ?/" in text
    assert f"Severity:    SEV-3: minor feature degraded: {ENDPOINT} is" in text
    assert AnalysisSummary.from_json(doc).to_json() == doc  # unknown counts read back


def test_a_latency_incident_reads_as_one_in_the_post_mortem_and_the_update(told):
    summary = AnalysisSummary.from_json(told)
    assert summary.slowed is not None
    before, after = summary.slowed
    assert after / before == pytest.approx(6, rel=0.3)
    document = render_markdown(record(), summary)
    assert "0.0%" not in document.split("### Root Cause", 1)[0]  # no failing share of it
    assert f"| Slow endpoint {ENDPOINT} | latency rose from " in document
    draft = story.summary_draft(record(), summary)
    assert draft.startswith(f"Since 2026-11-20 10:00 UTC, the latency of {ENDPOINT} rose from ")
    assert "the latency was" in draft and "points/min" not in draft
    headline = dict(story.headline(summary))
    assert headline["Slow endpoint"].startswith(f"{ENDPOINT}: latency rose from ")
    update = draft_update(record(), summary, T0 + timedelta(minutes=95)).text
    assert f"{ENDPOINT} is slow (latency up from " in update
    assert "fails 0.0%" not in update and "latency trend: " in update


def test_step_1_names_the_slow_endpoint_by_its_latency(tmp_path):
    store = LogStore.open([write_slow_log(tmp_path / "app.jsonl", status=True)])
    try:
        assessment = analyze_store(store).assessment
    finally:
        store.close()
    answers = impact_answers(assessment, record())
    assert answers[1].startswith(f"{ENDPOINT} is slow: latency ")
    assert "ms since the onset" in answers[1] and "fails" not in answers[1]


def test_a_group_that_slowed_then_failed_is_told_by_its_failures(tmp_path):
    doc, _ = analyze(write_slow_log(tmp_path / "app.jsonl", status=True, failing=(ONSET + 10, 0.5)))
    evidence = doc["onset_evidence"]
    assert {evidence["signal"], evidence["also"]} == {"latency", "error rate"}
    assert "failures of " in evidence["sentence"] and "latency of " in evidence["sentence"]
    summary = AnalysisSummary.from_json(doc)
    assert summary.to_json() == doc
    assert summary.slowed is None
    headline = dict(story.headline(summary))
    assert headline["Failing endpoint"].startswith(f"{ENDPOINT}: ")
    assert "of requests failing since the onset" in headline["Failing endpoint"]


@pytest.mark.parametrize("seed", [3, 4])
def test_the_severity_of_a_group_that_failed_and_slowed_names_both(tmp_path, seed):
    """8% of the slow requests fail: by the seed, the search finds the failures first (the
    latency changed too) or the latency first (the failures rose too); either way the severity
    says the endpoint fails and is slower."""
    doc, _ = analyze(write_slow_log(tmp_path / "app.jsonl", True, seed, failing=(ONSET, 0.08)))
    evidence = doc["onset_evidence"]
    assert {evidence["signal"], evidence["also"]} == {"latency", "error rate"}
    reasons = doc["severity_suggestion"]["reasons"]
    assert any(r.startswith(f"minor feature degraded: {ENDPOINT} fails ") for r in reasons)
    assert any(
        r.startswith(f"minor feature degraded: {ENDPOINT} is ") and "x slower" in r for r in reasons
    )
