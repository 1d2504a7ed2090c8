"""Grafana, PagerDuty and generic payloads, and notifications, on the real samples."""

import copy
import json
from datetime import UTC, datetime

import pytest

from incident_nb.alerts import parse_alert, parse_notification
from incident_nb.alerts.pagerduty import pagerduty_signature, verify_pagerduty_signature
from incident_nb.core.errors import AlertError, AlertIgnoredError


def sample(shared_data, name):
    return json.loads((shared_data / "alerts" / name).read_text())


@pytest.mark.shared_data
def test_alertmanager_notification_instances_and_optional_fields(shared_data):
    payload = sample(shared_data, "zulip_alertmanager_webhook_v4_alert.json")
    assert "truncatedAlerts" not in payload  # older senders omit it
    n = parse_notification(payload, "alertmanager")
    assert n.alert.key == "{}/{}:{}"
    assert [i.fingerprint for i in n.instances] == ["a1bc48475b20e73d", "c2ea85182f28cbd9"]
    assert all(i.ends_at is None and i.status == "firing" for i in n.instances)
    assert n.instances[0].name == "High CPU Temperature (host=andromeda, severity=critical)"
    assert n.instances[0].started_at == datetime(2020, 2, 6, 0, 17, 58, 432911, tzinfo=UTC)
    newer = {**payload, "notification_reason": "repeat", "truncatedAlerts": 0}
    assert parse_notification(newer, "alertmanager").fingerprint == n.fingerprint


@pytest.mark.shared_data
def test_alertmanager_resolve_has_its_end_and_a_new_fingerprint(shared_data):
    firing = parse_notification(
        sample(shared_data, "captured_alertmanager-0.25.0_webhook_firing_api_v2.json")
    )
    resolved = parse_notification(
        sample(shared_data, "captured_alertmanager-0.25.0_webhook_resolved_api_v2.json")
    )
    assert firing.alert.key == resolved.alert.key
    assert firing.fingerprint != resolved.fingerprint
    (instance,) = resolved.instances
    assert instance.status == "resolved"
    assert instance.ends_at == datetime(2026, 11, 28, 17, 43, 19, tzinfo=UTC)
    assert resolved.alert.ends_at == instance.ends_at
    assert firing.instances[0].ends_at is None  # 0001-01-01T00:00:00Z is "no end"


@pytest.mark.shared_data
def test_fingerprint_ignores_formatting_and_receiver(shared_data):
    raw = shared_data / "alerts" / "captured_alertmanager-0.25.0_webhook_requests_with_headers.json"
    bodies = [json.loads(r["body_raw"]) for r in json.loads(raw.read_text())]
    captured = parse_notification(bodies[0])
    pretty = parse_notification(
        json.loads(json.dumps({**bodies[0], "receiver": "other"}, indent=2))
    )
    assert captured.fingerprint == pretty.fingerprint
    assert len({parse_notification(b).fingerprint for b in bodies}) == 3


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("name", "key", "title", "instances"),
    [
        (
            "grafana_unified_alerting_webhook_doc_example.json",
            "grafana:{}:{}",
            "This alert was triggered for zone us-1",
            ["c6eadffa33fcdf37", "bc97ff14869b13e3"],
        ),
        (
            "zulip_grafana_unified_alerting_v11_values.json",
            'grafana:{}/{debug="true"}:{alertname="Memory (copy)", grafana_folder="device"}',
            "High memory usage",
            ["e6349a25f5ef0e9e"],
        ),
    ],
)
def test_grafana_samples(shared_data, name, key, title, instances):
    n = parse_notification(sample(shared_data, name), "grafana")
    assert n.alert.source == "grafana"
    assert n.alert.key == key
    assert n.alert.title == title
    assert [i.fingerprint for i in n.instances] == instances
    assert n.alert.started_at.tzinfo is UTC


@pytest.mark.shared_data
def test_grafana_offset_timestamps_become_utc(shared_data):
    n = parse_notification(
        sample(shared_data, "grafana_unified_alerting_webhook_doc_example.json"), "grafana"
    )
    assert n.alert.started_at == datetime(2021, 10, 12, 7, 51, 3, 157076, tzinfo=UTC)
    assert n.instances[0].name == "High memory usage (team=blue, zone=us-1)"


