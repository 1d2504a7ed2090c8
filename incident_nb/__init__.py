"""incident-nb: from alert to investigation notebook to blameless post-mortem.

The data's path: an alert (``alerts``) opens an incident (``incidents``; its record and folder
in ``core``) whose notebook (``notebook``) gathers the evidence (``evidence``, reading through
``sources``), analyses it (``analysis``, ``charts``), records what people decide (``forms``)
and becomes the post-mortem (``postmortem``). ``cli`` and ``server`` are the entry points.

The public names below are imported on first use, so that ``import incident_nb`` (done by
every notebook kernel) does not pay for papermill and nbformat until they are needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Alert": "incident_nb.core.models",
    "IncidentNbError": "incident_nb.core.errors",
    "IncidentRecord": "incident_nb.core.record",
    "Severity": "incident_nb.core.models",
    "TimeWindow": "incident_nb.core.models",
    "alert_from_fields": "incident_nb.alerts",
    "create_incident": "incident_nb.incidents",
    "execute_incident": "incident_nb.incidents",
    "parse_alert": "incident_nb.alerts",
    "read_record": "incident_nb.core.record",
    "suggest_severity": "incident_nb.core.severity",
    "write_record": "incident_nb.core.record",
}

__all__ = [
    "Alert",
    "IncidentNbError",
    "IncidentRecord",
    "Severity",
    "TimeWindow",
    "alert_from_fields",
    "create_incident",
    "execute_incident",
    "parse_alert",
    "read_record",
    "suggest_severity",
    "write_record",
]

if TYPE_CHECKING:
    from incident_nb.alerts import alert_from_fields, parse_alert
    from incident_nb.core.errors import IncidentNbError
    from incident_nb.core.models import Alert, Severity, TimeWindow
    from incident_nb.core.record import IncidentRecord, read_record, write_record
    from incident_nb.core.severity import suggest_severity
    from incident_nb.incidents import create_incident, execute_incident


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'incident_nb' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])
