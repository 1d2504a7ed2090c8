"""Helpers shared by the alert parsers: error wording and alerts typed on the command line."""

from __future__ import annotations

import hashlib
from datetime import datetime

from incident_nb.core.errors import AlertError
from incident_nb.core.models import Alert, parse_utc


def alert_from_fields(title: str, service: str, started_at: str | datetime) -> Alert:
    """Make an :class:`Alert` from plain fields (``incident-nb new --title ...``).

    Raises:
        AlertError: a field is empty or the start time is not ISO-8601.
    """
    if not title.strip():
        raise AlertError("--title is empty; give the incident a short title")
    if not service.strip():
        raise AlertError("--service is empty; name the affected service")
    try:
        start = started_at if isinstance(started_at, datetime) else parse_utc(started_at)
    except ValueError as exc:
        raise AlertError(
            f"--started-at: {exc}; use ISO-8601 such as 2026-05-01T12:30:00Z"
        ) from None
    identity = f"{title.strip()}\n{service.strip()}\n{start.isoformat()}"
    key = "manual:" + hashlib.sha256(identity.encode()).hexdigest()[:16]
    return Alert(
        source="manual", key=key, title=title.strip(), service=service.strip(), started_at=start
    )
