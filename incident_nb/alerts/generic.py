"""The generic JSON alert form, for senders without a parser of their own.

The form (documented in README.md)::

    {"title": "Checkout 5xx above 5%", "service": "checkout",
     "started_at": "2026-11-28T17:43:12Z",
     "key": "checkout-5xx", "status": "firing", "ends_at": null,
     "labels": {"severity": "critical"}, "annotations": {"runbook_url": "..."},
     "url": "https://..."}

``title``, ``service`` and ``started_at`` are required. ``key`` groups notifications into one
incident (default: title, service and start time); ``status`` is ``firing`` (default) or
``resolved``, with ``ends_at`` saying when.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from incident_nb.alerts.notification import AlertInstance, Notification
from incident_nb.core.errors import AlertError
from incident_nb.core.models import Alert, parse_utc
from incident_nb.core.text import describe_validation_error


class _Generic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    service: str = Field(min_length=1, max_length=200)
    started_at: datetime
    key: str = Field(default="", max_length=500)
    status: Literal["firing", "resolved"] = "firing"
    ends_at: datetime | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    url: str = ""

    @field_validator("started_at", "ends_at", mode="before")
    @classmethod
    def _timestamp(cls, value: Any) -> Any:
        return parse_utc(value) if isinstance(value, str) else value


def parse_generic_notification(payload: Any) -> Notification:
    """Parse the generic JSON form.

    Raises:
        AlertError: a required field is missing or a value is invalid, naming it.
    """
    try:
        form = _Generic.model_validate(payload)
    except ValidationError as exc:
        raise AlertError(
            f"not the generic alert form: {describe_validation_error(exc)}; "
            "required: title, service, started_at (ISO-8601)"
        ) from None
    identity = form.key or f"{form.title}\n{form.service}\n{form.started_at.isoformat()}"
    digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
    ends_at = form.ends_at if form.status == "resolved" else None
    alert = Alert(
        source="generic",
        key=f"generic:{form.key or digest}",
        title=form.title,
        service=form.service,
        started_at=form.started_at,
        status=form.status,
        ends_at=ends_at,
        labels=form.labels,
        annotations=form.annotations,
        generator_url=form.url,
    )
    instance = AlertInstance(
        fingerprint=digest,
        name=form.title,
        status=form.status,
        started_at=form.started_at,
        ends_at=ends_at,
    )
    return Notification(alert=alert, instances=(instance,))
