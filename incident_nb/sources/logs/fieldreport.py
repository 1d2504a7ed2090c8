"""Which source field fed each role of the events, and what the reading could not see.

After the parse, the events say which roles their fields really filled: a status field whose
values are no HTTP status, a level field no value of which reads as a level, are named in a
warning sentence. Errors can be told only from a status or a level: when no event has either,
the store says so (``errors_known`` False) with the ``--map`` that would fix it, so that no
one reads "0 errors" from logs that could not show one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from incident_nb.sources.logs.fields import ROLES, Choice

if TYPE_CHECKING:
    import duckdb

    from incident_nb.sources.logs.accounting import RawInput
    from incident_nb.sources.logs.formats import Detected

NO_ERROR_FIELD = (
    "errors cannot be told from these logs: no status or level field; name one with "
    "--map level=FIELD or --map status=FIELD"
)
_READ_AS = {
    "status": "an HTTP status (100-599)",
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
    "level": "severity",
    "latency": "latency_ms",
    "endpoint": "endpoint",
    "tenant": "tenant",
    "method": "method",
    "service": "service",
}
"""Role -> the ``events`` column that shows whether its field was read (errors-only ones aside)."""


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
    con: duckdb.DuckDBPyConnection, report: FieldReport
) -> tuple[dict[str, str | None], tuple[str, ...], bool]:
    """(role -> source field, warnings, whether errors can be told) from the loaded ``events``."""
    roles = [r for r in _COLUMNS if report.fields.get(r)]
    counts = ", ".join(f"count({_COLUMNS[r]})" for r in roles)
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE status IS NULL AND severity IS NULL)"
        f"{', ' + counts if counts else ''} FROM events"
    ).fetchone()
    assert row is not None
    events, unknown = int(row[0]), int(row[1])
    warnings = list(report.warnings)
    fields = dict(report.fields)
    for role, count in zip(roles, row[2:], strict=True):
        if int(count) == 0 and role in report.optional:
            fields[role] = None  # the layout has room for it, but these lines leave it out
        elif int(count) == 0:
            warnings.append(
                f"the {role} field {report.fields[role]!r} was found, but none of its values "
                f"reads as {_READ_AS[role]}"
            )
    errors_known = unknown < events
    if not errors_known:
        if fields.get("status") or fields.get("level"):
            named = " or ".join(repr(fields[r]) for r in ("status", "level") if fields.get(r))
            warnings.append(
                f"errors cannot be told from these logs: no value of {named} reads as a "
                "status or a level; name another field with --map level=FIELD or "
                "--map status=FIELD"
            )
        else:
            warnings.append(NO_ERROR_FIELD)
    elif unknown:
        warnings.append(
            f"{unknown:,} of {events:,} events have neither a status nor a level, so they are "
            "never counted as errors"
        )
    return fields, tuple(warnings), errors_known
