"""Alert payload parsers: untrusted webhook JSON in, :class:`~incident_nb.core.models.Alert` out.

Parsers are registered by source name and are pure (no I/O). ``NOTIFICATION_PARSERS`` give the
whole :class:`Notification` (the group and its alert instances) that the alert receiver needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from incident_nb.alerts.alertmanager import parse_alertmanager_notification
from incident_nb.alerts.common import alert_from_fields
from incident_nb.alerts.generic import parse_generic_notification
from incident_nb.alerts.grafana import parse_grafana_notification
from incident_nb.alerts.notification import AlertInstance, Notification
from incident_nb.alerts.pagerduty import parse_pagerduty_notification
from incident_nb.core.errors import AlertError
from incident_nb.core.models import Alert

NOTIFICATION_PARSERS: dict[str, Callable[[Any], Notification]] = {
    "alertmanager": parse_alertmanager_notification,
    "generic": parse_generic_notification,
    "grafana": parse_grafana_notification,
    "pagerduty": parse_pagerduty_notification,
}


def parse_alert(payload: Any, source: str = "alertmanager") -> Alert:
    """Parse a webhook payload of the named source.

    Raises:
        AlertError: unknown source, or the payload does not match it.
    """
    return parse_notification(payload, source).alert


def parse_notification(payload: Any, source: str = "alertmanager") -> Notification:
    """Parse a webhook payload of the named source into a :class:`Notification`.

    Raises:
        AlertIgnoredError: a valid payload that carries no alert news (e.g. a PagerDuty
            priority change).
        AlertError: unknown source, or the payload does not match it.
    """
    try:
        parser = NOTIFICATION_PARSERS[source]
    except KeyError:
        known = ", ".join(sorted(NOTIFICATION_PARSERS))
        raise AlertError(f"unknown alert source {source!r}; known sources: {known}") from None
    return parser(payload)


__all__ = [
    "NOTIFICATION_PARSERS",
    "AlertInstance",
    "Notification",
    "alert_from_fields",
    "parse_alert",
    "parse_notification",
]
