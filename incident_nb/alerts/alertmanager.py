"""Prometheus Alertmanager webhook payloads (format version 4) to :class:`Alert`.

One webhook notification describes one alert *group*; its opaque ``groupKey`` is the incident's
identity, so every notification of the group belongs to the same investigation. Grafana's
unified alerting sends the same shape (see :mod:`incident_nb.alerts.grafana`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from incident_nb.alerts.notification import AlertInstance, Notification, label_fingerprint
from incident_nb.core.errors import AlertError
from incident_nb.core.models import Alert, parse_utc
from incident_nb.core.text import describe_validation_error

# Go's zero time: Alertmanager's way of saying "no end yet".
_GO_ZERO_YEAR = 1


class _AMAlert(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: str
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: datetime  # noqa: N815 - the payload's own field names
    endsAt: datetime | None = None  # noqa: N815
    generatorURL: str = ""  # noqa: N815
    fingerprint: str = ""

    @field_validator("startsAt", "endsAt", mode="before")
    @classmethod
    def _timestamp(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_utc(value)
        return value

    @property
    def end(self) -> datetime | None:
        """``endsAt``, or None for Go's zero time ("no end")."""
        if self.endsAt is None or self.endsAt.year <= _GO_ZERO_YEAR:
            return None
        return self.endsAt


class _AMWebhook(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: str
    groupKey: str  # noqa: N815
    status: str
    receiver: str = ""
    alerts: list[_AMAlert] = Field(min_length=1)
    groupLabels: dict[str, str] = Field(default_factory=dict)  # noqa: N815
    commonLabels: dict[str, str] = Field(default_factory=dict)  # noqa: N815
    commonAnnotations: dict[str, str] = Field(default_factory=dict)  # noqa: N815
    externalURL: str = ""  # noqa: N815
    truncatedAlerts: int = 0  # noqa: N815


_SERVICE_LABELS = ("service", "app", "job", "namespace", "instance")


def _instance_name(alert: _AMAlert, group: dict[str, str]) -> str:
    """The alert's name and the labels that set it apart within its group.

    The group's own labels (``groupLabels``) are left out: they are the same for every alert of
    the group, so an alert keeps one name in every notification.
    """
    name = alert.labels.get("alertname", "") or "alert"
    own = [
        f"{k}={v}" for k, v in sorted(alert.labels.items()) if k != "alertname" and k not in group
    ]
    return f"{name} ({', '.join(own)})" if own else name


def validate_grouped(payload: Any, what: str) -> _AMWebhook:
    """Validate the group-notification shape shared by Alertmanager and Grafana.

    Raises:
        AlertError: naming the bad field.
    """
    try:
        return _AMWebhook.model_validate(payload)
    except ValidationError as exc:
        raise AlertError(f"not {what} webhook payload: {describe_validation_error(exc)}") from None


def grouped_notification(hook: _AMWebhook, source: str, key: str) -> Notification:
    """The :class:`Notification` of a validated group webhook."""
    firing = [a for a in hook.alerts if a.status == "firing"] or hook.alerts
    first = min(firing, key=lambda a: a.startsAt)
    labels = {**first.labels, **hook.commonLabels}
    annotations = {**first.annotations, **hook.commonAnnotations}
    alertname = labels.get("alertname", "")
    title = annotations.get("summary") or alertname or f"{source} alert"
    service = next((labels[k] for k in _SERVICE_LABELS if labels.get(k)), "")
    ends = [a.end for a in hook.alerts if a.end is not None]
    resolved = hook.status == "resolved"
    alert = Alert(
        source=source,
        key=key,
        title=title,
        service=service,
        started_at=first.startsAt,
        status="resolved" if resolved else "firing",
        ends_at=max(ends) if resolved and ends else None,
        labels=labels,
        annotations=annotations,
        generator_url=first.generatorURL,
    )
    instances = tuple(
        AlertInstance(
            fingerprint=a.fingerprint or label_fingerprint(a.labels),
            name=_instance_name(a, hook.groupLabels),
            status="resolved" if a.status == "resolved" else "firing",
            started_at=a.startsAt,
            ends_at=a.end,
            labels=a.labels,
        )
        for a in hook.alerts
    )
    return Notification(alert=alert, instances=instances)


def parse_alertmanager_notification(payload: Any) -> Notification:
    """Parse one Alertmanager webhook notification (version 4), keyed by its ``groupKey``.

    ``endsAt`` of ``0001-01-01T00:00:00Z`` means "no end"; ``truncatedAlerts`` and
    ``notification_reason`` are optional.

    Raises:
        AlertError: the payload is not a version 4 webhook, naming the bad field.
    """
    hook = validate_grouped(payload, "an Alertmanager")
    if hook.version != "4":
        raise AlertError(
            f"unsupported Alertmanager webhook version {hook.version!r}; only version 4 is known"
        )
    return grouped_notification(hook, "alertmanager", hook.groupKey)
