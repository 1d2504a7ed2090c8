"""One webhook notification: the group's :class:`Alert` plus the alert instances it reports.

An incident is keyed by ``Alert.key`` (one group, one investigation); the instances say which
alerts of the group fired or resolved, so later notifications update that incident. The
notification's content fingerprint identifies a delivery: a retry or a repeat of the same news
has the same fingerprint and is applied once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from incident_nb.core.models import Alert


@dataclass(frozen=True)
class AlertInstance:
    """One alert of a group, as a notification reports it."""

    fingerprint: str
    name: str
    status: str
    started_at: datetime
    ends_at: datetime | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    """The alert's own labels (for counting alerts by label when there are too many to list)."""


@dataclass(frozen=True)
class Notification:
    """A parsed webhook notification: the group as an :class:`Alert` and its instances."""

    alert: Alert
    instances: tuple[AlertInstance, ...]

    @property
    def fingerprint(self) -> str:
        """Hash of what the notification says (source, key, status, instances), not how.

        Two deliveries with the same fingerprint carry the same news, whatever their
        formatting, receiver name or delivery time.
        """
        content = {
            "source": self.alert.source,
            "key": self.alert.key,
            "status": self.alert.status,
            "instances": sorted(
                [
                    i.fingerprint,
                    i.status,
                    i.started_at.isoformat(),
                    i.ends_at.isoformat() if i.ends_at else "",
                ]
                for i in self.instances
            ),
        }
        text = json.dumps(content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def label_fingerprint(labels: dict[str, str]) -> str:
    """A stable identity for an alert that came without a fingerprint: its sorted labels."""
    text = json.dumps(sorted(labels.items()), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
