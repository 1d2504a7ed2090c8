"""``incident.json`` as the store behind the forms: one field at a time, locked, logged.

Every change re-reads the record under an exclusive lock, sets just its field, appends to the
change log and writes atomically, so two forms or two kernels editing different fields merge.
Editing a field that someone else changed since this form last saw it is refused with a message
naming who changed it and when, so nobody silently overwrites another person's words.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from incident_nb.core.errors import RecordError
from incident_nb.core.folder import RECORD
from incident_nb.core.record import (
    ChangeEntry,
    IncidentRecord,
    read_record,
    record_lock,
    write_record,
)
from incident_nb.core.text import describe_validation_error


class ConflictError(RecordError):
    """The field changed on disk since the form last saw it."""


def current_user() -> str:
    """Who is editing: the hub user when there is one, else the login name."""
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def get_path(data: Any, field: str) -> Any:
    """The value at a dotted path such as ``five_whys.root_cause``."""
    for part in field.split("."):
        data = data[part]
    return data


def _set_path(data: dict[str, Any], field: str, value: Any) -> None:
    *parents, last = field.split(".")
    for part in parents:
        data = data[part]
    if last not in data:
        raise RecordError(f"{RECORD} has no field {field!r}")
    data[last] = value


class RecordStore:
    """Reads and updates one incident's record on behalf of its forms."""

    def __init__(self, folder: str | Path, who: str | None = None) -> None:
        self.folder = Path(folder)
        self.who = who or current_user()

    def read(self) -> IncidentRecord:
        """The record as it is on disk now."""
        return read_record(self.folder)

    def value(self, field: str) -> Any:
        """The JSON value of one field, as on disk now."""
        return get_path(self.read().model_dump(mode="json"), field)

    def update(self, field: str, value: Any, expected: Any = ...) -> IncidentRecord:
        """Set one field (a dotted path; JSON values) and log the change.

        ``expected`` is the value the caller last saw; when given and the field now holds
        something else, nothing is written.

        Raises:
            ConflictError: the field changed since the caller last saw it.
            RecordError: the value is not valid for the field (named).
        """
        with record_lock(self.folder):
            record = self.read()
            data = record.model_dump(mode="json")
            current = get_path(data, field)
            if expected is not ... and current not in (expected, value):
                last = next((c for c in reversed(record.changes) if c.field == field), None)
                by = f" by {last.who} at {last.time:%H:%M:%S} UTC" if last else ""
                raise ConflictError(
                    f"{field} was changed{by} since this form was shown; re-run the cell to "
                    "see the current value, then edit again"
                )
            if current == value:
                return record
            _set_path(data, field, value)
            data["changes"].append(
                {"time": datetime.now(UTC).isoformat(), "who": self.who, "field": field}
            )
            try:
                updated = IncidentRecord.model_validate(data)
            except ValidationError as exc:
                raise RecordError(f"{field}: {describe_validation_error(exc)}") from None
            write_record(self.folder, updated)
            return updated

    def modify(
        self, fields: Sequence[str], change: Callable[[IncidentRecord], IncidentRecord]
    ) -> IncidentRecord:
        """Apply ``change`` to the record as on disk now, under the lock, and log ``fields``.

        For edits that touch several fields at once (e.g. an update appended to ``updates`` and
        to the timeline), so that they are written together or not at all.

        Raises:
            RecordError: the changed record is not valid.
        """
        with record_lock(self.folder):
            record = change(self.read())
            now = datetime.now(UTC)
            record.changes.extend(ChangeEntry(time=now, who=self.who, field=f) for f in fields)
            try:
                updated = IncidentRecord.model_validate(record.model_dump())
            except ValidationError as exc:
                raise RecordError(describe_validation_error(exc)) from None
            write_record(self.folder, updated)
            return updated
