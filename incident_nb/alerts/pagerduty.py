"""PagerDuty webhooks (v3) to :class:`Alert`, and their ``X-PagerDuty-Signature`` check.

``incident.triggered`` opens (or re-fires) the investigation of a PagerDuty incident and
``incident.resolved`` resolves it; the incident is keyed by ``pagerduty:<incident id>``. Other
event types are valid webhooks that carry no alert news: they raise :class:`AlertIgnoredError`.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from incident_nb.alerts.notification import AlertInstance, Notification
from incident_nb.core.errors import AlertError, AlertIgnoredError
from incident_nb.core.models import Alert, parse_utc
from incident_nb.core.text import describe_validation_error

HANDLED = ("incident.triggered", "incident.resolved")


def _timestamp(value: Any) -> Any:
    return parse_utc(value) if isinstance(value, str) else value


class _Reference(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = ""
    summary: str = ""


class _Incident(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    status: str = ""
    html_url: str = ""
    urgency: str = ""
    created_at: datetime | None = None
    service: _Reference | None = None
    priority: _Reference | None = None

    _created = field_validator("created_at", mode="before")(_timestamp)


class _Event(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    event_type: str
    resource_type: str = "incident"
    occurred_at: datetime
    data: dict[str, Any]

    _occurred = field_validator("occurred_at", mode="before")(_timestamp)


class _Webhook(BaseModel):
    model_config = ConfigDict(extra="allow")

    event: _Event


def parse_pagerduty_notification(payload: Any) -> Notification:
    """Parse one PagerDuty v3 webhook.

    Raises:
        AlertIgnoredError: a valid webhook of an event type that carries no alert news.
        AlertError: the payload is not a PagerDuty v3 webhook, naming the bad field.
    """
    try:
        event = _Webhook.model_validate(payload).event
    except ValidationError as exc:
        raise AlertError(
            f"not a PagerDuty v3 webhook payload: {describe_validation_error(exc)}"
        ) from None
    if event.event_type not in HANDLED:
        raise AlertIgnoredError(
            f"PagerDuty event type {event.event_type!r} carries no alert; "
            f"handled: {', '.join(HANDLED)}"
        )
    try:
        incident = _Incident.model_validate(event.data)
    except ValidationError as exc:
        raise AlertError(
            f"not a PagerDuty v3 incident: event.data.{describe_validation_error(exc)}"
        ) from None
    resolved = event.event_type == "incident.resolved"
    started = incident.created_at or event.occurred_at
    labels = {"pagerduty_incident": incident.id}
    if incident.urgency:
        labels["urgency"] = incident.urgency
    if incident.priority and incident.priority.summary:
        labels["priority"] = incident.priority.summary
    ends_at = event.occurred_at if resolved else None
    alert = Alert(
        source="pagerduty",
        key=f"pagerduty:{incident.id}",
        title=incident.title,
        service=incident.service.summary if incident.service else "",
        started_at=started,
        status="resolved" if resolved else "firing",
        ends_at=ends_at,
        labels=labels,
        generator_url=incident.html_url,
    )
    # A triggered event of an incident seen before is a re-fire only if PagerDuty says when it
    # started again; without created_at the first trigger time stands for the incident.
    instance = AlertInstance(
        fingerprint=incident.id,
        name=incident.title,
        status=alert.status,
        started_at=started,
        ends_at=ends_at,
    )
    return Notification(alert=alert, instances=(instance,))


def pagerduty_signature(body: bytes, secret: str) -> str:
    """The ``v1=<hex>`` signature PagerDuty sends for ``body`` signed with ``secret``."""
    return "v1=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_pagerduty_signature(body: bytes, header: str, secret: str) -> bool:
    """Whether one of the comma-separated signatures in ``header`` signs ``body`` with ``secret``.

    PagerDuty sends several signatures while a secret is being rotated; any one matching is
    enough. The comparison is constant-time.
    """
    expected = pagerduty_signature(body, secret).encode()
    found = False
    for candidate in header.split(","):
        found |= hmac.compare_digest(candidate.strip().encode(), expected)
    return found
