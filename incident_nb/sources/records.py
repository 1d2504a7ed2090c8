"""Reading every incident record under a root, for the incident review.

A record that cannot be read (not UTF-8 or not JSON, nested too deeply, a folder or a dangling
link, failing the schema, a version this incident-nb does not know) is reported with its path
and the reason, and the others are still read; records of an older schema version are migrated
in memory and say which version they were.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incident_nb.core.errors import RecordError
from incident_nb.core.folder import iter_incidents, published_summary
from incident_nb.core.record import (
    SCHEMA_VERSION,
    IncidentRecord,
    parse_record,
    read_record_text,
)


@dataclass(frozen=True)
class LoadedIncident:
    """One record as read, with what its folder says about its post-mortem."""

    folder: Path
    record: IncidentRecord
    postmortem_exported: bool
    """Whether ``postmortem.html`` was exported into the folder."""
    read_version: int
    """The schema version on disk (older versions are migrated in memory)."""
    signatures: tuple[str, ...] = ()
    """Templates of the error signatures that appeared with the incident (new since the
    onset), from the executed notebook's analysis summary; empty without one."""


def read_summary(notebook: Path) -> dict[str, Any] | None:
    """The analysis summary an executed notebook published, if any.

    A missing, unreadable or unexecuted notebook only means there is no summary.
    """
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # missing, not UTF-8 or JSON, nested too deep
        return None
    return published_summary(nb) if isinstance(nb, dict) else None


def new_signatures(notebook: Path) -> tuple[str, ...]:
    """The templates of the signatures new since the onset in an executed notebook's summary."""
    summary = read_summary(notebook) or {}
    found = summary.get("signatures", [])
    return tuple(
        str(s["template"])
        for s in (found if isinstance(found, list) else [])
        if isinstance(s, dict) and s.get("new_since_onset") and s.get("template")
    )


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
    for folder in iter_incidents(root):
        path = folder.record
        try:
            text = read_record_text(path)
            record = parse_record(text, str(path))
        except RecordError as exc:
            problems.append(RecordProblem(path, str(exc)))
            continue
        version = json.loads(text).get("schema_version") or SCHEMA_VERSION  # parsed above
        exported = folder.postmortem_html.is_file()
        signatures = new_signatures(folder.notebook)
        loaded.append(LoadedIncident(folder.path, record, exported, int(version), signatures))
    return loaded, problems
