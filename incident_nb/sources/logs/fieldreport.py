"""Which source field fed each role of the events, and what the reading could not see.

After the parse, the counts of the events' values (:class:`EventCounts`, taken as the events
are written) say which roles their fields really filled: a status field whose values are no
HTTP status, a level field no value of which reads as a level, are named in a warning
sentence. Errors can be told only from a status, an outcome or a level: when no event has one,
the store says so (``errors_known`` False) with the ``--map`` that would fix it, so that no one
reads "0 errors" from logs that could not show one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from incident_nb.sources.logs.fields import ROLES, Choice

if TYPE_CHECKING:
    from incident_nb.sources.logs.accounting import RawInput
    from incident_nb.sources.logs.formats import Detected

NO_ERROR_FIELD = (
    "errors cannot be told from these logs: no status, outcome or level field; name one with "
    "--map level=FIELD, --map status=FIELD or --map outcome=FIELD"
)
_READ_AS = {
    "status": "an HTTP status (100-599)",
    "outcome": "an outcome (a word such as failure or success, true or false, or a gRPC status)",
    "level": "a level (a name such as error or warn, or a syslog, bunyan or OpenTelemetry "
    "severity number)",
    "latency": "a duration",
    "endpoint": "an endpoint",
    "tenant": "a tenant",
    "method": "a method",
    "service": "a service",
}
_COLUMNS = {
    "status": "status",
    "outcome": "outcome",
    "level": "severity",
    "latency": "latency_ms",
    "endpoint": "endpoint",
    "tenant": "tenant",
    "method": "method",
    "service": "service",
}
"""Role -> the column that shows whether its field was read (errors-only ones aside): an
``events`` column, or the parse's ``outcome`` (held in ``is_error``)."""
COUNTED = tuple(_COLUMNS.values())
"""The ``events`` columns whose values :class:`EventCounts` counts."""
TELLING = ("status", "outcome", "level")
"""The roles errors are told from, first to last."""
UNSURE = ("outcome",)
"""Roles found by names that often hold something else (an ``error`` field, its message): a
field none of whose values reads is left out, without a warning."""
UNSURE_NAMES: dict[str, frozenset[str]] = {"status": frozenset({"code"})}
"""The same, for some names of other roles: a ``code`` is an HTTP status in some logs, an
error's code (``E1234``) or a gRPC one in others."""


@dataclass(frozen=True)
class EventCounts:
    """What the usable events hold: how many, and how many have each value."""

    events: int = 0
    unknown: int = 0
    """Events with no status, outcome or level: whether they are errors cannot be told."""
    values: Mapping[str, int] = field(default_factory=dict)
    """Column of :data:`COUNTED` -> the events with a value in it."""

    def __add__(self, other: EventCounts) -> EventCounts:
        values = {c: self.values.get(c, 0) + other.values.get(c, 0) for c in COUNTED}
        return EventCounts(self.events + other.events, self.unknown + other.unknown, values)


@dataclass(frozen=True)
class FieldReport:
    """Role -> source field of the first group of files that has one, and reading warnings."""

    fields: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(ROLES))
    warnings: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    optional: frozenset[str] = frozenset()
    """Roles whose column a text layout has whether or not its lines fill it (a request time)."""

    def merge(
        self, choice: Choice, raw: RawInput, found: Detected, group: Sequence[str]
    ) -> FieldReport:
        """This report with one more group of files: its fields where none yet, its warnings."""
        roles = choice.report()
        own = roles["timestamp"]
        if raw.time_fallback:
            order = [raw.time_fallback, own] if raw.prefer_fallback else [own, raw.time_fallback]
            roles["timestamp"] = ", ".join(c for c in order if c)
        fields = {role: self.fields.get(role) or source for role, source in roles.items()}
        optional = self.optional | {
            role for role, source in roles.items() if raw.layout_fields and source
        }
        name = found.format.name + (f" in {found.envelope.name}" if found.envelope else "")
        warnings = tuple(dict.fromkeys((*self.warnings, *raw.warnings)))
        return replace(
            self,
            fields=fields,
            warnings=warnings,
            formats=(*self.formats, name),
            optional=frozenset(optional),
        )


def report_fields(
    counts: EventCounts, report: FieldReport
) -> tuple[dict[str, str | None], tuple[str, ...], bool]:
    """(role -> source field, warnings, whether errors can be told) from the events' counts."""
    roles = [r for r in _COLUMNS if report.fields.get(r)]
    events, unknown = counts.events, counts.unknown
    warnings = list(report.warnings)
    fields = dict(report.fields)
    read = {r for r in roles if counts.values.get(_COLUMNS[r], 0)}
    for role in roles:
        count = counts.values.get(_COLUMNS[role], 0)
        # A field another role read (a status of words, read as an outcome) is that role's.
        elsewhere = any(report.fields[r] == report.fields[role] for r in read - {role})
        name = str(report.fields[role]).rsplit(".", 1)[-1].lower()  # under any container
        unsure = role in UNSURE or name in UNSURE_NAMES.get(role, ())
        if count == 0 and (role in report.optional or unsure or elsewhere):
            fields[role] = None  # the layout has room for it, but these lines leave it out
        elif count == 0:
            warnings.append(
                f"the {role} field {report.fields[role]!r} was found, but none of its values "
                f"reads as {_READ_AS[role]}"
            )
    errors_known = unknown < events
    if not errors_known:
        if any(fields.get(r) for r in TELLING):
            named = " or ".join(repr(fields[r]) for r in TELLING if fields.get(r))
            warnings.append(
                f"errors cannot be told from these logs: no value of {named} reads as a "
                "status, an outcome or a level; name another field with --map level=FIELD, "
                "--map status=FIELD or --map outcome=FIELD"
            )
        else:
            warnings.append(NO_ERROR_FIELD)
    elif unknown:
        warnings.append(untold(unknown, events))
    return fields, tuple(warnings), errors_known


def untold(unknown: int, events: int) -> str:
    """The warning that ``unknown`` of the ``events`` can never count as errors."""
    return (
        f"{unknown:,} of {events:,} events have no status, outcome or level, so they are never "
        "counted as errors"
    )
