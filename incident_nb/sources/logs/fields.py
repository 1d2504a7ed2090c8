"""Field mapping of log records: which source field is the timestamp, tenant, status, level...

The names come from the tables of :mod:`.conventions`; a latency is also any duration whose
name says its unit (``duration_seconds``, ``latencyMs``). A field inside nested objects is named
by its dotted path (``http.response.status_code``), the same as a flat key with dots; a field
under a container such as ``attributes.`` or ``resource.`` is found by its own name too. An
explicit ``--map`` overrides everything. The choice reports, for each role, the field it used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs.conventions import (
    CONTAINERS,
    CONVENTIONS,
    FIELD_CANDIDATES,
    LEVEL_FIELDS_USED,
    named_unit,
)
from incident_nb.sources.logs.levels import scale_of

ROLES: dict[str, str] = {
    "timestamp": "ts",
    "status": "status",
    "outcome": "outcome",
    "level": "level",
    "endpoint": "endpoint",
    "method": "method",
    "tenant": "tenant",
    "latency": "latency_ms",
    "message": "message",
    "trace_id": "trace_id",
    "service": "service",
    "request_id": "request_id",
}
"""The roles a source field can play, as reported (``store.fields``) -> the canonical field."""
SEVERAL = ("level", "outcome")
"""The fields read from several source fields, the first that reads (a level's name, then its
number; an ``error`` holding a message, then ``success``)."""
_ALIASES = {
    "timestamp": "ts",
    "time": "ts",
    "latency": "latency_ms",
    "duration": "latency_ms",
    "trace": "trace_id",
    "stacktrace": "exception",
}


@dataclass(frozen=True)
class Choice:
    """The source columns chosen for each canonical field, and how levels read."""

    columns: dict[str, tuple[str, ...]]
    """Canonical field -> source columns (several only for :data:`SEVERAL`: the first that
    reads)."""
    level_scale: str = ""
    level_default: str = ""
    """The level of records without one, by convention (Serilog: information)."""
    units: dict[str, float] = field(default_factory=dict)
    """Duration fields -> factor to milliseconds, by a recognised convention."""
    default_field: str = ""
    """The field that convention leaves out for that level (``@l``)."""
    conventions: tuple[str, ...] = ()

    def first(self, name: str) -> str | None:
        """The (first) column chosen for ``name``, or None."""
        found = self.columns.get(name)
        return found[0] if found else None

    def scale(self, column: str) -> str:
        """The numeric scale of level column ``column``."""
        return self.level_scale or scale_of(column)

    def report(self) -> dict[str, str | None]:
        """Role -> the source field used (several levels joined by ``, ``), or None."""
        report = {
            role: ", ".join(self.columns[name]) if self.columns.get(name) else None
            for role, name in ROLES.items()
        }
        if self.level_default and report["level"] is None:
            report["level"] = self.default_field or None
        return report


def pick_fields(columns: Mapping[str, str], candidates: tuple[str, ...]) -> list[str]:
    """The columns that are ``candidates``, best first: exact names, then under a container."""
    lowered: dict[str, str] = {}
    for name in columns:
        lowered.setdefault(name.lower(), name)
    found = [lowered[c.lower()] for c in candidates if c.lower() in lowered]
    found += [
        lowered[p + c.lower()] for c in candidates for p in CONTAINERS if p + c.lower() in lowered
    ]
    return list(dict.fromkeys(found))


def pick_field(columns: Mapping[str, str], candidates: tuple[str, ...]) -> str | None:
    """The first candidate present among ``columns`` (case-insensitive), or None."""
    found = pick_fields(columns, candidates)
    return found[0] if found else None


def find_column(columns: Mapping[str, str], source: str) -> str | None:
    """The column a ``--map`` source names: exactly, in any case, or under a container."""
    if source in columns:
        return source
    return pick_field(columns, (source,))


def override_fields(mapping: Mapping[str, str], schema: Mapping[str, str]) -> dict[str, str]:
    """Explicit ``canonical -> source`` field choices, checked against the columns found."""
    chosen: dict[str, str] = {}
    for key, source in mapping.items():
        name = _ALIASES.get(key, key)
        if name not in FIELD_CANDIDATES:
            raise EvidenceError(
                f"unknown field {key!r} in --map; use one of timestamp, "
                f"{', '.join(n for n in FIELD_CANDIDATES if n != 'ts')}"
            )
        column = find_column(schema, source)
        if column is None:
            shown = sorted(schema)
            more = f" and {len(shown) - 60} more" if len(shown) > 60 else ""
            raise EvidenceError(
                f"--map {key}={source}: no field {source!r} in the logs (nested fields are "
                f"named by their dotted path); found {', '.join(shown[:60])}{more}"
            )
        chosen[name] = column
    return chosen


def choose_fields(
    schema: Mapping[str, str],
    mapping: Mapping[str, str] | None = None,
    hints: Mapping[str, str] | None = None,
) -> Choice:
    """The source columns for each canonical field.

    In order: ``--map``, a recognised convention, a format's hints (a text layout's ``pri``),
    then :data:`FIELD_CANDIDATES`.
    """
    matched = [c for c in CONVENTIONS if all(pick_field(schema, (m,)) for m in c.marks)]
    columns: dict[str, tuple[str, ...]] = {}
    for name, candidates in FIELD_CANDIDATES.items():
        found: list[str] = []
        for convention in matched:
            found += pick_fields(schema, convention.fields.get(name, ()))
        hint = (hints or {}).get(name)
        if hint and hint in schema:
            found.append(hint)
        found += pick_fields(schema, candidates)
        if name == "latency_ms":  # then any duration whose name says its unit
            found += [c for c in schema if named_unit(c) is not None]
        found = list(dict.fromkeys(found))
        if found:
            columns[name] = tuple(found[:LEVEL_FIELDS_USED] if name in SEVERAL else found[:1])
    # The status field reads as an outcome (its words: "error", "ok") only where the log has no
    # outcome field of its own.
    status, outcome = columns.get("status", ()), columns.get("outcome", ())
    if status and any(c != status[0] for c in outcome):
        columns["outcome"] = tuple(c for c in outcome if c != status[0])
    for name, column in override_fields(mapping or {}, schema).items():
        columns[name] = (column,)
    # The exception text is added to the message: never the very same column twice.
    if columns.get("exception") and columns["exception"] == columns.get("message"):
        del columns["exception"]
    scale = next((c.level_scale for c in matched if c.level_scale), "")
    defaulted = next((c for c in matched if c.level_default), None)
    default = defaulted.level_default if defaulted else ""
    default_field = defaulted.fields.get("level", ("",))[0] if defaulted else ""
    if "level" in dict(override_fields(mapping or {}, schema)):
        scale = default = ""  # a level named with --map reads on its own scale
    names = tuple(c.name for c in matched)
    units = {find_column(schema, k) or k: v for c in matched for k, v in c.units.items()}
    return Choice(
        columns,
        level_scale=scale,
        level_default=default,
        default_field=default_field,
        units=units,
        conventions=names,
    )


__all__ = [
    "FIELD_CANDIDATES",
    "ROLES",
    "Choice",
    "choose_fields",
    "find_column",
    "override_fields",
    "pick_field",
    "pick_fields",
]
