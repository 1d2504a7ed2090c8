"""Prometheus Alertmanager webhook payloads (format version 4) to :class:`Alert`.

One webhook notification describes one alert *group*; its opaque ``groupKey`` is the incident's
identity, so every notification of the group belongs to the same investigation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from incident_nb.alerts.common import describe_validation_error
from incident_nb.errors import AlertError
from incident_nb.models import Alert, parse_utc

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


def parse_alertmanager(payload: Any) -> Alert:
    """Parse one Alertmanager webhook notification (version 4) into an :class:`Alert`.

    Raises:
        AlertError: the payload is not a version 4 webhook, naming the bad field.
    """
    try:
        hook = _AMWebhook.model_validate(payload)
    except ValidationError as exc:
        raise AlertError(
            f"not an Alertmanager webhook payload: {describe_validation_error(exc)}"
        ) from None
    if hook.version != "4":
        raise AlertError(
            f"unsupported Alertmanager webhook version {hook.version!r}; only version 4 is known"
        )
    firing = [a for a in hook.alerts if a.status == "firing"] or hook.alerts
    first = min(firing, key=lambda a: a.startsAt)
    labels = {**first.labels, **hook.commonLabels}
    annotations = {**first.annotations, **hook.commonAnnotations}
    alertname = labels.get("alertname", "")
    title = annotations.get("summary") or alertname or "Alertmanager alert"
    service = next((labels[k] for k in _SERVICE_LABELS if labels.get(k)), "")
    ends = [a.endsAt for a in hook.alerts if a.endsAt and a.endsAt.year > _GO_ZERO_YEAR]
    resolved = hook.status == "resolved"
    return Alert(
        source="alertmanager",
        key=hook.groupKey,
        title=title,
        service=service,
        started_at=first.startsAt,
        status="resolved" if resolved else "firing",
        ends_at=max(ends) if resolved and ends else None,
        labels=labels,
        annotations=annotations,
        generator_url=first.generatorURL,
    )
