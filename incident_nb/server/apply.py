"""Applying a notification to an incident record: the alert states and the timeline.

Pure functions over :class:`IncidentRecord` values. Each instance of the group keeps its last
known state; a notification adds timeline events only for what changed (an alert fired, fired
again, or resolved), and notifications that arrive late (an older start time than the one
known) change nothing. A delivery fingerprint already applied returns ``None``, which makes
re-deliveries idempotent.

Work per notification is bounded: at most ``ALERTS_PER_NOTIFICATION`` alerts (see
:mod:`.limits`) become timeline events and tracked states; the rest of a huge notification is
summarised in one event counting them by state and label, so 10,000 alerts in one webhook make
a record of tens of kilobytes, not megabytes, and a notebook of a few megabytes, not hundreds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from incident_nb.alerts.notification import AlertInstance, Notification
from incident_nb.core.models import iso
from incident_nb.core.record import (
    AlertInstanceState,
    IncidentRecord,
    IntakeState,
    TimelineEvent,
)
from incident_nb.server.limits import ALERTS_PER_NOTIFICATION

LABEL_VALUES_LISTED = 3
"""A label with at most this many values among summarised alerts is counted per value."""

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


def _one_by_one(
    instances: tuple[AlertInstance, ...], known: Mapping[str, AlertInstanceState], limit: int
) -> tuple[list[AlertInstance], list[AlertInstance]]:
    """The alerts to handle one by one (at most ``limit``) and the rest, to be summarised.

    Alerts the record already tracks come first (so their resolves are seen), then firing ones,
    then the earliest.
    """
    ordered = sorted(
        instances,
        key=lambda i: (i.fingerprint not in known, i.status != "firing", i.started_at),
    )
    return ordered[:limit], ordered[limit:]


def summary_event(rest: list[AlertInstance]) -> TimelineEvent:
    """One timeline event for alerts too many to list: how many, their states, their labels.

    A label with few values is counted per value (``severity=critical: 9,000``); one with many
    (an instance, a pod) says how many distinct values it has.
    """
    states = Counter(i.status for i in rest)
    values: dict[str, Counter[str]] = {}
    for instance in rest:
        for name, value in instance.labels.items():
            values.setdefault(name, Counter())[value] += 1
    parts = []
    for name in sorted(values):
        counts = values[name]
        if len(counts) <= LABEL_VALUES_LISTED:
            parts += [f"{name}={v}: {n:,}" for v, n in counts.most_common()]
        else:
            parts.append(f"{name}: {len(counts):,} values")
    by_label = f"; by label: {', '.join(parts)}" if parts else ""
    listed = ", ".join(f"{n:,} {state}" for state, n in sorted(states.items()))
    return TimelineEvent(
        time=min(i.started_at for i in rest),
        event=f"{len(rest):,} more alerts of the group, not listed one by one ({listed})"
        + by_label,
        source="alert",
    )


def _merge(record: IncidentRecord, notification: Notification, delivery: str) -> IncidentRecord:
    updated = record.model_copy(deep=True)
    intake = updated.intake or IntakeState()
    listed, rest = _one_by_one(notification.instances, intake.instances, ALERTS_PER_NOTIFICATION)
    events: list[TimelineEvent] = [summary_event(rest)] if rest else []
    for instance in listed:
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
    if any(s.status == "firing" for s in states) or any(i.status == "firing" for i in rest):
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
