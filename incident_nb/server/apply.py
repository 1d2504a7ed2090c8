"""Applying a notification to an incident record: the alert states and the timeline.

Pure functions over :class:`IncidentRecord` values. Each instance of the group keeps its last
known state; a notification adds timeline events only for what changed (an alert fired, fired
again, or resolved), and notifications that arrive late (an older start time than the one
known) change nothing. A delivery fingerprint already applied returns ``None``, which makes
re-deliveries idempotent.
"""

from __future__ import annotations

from incident_nb.alerts.notification import AlertInstance, Notification
from incident_nb.core.models import iso
from incident_nb.core.record import (
    AlertInstanceState,
    IncidentRecord,
    IntakeState,
    TimelineEvent,
)

GENERIC_FIRED = "Alert fired"
"""The event ``create_incident`` writes; the receiver replaces it by one event per alert."""


def _events(known: AlertInstanceState | None, new: AlertInstance) -> list[TimelineEvent]:
    """What changed between the known state of an alert and what the notification says."""
    fired = TimelineEvent(time=new.started_at, event=f"Alert fired: {new.name}", source="alert")
    end = new.ends_at or new.started_at
    resolved = TimelineEvent(
        time=end, event=f"Alert resolved at {iso(end)}: {new.name}", source="alert"
    )
    if known is None:
        return [fired, resolved] if new.status == "resolved" else [fired]
    if new.started_at > known.started_at:  # it ended (maybe unseen) and started again
        again = fired.model_copy(update={"event": f"Alert fired again: {new.name}"})
        return [again, resolved] if new.status == "resolved" else [again]
    if new.started_at == known.started_at and known.status == "firing":
        return [resolved] if new.status == "resolved" else []
    return []  # the same news, or an older notification arriving late


def _is_newer(known: AlertInstanceState | None, new: AlertInstance) -> bool:
    if known is None or new.started_at > known.started_at:
        return True
    return new.started_at == known.started_at and known.status == "firing"


def _merge(record: IncidentRecord, notification: Notification, delivery: str) -> IncidentRecord:
    updated = record.model_copy(deep=True)
    intake = updated.intake or IntakeState()
    events: list[TimelineEvent] = []
    for instance in notification.instances:
        known = intake.instances.get(instance.fingerprint)
        events += _events(known, instance)
        if _is_newer(known, instance):
            intake.instances[instance.fingerprint] = AlertInstanceState(
                name=instance.name,
                status=instance.status,
                started_at=instance.started_at,
                ends_at=instance.ends_at,
            )
    intake.deliveries.append(delivery)
    states = intake.instances.values()
    if any(s.status == "firing" for s in states):
        updated.alert.status, updated.alert.ends_at = "firing", None
    elif states:
        ends = [s.ends_at for s in states if s.ends_at is not None]
        updated.alert.status, updated.alert.ends_at = "resolved", max(ends) if ends else None
    # A stable sort keeps same-time events (and those people entered) in their order.
    updated.timeline = sorted([*updated.timeline, *events], key=lambda e: e.time)
    updated.intake = intake
    return updated


def start_intake(record: IncidentRecord, notification: Notification) -> IncidentRecord:
    """The record of an incident just created from ``notification``, with its alert states.

    The single "Alert fired" event of a new incident becomes one event per alert of the group.
    If the record already has intake state (a replay after a crash), it is returned as is.
    """
    if record.intake is not None:
        return record
    bare = record.model_copy(
        update={
            "timeline": [
                e for e in record.timeline if not (e.source == "alert" and e.event == GENERIC_FIRED)
            ]
        }
    )
    return _merge(bare, notification, notification.fingerprint)


def apply_notification(record: IncidentRecord, notification: Notification) -> IncidentRecord | None:
    """The record updated by a later notification of its group; None if already applied."""
    intake = record.intake
    if intake is not None and notification.fingerprint in intake.deliveries:
        return None
    return _merge(record, notification, notification.fingerprint)
