"""`incident-nb analyze` on a generated incident with a known ground truth."""

import json

import pytest

from incident_nb.cli import main
from incident_nb.demo.scenario import Scenario, generate_logs

SCENARIO = Scenario(lines=30_000)


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return generate_logs(SCENARIO, tmp_path_factory.mktemp("analyze") / "svc.jsonl")


def test_json_has_the_documented_keys_and_the_ground_truth(log, capsys):
    assert main(["analyze", "--logs", str(log), "--json"]) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    truth = SCENARIO.ground_truth()
    assert {
        "window",
        "lines",
        "onset",
        "first_error_at",
        "last_error_at",
        "error_rate",
        "endpoints",
        "affected_tenants",
        "trend",
        "signatures",
        "severity_suggestion",
    } <= set(doc)
    assert set(doc["window"]) == {"start", "end"}
    assert {"total", "parsed", "malformed"} <= set(doc["lines"]) and doc["lines"]["total"] == 30_000
    assert {"overall", "peak", "peak_at"} <= set(doc["error_rate"])
    assert doc["onset"] == truth["onset"]
    endpoint = doc["endpoints"][0]
    assert {"endpoint", "requests", "errors", "error_rate", "p50_ms", "p95_ms", "p99_ms"} <= set(
        endpoint
    )
    assert endpoint["endpoint"] == truth["failing_endpoint"] and endpoint["affected"] is True
    assert [t["tenant"] for t in doc["affected_tenants"]] == truth["affected_tenants"]
    assert {"tenant", "requests", "errors", "error_rate"} <= set(doc["affected_tenants"][0])
    assert {"direction", "slope_per_min"} <= set(doc["trend"])
    assert {"template", "count", "first_seen", "new_since_onset"} <= set(doc["signatures"][0])
    assert doc["signatures"][0]["new_since_onset"] is True
    assert doc["severity_suggestion"]["level"] == "SEV-2" and doc["severity_suggestion"]["reasons"]
    assert "analysing" in err  # progress goes to stderr, not into the JSON