@pytest.mark.shared_data
def test_pagerduty_triggered_and_resolved(shared_data):
    payload = sample(shared_data, "zulip_pagerduty_v3_incident_triggered.json")
    triggered = parse_notification(payload, "pagerduty")
    assert triggered.alert.key == "pagerduty:PFQZPSY"
    assert triggered.alert.title == "Test Incident 3"
    assert triggered.alert.service == "pig208"
    assert triggered.alert.status == "firing"
    assert triggered.alert.started_at == datetime(2021, 6, 4, 13, 35, 29, 781000, tzinfo=UTC)
    assert triggered.alert.labels == {"pagerduty_incident": "PFQZPSY", "urgency": "high"}

    resolved_payload = copy.deepcopy(payload)
    resolved_payload["event"].update(
        event_type="incident.resolved", occurred_at="2021-06-04T14:00:00Z", id="other"
    )
    resolved = parse_notification(resolved_payload, "pagerduty")
    assert resolved.alert.key == triggered.alert.key
    assert resolved.alert.status == "resolved"
    assert resolved.instances[0].ends_at == datetime(2021, 6, 4, 14, tzinfo=UTC)
    assert resolved.fingerprint != triggered.fingerprint


@pytest.mark.shared_data
def test_pagerduty_other_event_types_are_ignored_not_invalid(shared_data):
    payload = sample(shared_data, "pagerduty_v3_doc_example_incident_priority_updated.json")
    with pytest.raises(AlertIgnoredError, match=r"incident\.priority_updated"):
        parse_notification(payload, "pagerduty")
    payload["event"]["event_type"] = "incident.triggered"
    n = parse_notification(payload, "pagerduty")
    assert n.alert.started_at == datetime(2020, 4, 9, 15, 16, 27, tzinfo=UTC)  # created_at
    assert n.alert.labels["priority"] == "P1"


def test_pagerduty_signature_accepts_any_of_several():
    body = b'{"event": {}}'
    good = pagerduty_signature(body, "secret")
    assert good.startswith("v1=") and len(good) == 3 + 64
    assert verify_pagerduty_signature(body, good, "secret")
    assert verify_pagerduty_signature(body, f"v1=deadbeef, {good}", "secret")
    assert not verify_pagerduty_signature(body, "v1=deadbeef", "secret")
    assert not verify_pagerduty_signature(body, "", "secret")
    assert not verify_pagerduty_signature(body + b" ", good, "secret")
    assert not verify_pagerduty_signature(body, good, "other")


def test_generic_form():
    payload = {
        "title": "Checkout 5xx",
        "service": "checkout",
        "started_at": "2026-11-28T17:43:12.123456789Z",
        "key": "checkout-5xx",
        "labels": {"severity": "critical"},
    }
    n = parse_notification(payload, "generic")
    assert n.alert.key == "generic:checkout-5xx"
    assert n.alert.started_at == datetime(2026, 11, 28, 17, 43, 12, 123456, tzinfo=UTC)
    resolved = parse_notification(
        {**payload, "status": "resolved", "ends_at": "2026-11-28T18:00:00Z"}, "generic"
    )
    assert resolved.alert.key == n.alert.key and resolved.alert.status == "resolved"
    assert resolved.instances[0].ends_at == datetime(2026, 11, 28, 18, tzinfo=UTC)
    unkeyed = {k: v for k, v in payload.items() if k != "key"}
    assert parse_alert(unkeyed, "generic").key.startswith("generic:")
    assert parse_alert(unkeyed, "generic").key == parse_alert(dict(unkeyed), "generic").key


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"service": "s", "started_at": "2026-01-01T00:00:00Z"}, "title: Field required"),
        ({"title": "t", "service": "s", "started_at": "yesterday"}, "started_at"),
        ({"title": "t", "service": "s", "started_at": "2026-01-01T00:00:00Z", "x": 1}, "x: Extra"),
        (
            {"title": "t", "service": "s", "started_at": "2026-01-01T00:00:00Z", "status": "ok"},
            "status",
        ),
    ],
)
def test_generic_form_errors_name_the_field(payload, message):
    with pytest.raises(AlertError, match=message):
        parse_notification(payload, "generic")


@pytest.mark.parametrize(
    ("source", "payload", "message"),
    [
        ("grafana", {"alerts": []}, "not a Grafana alerting webhook payload: version"),
        (
            "pagerduty",
            {"event": {"id": "x"}},
            "not a PagerDuty v3 webhook payload: event.event_type",
        ),
        ("pagerduty", [], "not a PagerDuty v3 webhook payload"),
        ("nope", {}, "unknown alert source 'nope'"),
    ],
)
def test_invalid_payloads_name_the_problem(source, payload, message):
    with pytest.raises(AlertError, match=message):
        parse_notification(payload, source)
