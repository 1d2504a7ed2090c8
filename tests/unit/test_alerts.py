import json
from datetime import UTC, datetime

import pytest

from incident_nb.alerts import alert_from_fields, parse_alert
from incident_nb.core.errors import AlertError
from incident_nb.demo.history import alert_payload
from incident_nb.demo.scenario import Scenario

SAMPLES = [
    "captured_alertmanager-0.25.0_webhook_firing_from_prometheus-2.42_rule.json",
    "captured_alertmanager-0.25.0_webhook_firing_api_v2.json",
    "captured_alertmanager-0.25.0_webhook_resolved_api_v2.json",
    "zulip_alertmanager_webhook_v4_alert.json",
]


def test_demo_payload_parses_to_the_scenario_alert():
    scenario = Scenario()
    alert = parse_alert(alert_payload(scenario))
    assert alert.source == "alertmanager"
    assert alert.key == '{}:{alertname="HighErrorRate", service="shop-api"}'
    assert alert.title == "5xx error rate above 2% on shop-api"
    assert alert.service == "shop-api"
    assert alert.started_at == scenario.alert_at.replace(microsecond=123456)
    assert alert.status == "firing"
    assert alert.ends_at is None  # Go's zero time means "no end"


@pytest.mark.shared_data
@pytest.mark.parametrize("name", SAMPLES)
def test_real_alertmanager_payloads_parse(shared_data, name):
    payload = json.loads((shared_data / "alerts" / name).read_text())
    alert = parse_alert(payload)
    assert alert.key == payload["groupKey"]
    assert alert.title
    assert alert.started_at.tzinfo is UTC
    assert alert.status == payload["status"]


@pytest.mark.shared_data
def test_real_payload_fields(shared_data):
    name = "captured_alertmanager-0.25.0_webhook_firing_from_prometheus-2.42_rule.json"
    alert = parse_alert(json.loads((shared_data / "alerts" / name).read_text()))
    assert alert.title == "Smoke-test alert from local Prometheus"
    assert alert.service == "checkout"
    assert alert.started_at == datetime(2026, 11, 28, 17, 42, 46, 488000, tzinfo=UTC)
    assert alert.labels["alertname"] == "SmokeAlwaysFiring"


@pytest.mark.shared_data
def test_nine_fraction_digits_and_earliest_firing_alert(shared_data):
    payload = json.loads(
        (shared_data / "alerts" / "zulip_alertmanager_webhook_v4_alert.json").read_text()
    )
    alert = parse_alert(payload)
    starts = sorted(a["startsAt"] for a in payload["alerts"] if a["status"] == "firing")
    assert alert.started_at.isoformat().startswith(starts[0][:19])


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "groupKey"),
        ({"version": "4", "groupKey": "k", "status": "firing", "alerts": []}, "alerts"),
        (
            {
                "version": "3",
                "groupKey": "k",
                "status": "firing",
                "alerts": [{"status": "firing", "labels": {}, "startsAt": "2026-01-01T00:00:00Z"}],
            },
            "version '3'",
        ),
        (
            {
                "version": "4",
                "groupKey": "k",
                "status": "firing",
                "alerts": [{"status": "firing", "labels": {}, "startsAt": "soon"}],
            },
            "alerts.0.startsAt",
        ),
        ([1, 2], "not an Alertmanager webhook payload"),
    ],
)
def test_invalid_payloads_name_the_problem(payload, message):
    with pytest.raises(AlertError, match=message):
        parse_alert(payload)


def test_unknown_source_lists_the_known_ones():
    with pytest.raises(AlertError, match="known sources: alertmanager"):
        parse_alert({}, source="nagios")


def test_alert_from_fields_is_stable_and_validated():
    a = alert_from_fields("Checkout down", "shop", "2026-11-20T14:07:00+01:00")
    b = alert_from_fields("Checkout down", "shop", "2026-11-20T13:07:00Z")
    assert a.key == b.key and a.key.startswith("manual:")
    assert a.started_at == datetime(2026, 11, 20, 13, 7, tzinfo=UTC)
    with pytest.raises(AlertError, match="--started-at"):
        alert_from_fields("t", "s", "not a time")
    with pytest.raises(AlertError, match="--title is empty"):
        alert_from_fields("  ", "s", "2026-01-01T00:00:00Z")
