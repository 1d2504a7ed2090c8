"""The metrics evidence against a real Prometheus, backfilled with a known incident."""

from __future__ import annotations

import json
import math
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from incident_nb.cli import main
from incident_nb.core.errors import EvidenceError
from incident_nb.core.models import iso, parse_utc
from incident_nb.evidence.metrics import metrics_evidence
from incident_nb.sources.promql import MetricNames
from tests.conftest import need
from tests.prom_scenario import PromScenario, hour_aligned_past

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def scenario() -> PromScenario:
    return PromScenario(start=hour_aligned_past(30))


@pytest.fixture(scope="module")
def prometheus(scenario: PromScenario, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary, promtool = shutil.which("prometheus"), shutil.which("promtool")
    need(binary is not None and promtool is not None, "apt-get install prometheus")
    assert binary is not None and promtool is not None
    work = tmp_path_factory.mktemp("prometheus")
    data = work / "data"
    scenario.write_openmetrics(work / "incident.om")
    subprocess.run(
        [
            promtool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            str(work / "incident.om"),
            str(data),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (work / "prometheus.yml").write_text("global:\n  scrape_interval: 15s\nscrape_configs: []\n")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with (work / "prometheus.log").open("wb") as log:
        proc = subprocess.Popen(
            [
                binary,
                f"--config.file={work / 'prometheus.yml'}",
                f"--storage.tsdb.path={data}",
                "--storage.tsdb.retention.time=10y",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"prometheus did not start: {(work / 'prometheus.log').read_text()}")
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _stable(scenario: PromScenario, minute: int) -> bool:
    """Minutes whose 2-minute rate window lies wholly inside one regime."""
    edges = (0, scenario.onset_minute, scenario.recovery_minute)
    return all(not 0 <= minute - edge < 3 for edge in edges)


def test_error_rate_p99_and_onset_match_ground_truth(
    prometheus: str, scenario: PromScenario
) -> None:
    start, end = scenario.start, scenario.start + timedelta(minutes=scenario.minutes)
    evidence = metrics_evidence(prometheus, "checkout", start, end, step_seconds=60)
    series = evidence.series
    checked = 0
    for name, truth, tolerance in (
        ("error_rate", scenario.error_rate, 1e-6),
        ("p99_ms", lambda m: 1000 * scenario.p99_seconds(m), 1e-3),
    ):
        part = series[series["series"] == name]
        assert len(part) >= scenario.minutes - 2
        for when, value in zip(part["time"], part["value"], strict=True):
            minute = round((when.to_pydatetime() - start).total_seconds() / 60)
            if _stable(scenario, minute):
                assert value == pytest.approx(truth(minute), rel=tolerance, abs=tolerance), (
                    name,
                    minute,
                )
                checked += 1
    assert checked > 300
    assert evidence.onset is not None
    assert evidence.onset.signal == "error rate"
    assert abs((evidence.onset.at - scenario.onset).total_seconds()) <= 120
    rates = series[series["series"] == "request_rate"]["value"]
    assert rates.median() == pytest.approx(1000 / 60)
    routes = evidence.routes
    failing = routes[routes["route"] == "/api/v1/checkout"]
    peak = failing["error_rate"].max()
    assert peak == pytest.approx(0.30, abs=1e-6)
    orders = routes[routes["route"] == "/api/v1/orders"]["error_rate"]
    assert orders.max() == pytest.approx(0.01, abs=1e-6)
    assert any("cpu_cores" in note for note in evidence.notes)  # no such series: noted, not fatal


def test_metrics_cli_json(
    prometheus: str, scenario: PromScenario, capsys: pytest.CaptureFixture[str]
) -> None:
    end = scenario.start + timedelta(minutes=scenario.minutes)
    status = main(
        [
            "metrics",
            "--prometheus",
            prometheus,
            "--service",
            "checkout",
            "--start",
            iso(scenario.start),
            "--end",
            iso(end),
            "--json",
        ]
    )
    assert status == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload["series"]) == {"request_rate", "error_rate", "p50_ms", "p95_ms", "p99_ms"}
    p99 = dict(payload["series"]["p99_ms"])
    minute = scenario.onset_minute + 10
    stamp = iso(scenario.start + timedelta(minutes=minute))
    assert p99[stamp] == pytest.approx(1000 * scenario.p99_seconds(minute), rel=1e-3)
    assert abs((parse_utc(payload["onset"]) - scenario.onset).total_seconds()) <= 120
    assert all(v is None or not math.isnan(v) for _, v in payload["series"]["error_rate"])


def test_healthy_service_has_no_onset(prometheus: str, scenario: PromScenario) -> None:
    end = scenario.start + timedelta(minutes=scenario.minutes)
    evidence = metrics_evidence(prometheus, "cart", scenario.start, end)
    assert evidence.onset is None


def test_failures_are_evidence_errors(prometheus: str, scenario: PromScenario) -> None:
    start, end = scenario.start, scenario.start + timedelta(minutes=30)
    with pytest.raises(EvidenceError, match="no http_requests_total series"):
        metrics_evidence(prometheus, "no-such-service", start, end)
    with pytest.raises(EvidenceError, match="rejected the query"):
        metrics_evidence(prometheus, "checkout", start, end, names=MetricNames(route_label="1x"))
    with pytest.raises(EvidenceError, match="unreachable"):
        metrics_evidence(f"http://127.0.0.1:{_free_port()}", "checkout", start, end)


def test_metrics_cli_reports_unreachable(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["metrics", "--prometheus", f"http://127.0.0.1:{_free_port()}", "--service", "x"]
    status = main([*argv, "--start", "2026-11-20T12:00:00Z", "--end", "2026-11-20T13:00:00Z"])
    assert status == 1
    assert "unreachable" in capsys.readouterr().err
