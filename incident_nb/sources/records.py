"""Reading every incident record under a root, for the incident review.

A record that cannot be read (not JSON, failing the schema, a version this incident-nb does not
know) is reported with its path and the reason, and the others are still read; records of an
older schema version are migrated in memory and say which version they were.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from incident_nb.errors import RecordError
from incident_nb.record import RECORD_NAME, SCHEMA_VERSION, IncidentRecord, parse_record

INCIDENTS = "incidents"
POSTMORTEM_HTML = "postmortem.html"


@dataclass(frozen=True)
class LoadedIncident:
    """One record as read, with what its folder says about its post-mortem."""

    folder: Path
    record: IncidentRecord
    postmortem_exported: bool
    """Whether ``postmortem.html`` was exported into the folder."""
    read_version: int
    """The schema version on disk (older versions are migrated in memory)."""


@dataclass(frozen=True)
class RecordProblem:
    """A record that could not be read, and why."""

    path: Path
    message: str


def load_records(root: Path) -> tuple[list[LoadedIncident], list[RecordProblem]]:
    """Read ``<root>/incidents/*/incident.json``, in folder order.

    Returns:
        The records that were read, and the problems of those that could not be.
    """
    loaded: list[LoadedIncident] = []
    problems: list[RecordProblem] = []
    for path in sorted((root / INCIDENTS).glob(f"*/{RECORD_NAME}")):
        if path.parent.name.startswith("."):
            continue  # an incident being created
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(RecordProblem(path, f"cannot be read: {exc}"))
            continue
        try:
            record = parse_record(text, str(path))
        except RecordError as exc:
            problems.append(RecordProblem(path, str(exc)))
            continue
        version = json.loads(text).get("schema_version") or SCHEMA_VERSION
        exported = (path.parent / POSTMORTEM_HTML).is_file()
        loaded.append(LoadedIncident(path.parent, record, exported, int(version)))
    return loaded, problems
