"""``analyze`` finds an incident where the failure is: a few tenants on one endpoint.

The issue's case, end to end through the command: 3 of 150 tenants fail on 1 of 13 endpoints
(about 8 failing requests a minute among 2,200; overall 0.06% -> ~0.3%).
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

from incident_nb.analysis.answers import onset_paragraph
from incident_nb.cli import main
from incident_nb.core import text as md
from incident_nb.core.record import AlertRecord, IncidentRecord
from incident_nb.core.summary import AnalysisSummary
from incident_nb.evidence.logs import analyze_store
from incident_nb.postmortem.document import render_markdown
from incident_nb.sources.logs import LogStore

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ONSET = 70
FAILING = ("tenant-004", "tenant-011", "tenant-023")
ENDPOINT = "POST /api/v2/ledger/entries"


def write_requests(
    path: Path, rng: np.random.Generator, minute: np.ndarray, columns: dict[str, Any]
) -> Path:
    """Requests as JSON lines: a time within each one's minute, ``columns``, a latency."""
    ts = pd.Timestamp(T0) + pd.to_timedelta(minute * 60 + rng.random(minute.size) * 60, unit="s")
    latency = np.round(rng.lognormal(3.5, 0.5, minute.size), 1)
    frame = pd.DataFrame({"ts": ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), **columns})
    frame.assign(latency_ms=latency).to_json(path, orient="records", lines=True)
    return path


def write_log(path: Path, tenants: bool = True, seed: int = 5) -> Path:
    """110 minutes of 2,200 requests a minute; from minute 70 the three tenants fail 58%."""
    rng = np.random.default_rng(seed)
    endpoints = [ENDPOINT] + [f"GET /api/v2/e{i}" for i in range(1, 13)]
    tenant_w = rng.pareto(1.3, 150) + 0.2
    for name in FAILING:  # large customers
        tenant_w[int(name[-3:])] = 4.0
    tenant_w /= tenant_w.sum()
    counts = rng.poisson(2200, 110)
    minute = np.repeat(np.arange(110), counts)
    tenant = rng.choice(150, size=minute.size, p=tenant_w)
    endpoint = rng.choice(13, size=minute.size, p=np.full(13, 1 / 13))
    failing = np.isin(tenant, [int(n[-3:]) for n in FAILING]) & (endpoint == 0) & (minute >= ONSET)
    failed = (rng.random(minute.size) < 0.0006) | (failing & (rng.random(minute.size) < 0.58))
    columns = {
        "endpoint": np.asarray(endpoints, dtype=object)[endpoint],
        "status": np.where(failed, 500, 200),
    }
    if tenants:
        columns["tenant_id"] = [f"tenant-{t:03d}" for t in tenant]
    return write_requests(path, rng, minute, columns)


def analyze(*args: object) -> tuple[dict[str, Any], str]:
    """The ``--json`` document and the text output of ``analyze``, run in this process."""
    outputs = []
    for extra in (["--json"], []):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["analyze", "--logs", *map(str, args), *extra]) == 0
        outputs.append(out.getvalue())
    return json.loads(outputs[0]), outputs[1]


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    return analyze(write_log(tmp_path_factory.mktemp("logs") / "ledger.jsonl"))


def test_the_onset_is_found_in_the_failing_group(found):
    doc, _ = found
    at = datetime.fromisoformat(doc["onset"].replace("Z", "+00:00"))
    assert abs(at - (T0 + timedelta(minutes=ONSET))) <= timedelta(minutes=2)
    assert doc["onset_signal"] == "error rate"
    group = doc["onset_group"]
    assert group["status"] is None  # the failures as a whole rose
    assert group["endpoints"] == [ENDPOINT]
    assert sorted(group["tenants"]) == sorted(FAILING)
    evidence = doc["onset_evidence"]
    assert evidence["unit"] == "share"
    assert evidence["before"] < 0.005
    assert evidence["after"] == pytest.approx(0.58, abs=0.08)
    assert evidence["log10_p"] < -9
    assert evidence["sentence"].startswith(f"failures of {ENDPOINT} for 3 tenants (")
    assert "p < 1e-9" in evidence["sentence"]


