"""The incident record, ``incident.json``: its versioned schema, validated reads, atomic writes.

The record is the source of truth for everything a person decides during an investigation
(severity, 5 Whys, checklists, timeline, action items, narrative). Notebooks read it and
exports render it, so what a person enters survives re-runs, restarts and exports.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from incident_nb.core.durable import storage_error, write_atomic
from incident_nb.core.errors import RecordError
from incident_nb.core.folder import RECORD, RECORD_LOCK
from incident_nb.core.models import Alert, Severity
from incident_nb.core.text import describe_validation_error

SCHEMA_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
"""Versions this incident-nb reads; older ones are migrated in memory (see :func:`migrate`)."""

RootCauseCategory = Literal["code bug", "configuration", "infrastructure", "data", "deployment"]
ActionStatus = Literal["TODO", "IN PROGRESS", "DONE"]
EventKind = Literal["detected", "mitigated", "resolved", "update"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class AlertRecord(_Model):
    """The alert that opened the incident, as received."""

    source: str
    key: str
    title: str
    service: str
    started_at: datetime
    status: str = "firing"
    ends_at: datetime | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    generator_url: str = ""

    @classmethod
    def from_alert(cls, alert: Alert) -> AlertRecord:
        """Copy a parsed :class:`Alert` into the record."""
        return cls(
            source=alert.source,
            key=alert.key,
            title=alert.title,
            service=alert.service,
            started_at=alert.started_at,
            status=alert.status,
            ends_at=alert.ends_at,
            labels=dict(alert.labels),
            annotations=dict(alert.annotations),
            generator_url=alert.generator_url,
        )


class SeverityDecision(_Model):
    """The severity a person chose, and why (required when it differs from the suggestion)."""

    level: Severity | None = None
    reason: str = ""


class ImpactAssessment(_Model):
    """Step 1 answers a person confirmed or corrected."""

    affected_tenants: list[str] = Field(default_factory=list)
    broken_functionality: str = ""
    started_at: datetime | None = None
    trend: str = ""
    workaround: bool | None = None
    workaround_text: str = ""
    data_loss: bool = False
    security_breach: bool = False


class Why(_Model):
    """One step of the 5 Whys chain."""

    why: str = ""
    answer: str = ""


class FiveWhys(_Model):
    """Step 3: the 5 Whys root-cause analysis."""

    problem: str = ""
    whys: list[Why] = Field(default_factory=list)
    root_cause: str = ""
    category: RootCauseCategory | None = None
    contributing_factors: list[str] = Field(default_factory=list)
    would_still_happen: bool | None = None
    """Answer to "If we fix this, would the incident still have happened?"; yes = dig deeper."""


class TimelineEvent(_Model):
    """One line of the timeline, in UTC."""

    time: datetime
    event: str
    source: Literal["alert", "evidence", "person", "system"] = "person"
    kind: EventKind | None = None
    """What the event marks for the incident's clocks (time to detect, mitigate, resolve) and
    the update cadence; ``None`` for any other event."""


class ActionItem(_Model):
    """A follow-up action from the post-mortem."""

    action: str
    owner: str = ""
    due: date | None = None
    status: ActionStatus = "TODO"


class Narrative(_Model):
    """The post-mortem's prose sections."""

    author: str = ""
    summary: str = ""
    user_facing_impact: str = ""
    data_impact: str = ""
    went_well: list[str] = Field(default_factory=list)
    could_improve: list[str] = Field(default_factory=list)
    lessons_learned: str = ""


class EvidenceSources(_Model):
    """Where the evidence comes from (paths as given when the incident was created)."""

    logs: list[str] = Field(default_factory=list)
    repos: list[str] = Field(default_factory=list)
    prometheus: str = ""
    traces: list[str] = Field(default_factory=list)
    metrics: list[str] = Field(default_factory=list)
    """Metric tables (one row per pod or service and time), for localization."""


class ChangeEntry(_Model):
    """One change made through the forms: who changed which field, when."""

    time: datetime
    who: str
    field: str


class StatusUpdate(_Model):
    """One stakeholder update that was sent, as sent (for the update cadence and its SLA)."""

    time: datetime
    severity: Severity | None = None
    channel: Literal["manual", "webhook"] = "manual"
    who: str = ""
    text: str = ""


class NotebookStatus(_Model):
    """The last execution of the investigation notebook."""

    state: Literal["created", "executed", "failed"] = "created"
    executed_at: datetime | None = None
    failed_cell: int | None = None
    error: str = ""


class AlertInstanceState(_Model):
    """The last known state of one alert of the incident's group."""

    name: str = ""
    status: str = "firing"
    started_at: datetime
    ends_at: datetime | None = None


class IntakeState(_Model):
    """What the alert receiver applied to this incident: deliveries and alert states."""

    deliveries: list[str] = Field(default_factory=list)
    """Content fingerprints of the notifications applied, so a re-delivery changes nothing."""
    instances: dict[str, AlertInstanceState] = Field(default_factory=dict)
    """The group's alerts by fingerprint."""


