"""incident-nb: from alert to investigation notebook to blameless post-mortem.

The data's path: an alert (``alerts``) opens an incident (``incidents``, ``record``) whose
notebook (``notebook``) reads the evidence (``sources``), analyses it (``analysis``, ``charts``)
and becomes the post-mortem (``postmortem``).
"""

from incident_nb.alerts import alert_from_fields, parse_alert
from incident_nb.errors import IncidentNbError
from incident_nb.incidents import create_incident, execute_incident
from incident_nb.models import Alert, Severity, TimeWindow
from incident_nb.record import IncidentRecord, read_record, write_record
from incident_nb.severity import suggest_severity

__version__ = "0.1.0"

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