def test_impact_and_severity_come_from_the_affected_group(found):
    doc, _ = found
    assert sorted(t["tenant"] for t in doc["affected_tenants"]) == sorted(FAILING)
    assert [e["endpoint"] for e in doc["endpoints"] if e["affected"]] == [ENDPOINT]
    assert doc["tenants_total"] == 150
    severity = doc["severity_suggestion"]
    assert severity["level"] == "SEV-3"
    assert any("few tenants affected: 3 of 150" in r for r in severity["reasons"])


def test_the_trend_says_over_which_minutes_and_in_one_unit(found):
    doc, _ = found
    trend = doc["trend"]
    assert trend["direction"] == "stable"
    assert trend["unit"] == "pp/min"
    assert {"direction", "slope_per_min", "minutes", "slope", "from", "to"} <= set(trend)
    judged = datetime.fromisoformat(trend["from"].replace("Z", "+00:00"))
    assert judged >= datetime.fromisoformat(doc["onset"].replace("Z", "+00:00"))
    # The last 30 minutes, or back to the onset when they hold too few failures to judge.
    assert 30 <= trend["minutes"] <= 40


def test_the_text_and_the_post_mortem_show_the_group_and_the_evidence(found):
    doc, text = found
    sentence = doc["onset_evidence"]["sentence"]
    assert sentence in text
    assert f"over {doc['trend']['minutes']} min (10:" in text  # the minutes it was judged over
    summary = AnalysisSummary.from_json(doc)
    assert summary.to_json() == doc  # the new keys read back
    alert = AlertRecord(
        source="alertmanager", key="k", title="Ledger failing", service="ledger", started_at=T0
    )
    record = IncidentRecord(
        id="2026-11-20-ledger-failing",
        title="Ledger failing",
        service="ledger",
        created_at=T0,
        alert=alert,
    )
    document = render_markdown(record, summary)
    impact = document.split("### Impact", 1)[1].split("### Timeline", 1)[0]
    assert f"- {md.text(f'Where it started: {sentence}.')}" in impact


def test_a_log_without_tenants_lists_no_affected_tenant(tmp_path):
    doc, _ = analyze(write_log(tmp_path / "no-tenants.jsonl", tenants=False))
    assert doc["affected_tenants"] == []
    assert doc["onset_group"]["tenants"] == []
    assert doc["onset_group"]["endpoints"] == [ENDPOINT]
    assert "(none)" not in doc["onset_evidence"]["sentence"]
    assert "tenant" not in doc["onset_evidence"]["sentence"]


def write_cell_log(path: Path, seed: int = 11) -> Path:
    """90 minutes of 1,500 requests a minute over 40 tenants and 10 endpoints, where one
    large tenant and one busy endpoint both always fail 3%; from minute 60, the tenant's 2
    requests a minute on that endpoint fail 40% (about one more failure a minute among the
    tenant's 150 and the endpoint's 150: under the 1.5x rise either would need)."""
    rng = np.random.default_rng(seed)
    minute = np.repeat(np.arange(90), rng.poisson(1500, 90))
    big, busy = 7, 0
    tenant = rng.choice(
        40, size=minute.size, p=np.r_[np.full(7, 0.9 / 39), 0.1, np.full(32, 0.9 / 39)]
    )
    endpoint = rng.integers(0, 10, size=minute.size)
    # The large tenant calls the busy endpoint about 2 times a minute only.
    moved = (tenant == big) & (endpoint == busy) & (rng.random(minute.size) > 2 / 15)
    endpoint[moved] = rng.integers(1, 10, size=int(moved.sum()))
    cell = (tenant == big) & (endpoint == busy)
    share = np.where((tenant == big) | (endpoint == busy), 0.03, 0.001)
    share = np.where(cell, np.where(minute >= 60, 0.4, 0.002), share)
    failed = rng.random(minute.size) < share
    columns = {
        "endpoint": [f"POST /api/v2/e{e}" for e in endpoint],
        "tenant_id": [f"tenant-{t:03d}" for t in tenant],
        "status": np.where(failed, 500, 200),
    }
    return write_requests(path, rng, minute, columns)


