"""Grafana unified alerting webhook payloads to :class:`Alert`.

Grafana's contact point sends Alertmanager's group shape (``groupKey``, ``alerts[]`` with
fingerprints, common labels) with its own ``version`` and extras (``orgId``, ``values``,
``title``, ``message``). The incident is keyed by ``grafana:<groupKey>`` so a Grafana group never
merges with an Alertmanager group of the same labels.
"""

from __future__ import annotations

from typing import Any

from incident_nb.alerts.alertmanager import grouped_notification, validate_grouped
from incident_nb.alerts.notification import Notification


def parse_grafana_notification(payload: Any) -> Notification:
    """Parse one Grafana unified alerting webhook notification.

    Raises:
        AlertError: the payload does not have the group shape, naming the bad field.
    """
    hook = validate_grouped(payload, "a Grafana alerting")
    return grouped_notification(hook, "grafana", f"grafana:{hook.groupKey}")