class IncidentRecord(_Model):
    """Everything known and decided about one incident (``incident.json``)."""

    schema_version: Literal[3] = 3
    id: str
    title: str
    service: str
    created_at: datetime
    status: Literal["open", "resolved"] = "open"
    resolved_at: datetime | None = None
    alert: AlertRecord
    severity: SeverityDecision = Field(default_factory=SeverityDecision)
    impact: ImpactAssessment = Field(default_factory=ImpactAssessment)
    five_whys: FiveWhys = Field(default_factory=FiveWhys)
    fix_checklist: dict[str, bool] = Field(default_factory=dict)
    rollback_plan: str = ""
    staging_checklist: dict[str, bool] = Field(default_factory=dict)
    deployment_checklist: dict[str, bool] = Field(default_factory=dict)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    narrative: Narrative = Field(default_factory=Narrative)
    evidence: EvidenceSources = Field(default_factory=EvidenceSources)
    notebook: NotebookStatus = Field(default_factory=NotebookStatus)
    postmortem_final: bool = False
    changes: list[ChangeEntry] = Field(default_factory=list)
    updates: list[StatusUpdate] = Field(default_factory=list)
    responders: list[str] = Field(default_factory=list)
    """People who worked on the incident (besides those in ``changes``)."""
    intake: IntakeState | None = None
    """Set for incidents opened by ``incident-nb serve``."""


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring the JSON of an older record to the current schema, in memory.

    Versions 2 and 3 only added optional fields (2: timeline ``kind``, ``updates``,
    ``responders``, ``intake``; 3: the evidence's ``metrics`` files), so an older record reads
    as the current version with their defaults. The file is left as it is until the record is
    next written.
    """
    if data.get("schema_version") in (1, 2):
        data = {**data, "schema_version": SCHEMA_VERSION}
    return data


FIX_BY_HAND = "fix the file by hand or restore it from version control"
MAX_RECORD_BYTES = 64 * 1024 * 1024
"""A record larger than this is refused unread (a record is a few kilobytes)."""


def parse_record(text: str, where: str = RECORD) -> IncidentRecord:
    """Validate the JSON text of a record.

    Raises:
        RecordError: the text is not JSON or does not match the schema, naming the bad field.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        early = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        end = " (the file ends early: truncated?)" if early else ""
        raise RecordError(
            f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            f"{end}; {FIX_BY_HAND}"
        ) from None
    except RecursionError:
        raise RecordError(
            f"{where} is nested deeper than a JSON parser can read; it is no incident record: "
            f"{FIX_BY_HAND}"
        ) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise RecordError(f"{where} holds a value out of range ({exc}); {FIX_BY_HAND}") from None
    if isinstance(data, dict):
        version = data.get("schema_version")
        if version not in (None, *READABLE_VERSIONS) or isinstance(version, bool):
            newer = isinstance(version, int) and version > SCHEMA_VERSION
            raise RecordError(
                f"{where} has schema_version {version!r}; this incident-nb reads versions "
                f"{', '.join(map(str, READABLE_VERSIONS))}; "
                + ("upgrade incident-nb" if newer else "fix schema_version in the file")
            )
        data = migrate(data)
    try:
        return IncidentRecord.model_validate(data)
    except ValidationError as exc:
        raise RecordError(
            f"{where} is invalid: {describe_validation_error(exc)}; fix the named field by hand "
            "or restore the file from version control"
        ) from None
    except RecursionError:
        raise RecordError(f"{where} is nested too deeply to validate; {FIX_BY_HAND}") from None


def record_file(path: Path) -> Path:
    """The record file of ``path``: ``path/incident.json`` for a folder, else ``path`` itself."""
    return path / RECORD if path.is_dir() and path.name != RECORD else path


def read_record_text(file: Path) -> str:
    """The text of a record file.

    Raises:
        RecordError: the file is missing, a dangling link, a folder, unreadable, too large or
            not UTF-8; the message names the file and what to do.
    """
    try:
        if file.is_dir():
            raise RecordError(
                f"{file} is a folder, not a record file; move it aside and restore "
                f"{RECORD} from version control"
            )
        size = file.stat().st_size
        if size > MAX_RECORD_BYTES:
            raise RecordError(
                f"{file} is {size:,} bytes, too large for an incident record "
                f"(at most {MAX_RECORD_BYTES:,}); {FIX_BY_HAND}"
            )
        return file.read_bytes().decode("utf-8")
    except FileNotFoundError:
        if file.is_symlink():
            raise RecordError(
                f"{file} is a symbolic link to {file.readlink()}, which does not exist; "
                "remove the link or restore its target"
            ) from None
        raise RecordError(
            f"no incident record at {file}; create the incident with `incident-nb new`"
        ) from None
    except UnicodeDecodeError as exc:
        raise RecordError(
            f"{file} is not UTF-8 text (invalid byte at offset {exc.start}); {FIX_BY_HAND}"
        ) from None
    except OSError as exc:
        raise RecordError(
            f"cannot read {file}: {exc.strerror or exc}; check the file's owner and mode"
        ) from None


def read_record(path: Path) -> IncidentRecord:
    """Read and validate ``incident.json`` (or the record inside an incident folder).

    Raises:
        RecordError: missing, unreadable or invalid, naming the file and what to do.
    """
    file = record_file(path)
    return parse_record(read_record_text(file), str(file))


def dump_record(record: IncidentRecord) -> str:
    """Serialise a record as stable, indented JSON."""
    return record.model_dump_json(indent=2) + "\n"


def write_record(path: Path, record: IncidentRecord) -> None:
    """Validate and atomically write a record to ``path`` (a file, or an incident folder)."""
    file = record_file(path)
    IncidentRecord.model_validate(record.model_dump())
    write_atomic(file, dump_record(record))


@contextmanager
def record_lock(folder: Path) -> Iterator[None]:
    """Hold the record's exclusive lock.

    Every read-modify-write of ``incident.json`` (the forms, the intake service, the notebook
    runner) holds it, so no writer replaces the record with a copy that misses another's edit.
    """
    lock = Path(folder) / RECORD_LOCK
    try:
        handle = lock.open("a")
    except OSError as exc:
        raise storage_error(exc, lock, kept=False) from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
