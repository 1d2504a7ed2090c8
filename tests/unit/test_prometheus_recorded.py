"""The Prometheus source against recorded HTTP responses, through its transport seam.

The real-server tests (tests/integration/test_prometheus.py) check the same logic against a
running Prometheus; these pin what each kind of answer becomes, offline.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from incident_nb.core.errors import EvidenceError
from incident_nb.evidence.metrics import metrics_evidence
from incident_nb.sources import promql
from incident_nb.sources.prometheus import PrometheusAuth, PrometheusSource
from incident_nb.sources.promql import MetricNames

START = datetime.fromtimestamp(1795782600, UTC)
END = datetime.fromtimestamp(1795782600 + 3600, UTC)
EMPTY = {"status": "success", "data": {"resultType": "matrix", "result": []}}


def _matrix(values: list[tuple[float, str]], **labels: str) -> dict[str, object]:
    result = [{"metric": labels, "values": [list(v) for v in values]}]
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


def _recorded(shared_data: Path) -> dict[str, object]:
    """Recorded answers by series name: the captured 5xx rate and p99 of a real server."""
    folder = shared_data / "metrics"
    five_xx = json.loads((folder / "captured_query_range_5xx_rate.json").read_text())
    p99 = json.loads((folder / "captured_query_range_p99.json").read_text())
    times = [float(v[0]) for v in five_xx["data"]["result"][0]["values"]]
    return {
        "request_rate": _matrix([(t, "12.5") for t in times], service="cart"),
        "error_rate": five_xx,
        "p99_ms": p99,
    }


def _server(answers: dict[str, object], seen: list[httpx.Request]) -> httpx.MockTransport:
    queries = promql.service_queries(MetricNames(), "cart", 60)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        query = request.url.params["query"]
        name = next((n for n, q in queries.items() if q == query), None)
        return httpx.Response(200, json=answers.get(name or "", EMPTY))

    return httpx.MockTransport(handle)


def test_recorded_answers_become_the_metrics_evidence(shared_data: Path) -> None:
    seen: list[httpx.Request] = []
    auth = PrometheusAuth(bearer_token="tok")
    evidence = metrics_evidence(
        "http://prom.example:9090/",
        "cart",
        START,
        END,
        auth=auth,
        transport=_server(_recorded(shared_data), seen),
    )
    assert all(r.headers["Authorization"] == "Bearer tok" for r in seen)
    assert {r.url.path for r in seen} == {"/api/v1/query_range"}
    assert seen[0].url.params["step"] == "60"
    names = set(evidence.series["series"])
    assert {"request_rate", "error_rate", "p99_ms"} <= names
    p99 = evidence.series[evidence.series["series"] == "p99_ms"]
    # The recorded p99 is in seconds; the evidence keeps milliseconds.
    assert p99["value"].iloc[0] == pytest.approx(363.6363636363633)
    assert any("no series for this service" in note for note in evidence.notes)


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(401), r"refused the credentials \(HTTP 401\)"),
        (httpx.Response(502, text="<html>bad gateway</html>"), "answered HTTP 502 without JSON"),
    ],
)
def test_refusals_and_non_json_answers_are_named(response: httpx.Response, message: str) -> None:
    transport = httpx.MockTransport(lambda _request: response)
    source = PrometheusSource("http://prom.example:9090", transport=transport)
    with source, pytest.raises(EvidenceError, match=message):
        source.query_range("up", START, END, 60)


def test_an_unreachable_server_is_named() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    source = PrometheusSource("http://prom.example:9090", transport=httpx.MockTransport(refuse))
    with source, pytest.raises(EvidenceError, match=r"prom\.example:9090 is unreachable"):
        source.query_range("up", START, END, 60)


def test_a_service_without_request_series_says_what_to_check() -> None:
    transport = httpx.MockTransport(lambda _request: httpx.Response(200, json=EMPTY))
    with pytest.raises(EvidenceError, match="check the service name"):
        metrics_evidence("http://prom.example:9090", "cart", START, END, transport=transport)
