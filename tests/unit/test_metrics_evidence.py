from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from incident_nb.analysis.metrics import MetricsEvidence, metrics_onset, per_step_frame, tidy
from incident_nb.charts import deploy_markers, error_rate_chart, latency_chart
from incident_nb.core.errors import EvidenceError
from incident_nb.evidence.metrics import file_metrics_evidence
from incident_nb.sources.metrics_file import normalise
from incident_nb.sources.prometheus import PrometheusAuth, parse_matrix

START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _series(minutes: int = 60, onset: int = 40) -> pd.DataFrame:
    times = [START + timedelta(minutes=m) for m in range(minutes)]
    frames = {
        "request_rate": pd.DataFrame({"time": times, "value": [20.0] * minutes}),
        "error_rate": pd.DataFrame(
            {"time": times, "value": [0.2 if m >= onset else 0.01 for m in range(minutes)]}
        ),
        "p99_ms": pd.DataFrame({"time": times, "value": [250.0] * minutes}),
    }
    return tidy(frames)


def test_parse_matrix_of_a_captured_response(shared_data: Path) -> None:
    payload = json.loads((shared_data / "metrics" / "captured_query_range_p99.json").read_text())
    frame = parse_matrix(payload)
    assert list(frame.columns) == ["time", "value", "service"]
    assert set(frame["service"]) == {"cart", "checkout"}
    cart = frame[frame["service"] == "cart"]
    assert cart["value"].iloc[0] == pytest.approx(0.3636363636363633)
    assert str(cart["time"].dt.tz) == "UTC"
    assert cart["time"].iloc[0] == pd.Timestamp(1795782600, unit="s", tz="UTC")


def test_parse_matrix_errors_are_evidence_errors() -> None:
    with pytest.raises(EvidenceError, match="rejected the query"):
        parse_matrix({"status": "error", "errorType": "bad_data", "error": "parse error"})
    with pytest.raises(EvidenceError, match="not a Prometheus query_range response"):
        parse_matrix({"hello": "world"})
    nan = parse_matrix(
        {"status": "success", "data": {"resultType": "matrix", "result": [
            {"metric": {}, "values": [[1795782600, "NaN"]]}]}}
    )  # fmt: skip
    assert math.isnan(nan["value"].iloc[0])


def test_per_step_frame_estimates_counts() -> None:
    frame = per_step_frame(_series(), 60)
    assert list(frame.columns) == ["minute", "requests", "errors", "p50_ms", "p95_ms", "p99_ms"]
    assert frame["requests"].iloc[0] == 1200.0
    assert frame["errors"].iloc[50] == pytest.approx(240.0)
    assert frame["p50_ms"].isna().all()
    onset = metrics_onset(_series(), 60)
    assert onset is not None and onset.at == START + timedelta(minutes=40)


def test_evidence_json_and_charts() -> None:
    series = _series()
    evidence = MetricsEvidence("checkout", 60, series, pd.DataFrame(), metrics_onset(series, 60))
    payload = evidence.as_json()
    assert payload["onset"] == "2026-11-20T12:40:00Z"
    data = payload["series"]
    assert isinstance(data, dict)
    assert data["error_rate"][40] == ["2026-11-20T12:40:00Z", 0.2]
    assert data["p50_ms"] == []
    deploys = pd.DataFrame(
        {"time": [START + timedelta(minutes=37)], "version": ["v2.14.0"], "sha": ["a" * 40]}
    )
    markers = deploy_markers(deploys)
    assert markers == [("deploy v2.14.0", START + timedelta(minutes=37))]
    fig = error_rate_chart(evidence.per_minute(), markers=markers)
    assert fig.layout.annotations[0].text == "deploy v2.14.0 12:37"
    assert fig.layout.shapes[0].line.color == "#2ca02c"
    assert len(latency_chart(evidence.per_minute(), markers=markers).data) == 3


def test_metrics_file_long_and_wide(tmp_path: Path) -> None:
    series = _series()
    long = series.assign(service="checkout", time=series["time"].astype(str))
    long.loc[len(long)] = ["not a time", "error_rate", 0.5, "checkout"]
    long.to_csv(tmp_path / "long.csv", index=False)
    evidence = file_metrics_evidence(tmp_path / "long.csv", "checkout")
    assert evidence.onset is not None and evidence.onset.at == START + timedelta(minutes=40)
    assert evidence.notes == ("1 rows with an unreadable time or value were left out",)
    wide = series.pivot(index="time", columns="series", values="value").reset_index()
    wide.to_parquet(tmp_path / "wide.parquet")
    from_wide = file_metrics_evidence(tmp_path / "wide.parquet", "checkout")
    assert len(from_wide.series) == len(series)
    with pytest.raises(EvidenceError, match="no 'time' column"):
        normalise(pd.DataFrame({"t": [1]}))
    with pytest.raises(EvidenceError, match="unknown metrics file type"):
        (tmp_path / "x.txt").write_text("x")
        file_metrics_evidence(tmp_path / "x.txt", "checkout")


def test_auth_from_environment_and_files(tmp_path: Path) -> None:
    assert PrometheusAuth.from_env({}) is None
    token = PrometheusAuth.from_env({"INCIDENT_NB_PROMETHEUS_TOKEN": "s3cret"})
    assert token is not None and token.headers() == {"Authorization": "Bearer s3cret"}
    assert "s3cret" not in repr(token)
    secret = tmp_path / "password"
    secret.write_text("pw\n")
    basic = PrometheusAuth.from_env(
        {"INCIDENT_NB_PROMETHEUS_USER": "sre", "INCIDENT_NB_PROMETHEUS_PASSWORD_FILE": str(secret)}
    )
    assert basic == PrometheusAuth(username="sre", password="pw")
    assert basic.httpx_auth() is not None and basic.headers() == {}
    with pytest.raises(EvidenceError, match="cannot read the Prometheus secret file"):
        PrometheusAuth.from_env({"INCIDENT_NB_PROMETHEUS_TOKEN_FILE": str(tmp_path / "none")})
