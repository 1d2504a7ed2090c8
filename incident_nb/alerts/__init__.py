"""Alert payload parsers: untrusted webhook JSON in, :class:`~incident_nb.models.Alert` out.

Parsers are registered by source name and are pure (no I/O).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from incident_nb.alerts.alertmanager import parse_alertmanager
from incident_nb.alerts.common import alert_from_fields
from incident_nb.errors import AlertError
from incident_nb.models import Alert

PARSERS: dict[str, Callable[[Any], Alert]] = {"alertmanager": parse_alertmanager}


def parse_alert(payload: Any, source: str = "alertmanager") -> Alert:
    """Parse a webhook payload of the named source.

    Raises:
        AlertError: unknown source, or the payload does not match it.
    """
    try:
        parser = PARSERS[source]
    except KeyError:
        known = ", ".join(sorted(PARSERS))
        raise AlertError(f"unknown alert source {source!r}; known sources: {known}") from None
    return parser(payload)


__all__ = ["PARSERS", "alert_from_fields", "parse_alert", "parse_alertmanager"]