def test_one_tenant_failing_on_one_endpoint_is_found_in_their_cell(tmp_path):
    log = write_cell_log(tmp_path / "cell.jsonl")
    doc, text = analyze(log)
    at = datetime.fromisoformat(doc["onset"].replace("Z", "+00:00"))
    assert abs(at - (T0 + timedelta(minutes=60))) <= timedelta(minutes=2)
    group = doc["onset_group"]
    assert group["found_in"] == "endpoint x tenant"
    assert group["group"] == {"endpoint": "POST /api/v2/e0", "tenant": "tenant-007"}
    assert group["endpoints"] == ["POST /api/v2/e0"] and group["tenants"] == ["tenant-007"]
    assert [t["tenant"] for t in doc["affected_tenants"]] == ["tenant-007"]
    assert [e["endpoint"] for e in doc["endpoints"] if e["affected"]] == ["POST /api/v2/e0"]
    assert any("1 of 40" in r for r in doc["severity_suggestion"]["reasons"])
    sentence = doc["onset_evidence"]["sentence"]
    assert sentence.startswith("failures of POST /api/v2/e0 for tenant tenant-007 rose from ")
    # The p-value counts every group scanned: of the whole service, the 10 endpoints, the 40
    # tenants and their 400 cells, those with the three failures a change needs.
    assert doc["onset_evidence"]["log10_p"] < -3
    failed = pd.read_json(log, lines=True).query("status >= 500")
    levels = [["endpoint"], ["tenant_id"], ["endpoint", "tenant_id"]]
    scanned = sum(int((failed.groupby(dims).size() >= 3).sum()) for dims in levels)
    assert doc["onset_evidence"]["groups_searched"] == 1 + scanned
    assert sentence in text


def write_status_log(path: Path, *, swap: bool = False, seed: int = 13) -> Path:
    """2 hours of 600 requests a minute on 8 endpoints, 4% of them failing (500s and 502s).

    From minute 60, one endpoint's requests also time out (504) 3% of the time; or, with
    ``swap``, nothing new fails and the 502s are answered as 503s instead.
    """
    rng = np.random.default_rng(seed)
    endpoints = [f"GET /api/v1/e{i}" for i in range(8)]
    counts = rng.poisson(600, 120)
    minute = np.repeat(np.arange(120), counts)
    endpoint = rng.integers(8, size=minute.size)
    jitter = np.exp(rng.normal(0, 0.2, 120))[minute]
    draw = rng.random(minute.size)
    status = np.where(draw < 0.03 * jitter, 500, np.where(draw < 0.04 * jitter, 502, 200))
    if swap:
        status = np.where((status == 502) & (minute >= 60), 503, status)
    else:
        times_out = (endpoint == 3) & (minute >= 60) & (rng.random(minute.size) < 0.03)
        status = np.where((status == 200) & times_out, 504, status)
    tenants = [f"tenant-{t:02d}" for t in rng.integers(20, size=minute.size)]
    columns = {
        "endpoint": np.asarray(endpoints, dtype=object)[endpoint],
        "tenant_id": tenants,
        "status": status,
    }
    return write_requests(path, rng, minute, columns)


def test_a_new_failing_status_under_a_background_of_others_is_found_and_named(tmp_path):
    # The endpoint's failures go from 4% to 7%, which the wandering of its minutes' failure
    # rate hides (no change of the failures as a whole is confirmed); its 504s from none to 3%.
    doc, text = analyze(write_status_log(tmp_path / "gateway.jsonl"))
    at = datetime.fromisoformat(doc["onset"].replace("Z", "+00:00"))
    assert abs(at - (T0 + timedelta(minutes=60))) <= timedelta(minutes=2)
    group, evidence = doc["onset_group"], doc["onset_evidence"]
    assert group["status"] == "504"
    assert group["endpoints"] == ["GET /api/v1/e3"]
    assert evidence["before"] < 0.001 and evidence["after"] == pytest.approx(0.03, abs=0.01)
    assert evidence["sentence"].startswith("failures with status 504 of GET /api/v1/e3")
    assert evidence["sentence"] in text
    assert AnalysisSummary.from_json(doc).to_json() == doc


def test_failures_that_only_change_status_are_no_onset(tmp_path):
    doc, _ = analyze(write_status_log(tmp_path / "gateway.jsonl", swap=True))
    assert doc["onset"] is None


def test_step_1_says_the_onset_is_that_of_one_status_s_failures(tmp_path):
    store = LogStore.open([write_status_log(tmp_path / "gateway.jsonl")])
    try:
        evidence = analyze_store(store)
    finally:
        store.close()
    shown = onset_paragraph(evidence.assessment)
    assert "failures with status 504 of GET /api/v1/e3" in shown
    assert "level among the failures of status 504 alone" in shown
