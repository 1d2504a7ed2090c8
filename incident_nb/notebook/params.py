"""The investigation notebook's parameters: their names, types, and validation on both sides.

The host validates names before papermill injects them (a parameter *name* is injected as
code); the notebook validates the injected values when it runs, so an unknown or ill-typed
parameter stops the notebook with a clear error instead of silently using a default.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incident_nb.core.errors import EvidenceError, ParameterError
from incident_nb.core.models import parse_utc
from incident_nb.sources.logs.engines import parse_engine
from incident_nb.sources.logs.formats import FORMAT_NAMES

CELL_TIMEOUT_S = 600
"""How long one notebook cell may run by default (``--timeout``), in seconds."""


@dataclass(frozen=True)
class NotebookParams:
    """The values the investigation notebook runs with (see ``templates/investigation.ipynb``)."""

    incident_dir: str = "."
    incident_id: str = ""
    title: str = ""
    service: str = ""
    alert_started_at: str = ""
    logs: list[str] = field(default_factory=list)
    repos: list[str] = field(default_factory=list)
    lookback_hours: float = 24.0
    prometheus_url: str = ""
    log_format: str = "auto"
    log_tz: str = "UTC"
    engine: str = "duckdb"
    traces: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)

    @property
    def alert_start(self) -> datetime | None:
        """The alert's start as a datetime (validated to parse)."""
        return parse_utc(self.alert_started_at) if self.alert_started_at else None

    def as_papermill(self) -> dict[str, Any]:
        """Plain JSON values for papermill (datetimes stay ISO strings)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


_TYPES: dict[str, tuple[type, ...]] = {
    "incident_dir": (str,),
    "incident_id": (str,),
    "title": (str,),
    "service": (str,),
    "alert_started_at": (str,),
    "logs": (list,),
    "repos": (list,),
    "lookback_hours": (int, float),
    "prometheus_url": (str,),
    "log_format": (str,),
    "log_tz": (str,),
    "engine": (str,),
    "traces": (list,),
    "metrics": (list,),
}
PARAMETER_NAMES = frozenset(_TYPES)


def check_names(names: list[str] | set[str] | frozenset[str], known: frozenset[str]) -> None:
    """Refuse names that are not identifiers or not parameters of the template.

    Raises:
        ParameterError: naming the offending names and the known ones.
    """
    bad = sorted(n for n in names if not n.isidentifier() or keyword.iskeyword(n) or n not in known)
    if bad:
        raise ParameterError(
            f"unknown notebook parameter(s) {', '.join(map(repr, bad))}; "
            f"the template takes: {', '.join(sorted(known))}"
        )


def parameters_from(namespace: Mapping[str, Any]) -> NotebookParams:
    """The notebook's parameters, read by name from its namespace (its ``globals()``), validated.

    The parameters cell defines every parameter and papermill's injected cell overrides them,
    so reading exactly the known names gives the same values however the notebook is run:
    once or again in the same kernel, after a restart, or cell by cell.

    Raises:
        ParameterError: a value has the wrong type or does not parse.
    """
    return validate_parameters(
        {name: namespace[name] for name in PARAMETER_NAMES if name in namespace}
    )


def validate_parameters(values: Mapping[str, Any]) -> NotebookParams:
    """Validate the parameters a notebook received (the names papermill injected).

    Raises:
        ParameterError: a name is unknown, a value has the wrong type, a timestamp does not parse.
    """
    check_names(set(values), PARAMETER_NAMES)
    problems = []
    for name, value in values.items():
        expected = _TYPES[name]
        if isinstance(value, bool) or not isinstance(value, expected):
            want = " or ".join(t.__name__ for t in expected)
            problems.append(f"{name} must be {want}, got {type(value).__name__} {value!r}")
        elif isinstance(value, list) and not all(isinstance(v, str) for v in value):
            problems.append(f"{name} must be a list of paths (strings), got {value!r}")
    stamp = values.get("alert_started_at", "")
    if isinstance(stamp, str) and stamp:
        try:
            parse_utc(stamp)
        except ValueError as exc:
            problems.append(f"alert_started_at: {exc}")
    fmt = values.get("log_format", "auto")
    if isinstance(fmt, str) and fmt not in FORMAT_NAMES:
        problems.append(f"log_format must be one of {', '.join(FORMAT_NAMES)}, got {fmt!r}")
    zone = values.get("log_tz", "UTC")
    if isinstance(zone, str):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"log_tz must be an IANA time zone, got {zone!r}")
    engine = values.get("engine", "duckdb")
    if isinstance(engine, str):
        try:
            parse_engine(engine)
        except EvidenceError as exc:
            problems.append(f"engine: {exc}")
    hours = values.get("lookback_hours", 24.0)
    if isinstance(hours, int | float) and not isinstance(hours, bool) and hours <= 0:
        problems.append(f"lookback_hours must be positive, got {hours}")
    if problems:
        raise ParameterError("invalid notebook parameters: " + "; ".join(problems))
    clean = dict(values)
    if "lookback_hours" in clean:
        clean["lookback_hours"] = float(clean["lookback_hours"])
    return NotebookParams(**clean)
