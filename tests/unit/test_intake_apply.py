"""Notifications of one group update one record: alert states, timeline, idempotence."""

from datetime import UTC, datetime

from incident_nb.alerts import parse_notification
from incident_nb.core.record import AlertRecord, IncidentRecord, TimelineEvent
from incident_nb.server.apply import apply_notification, start_intake
from tests.serve_support import am_payload

T0 = "2026-11-28T17:00:00Z"
T1 = "2026-11-28T17:05:00Z"
T2 = "2026-11-28T19:00:00Z"


def created(n):
    """The record create_incident writes for the notification's alert."""
    now = datetime(2026, 11, 28, 17, 1, tzinfo=UTC)
    return IncidentRecord(
        id="x",
        title=n.alert.title,
        service=n.alert.service,
        created_at=now,
        alert=AlertRecord.from_alert(n.alert),
        timeline=[
            TimelineEvent(time=n.alert.started_at, event="Alert fired", source="alert"),
            TimelineEvent(time=now, event="Investigation started", source="system"),
        ],
    )


def events(record):
    return [e.event for e in record.timeline]


def note(instances, status="firing"):
    return parse_notification(am_payload("Err", instances, status))


def test_first_notification_lists_each_alert_once():
    n = note([("a", "firing", T0), ("b", "firing", T1)])
    record = start_intake(created(n), n)
    assert events(record) == [
        "Alert fired: Err (instance=a)",
        "Investigation started",
        "Alert fired: Err (instance=b)",
    ]
    assert record.intake is not None and record.intake.deliveries == [n.fingerprint]
    assert set(record.intake.instances) == {"Err-a", "Err-b"}
    assert start_intake(record, n) is record  # a replay changes nothing


def test_later_alert_resolve_and_refire_update_the_same_record():
    first = note([("a", "firing", T0)])
    record = start_intake(created(first), first)
    record = apply_notification(record, note([("a", "firing", T0), ("b", "firing", T1)]))
    assert events(record)[-1] == "Alert fired: Err (instance=b)"
    resolve = note([("a", "resolved", T0), ("b", "resolved", T1)], "resolved")
    record = apply_notification(record, resolve)
    assert events(record)[-2:] == [
        "Alert resolved at 2026-11-28T18:00:00Z: Err (instance=a)",
        "Alert resolved at 2026-11-28T18:00:00Z: Err (instance=b)",
    ]
    assert record.alert.status == "resolved"
    assert record.alert.ends_at == datetime(2026, 11, 28, 18, tzinfo=UTC)
    assert apply_notification(record, resolve) is None  # the same delivery again
    record = apply_notification(record, note([("a", "firing", T2)]))
    assert events(record)[-1] == "Alert fired again: Err (instance=a)"
    assert record.alert.status == "firing" and record.alert.ends_at is None
    assert record.intake is not None and len(record.intake.deliveries) == 4
    assert events(record).count("Investigation started") == 1


def test_a_late_older_notification_changes_no_state():
    first = note([("a", "firing", T0)])
    record = start_intake(created(first), first)
    record = apply_notification(record, note([("a", "resolved", T0)], "resolved"))
    late = apply_notification(record, note([("a", "firing", T0), ("c", "firing", T1)]))
    assert late is not None
    assert sorted(set(events(late)) - set(events(record))) == ["Alert fired: Err (instance=c)"]
    assert len(late.timeline) == len(record.timeline) + 1  # only the new alert is news
    assert late.intake is not None and late.intake.instances["Err-a"].status == "resolved"
    assert late.alert.status == "firing"  # c still fires


def test_alerts_beyond_the_limit_are_summarised_by_label():
    from incident_nb.core.record import dump_record
    from incident_nb.server.limits import ALERTS_PER_NOTIFICATION as LIMIT

    many = [(f"i{i:05d}", "firing", T0 if i % 2 else T1) for i in range(LIMIT + 150)]
    n = note(many)
    record = start_intake(created(n), n)
    fired = [e for e in events(record) if e.startswith("Alert fired: ")]
    assert len(fired) == LIMIT and record.intake is not None
    assert len(record.intake.instances) == LIMIT
    (summary,) = [e for e in events(record) if "more alerts" in e]
    assert summary == (
        "150 more alerts of the group, not listed one by one (150 firing); by label: "
        "alertname=Err: 150, instance: 150 values, service=shop: 150"
    )
    assert record.alert.status == "firing"

    resolved = note([(i, "resolved", t) for i, _, t in many], "resolved")
    after = apply_notification(record, resolved)
    assert after is not None and after.alert.status == "resolved"
    # The tracked alerts (listed first) resolve one by one; the others in one line.
    assert sum(e.startswith("Alert resolved at") for e in events(after)) == LIMIT
    assert events(after).count(summary) == 1
    assert "(150 resolved)" in [e for e in events(after) if "more alerts" in e][-1]
    assert len(after.intake.instances) == LIMIT

    # Only the first LIMIT stay firing, the rest are summarised as firing: still firing.
    mixed = note(
        [(i, "resolved" if k < LIMIT else "firing", t) for k, (i, _, t) in enumerate(many)]
    )
    assert apply_notification(record, mixed).alert.status == "firing"

    huge = note([(f"i{i:05d}", "firing", T0) for i in range(10_000)])
    assert len(dump_record(start_intake(created(huge), huge))) < 60_000
