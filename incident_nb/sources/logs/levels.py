"""Log levels: every convention's names and numbers, normalised to one severity at parse time.

The canonical severity is OpenTelemetry's ``severityNumber`` (1-4 trace, 5-8 debug, 9-12 info,
13-16 warn, 17-20 error, 21-24 fatal), so "an error" is one test everywhere: severity 17 or
more. Level names (``error``, ``WARNING``, glog's ``E``, logrus's ``ERRO``...) are one table;
numbers are read on the scale of the field they come from (bunyan/pino ``level`` 50, OTel
``severityNumber`` 17, syslog and journald ``PRIORITY`` 3, Python ``levelno`` 40), another
table. The SQL built here is portable: Spark runs it too, rendered by SQLGlot.
"""

from __future__ import annotations

from incident_nb.sources.logs.sqltypes import INTEGER_TYPES

ERROR_SEVERITY = 17
"""Severities from this one on are errors (OpenTelemetry ERROR..FATAL4)."""

LEVEL_NAMES: dict[str, int] = {
    # trace and the like
    "trace": 1,
    "trac": 1,
    "trc": 1,
    "finest": 1,
    "verbose": 1,
    "vrb": 1,
    "t": 1,
    "v": 1,
    "finer": 3,
    # debug
    "debug": 5,
    "debu": 5,
    "dbg": 5,
    "fine": 5,
    "d": 5,
    "config": 7,
    # info
    "info": 9,
    "information": 9,
    "informational": 9,
    "inf": 9,
    "i": 9,
    "notice": 10,
    # warnings are not errors
    "warn": 13,
    "warning": 13,
    "wrn": 13,
    "w": 13,
    # errors
    "error": 17,
    "err": 17,
    "erro": 17,
    "eror": 17,
    "e": 17,
    "severe": 17,
    "dpanic": 17,
    # fatal and worse
    "critical": 21,
    "crit": 21,
    "fatal": 21,
    "fata": 21,
    "ftl": 21,
    "f": 21,
    "alert": 22,
    "panic": 22,
    "pani": 22,
    "emerg": 23,
    "emergency": 23,
}
"""Level names, lower case, as written by log4j/logback, java.util.logging, Python, .NET/Serilog,
Go (zap, logrus, slog), syslog, Google Cloud, glog/klog and Android letters -> severity."""

# Numeric scales: (lowest value, severity) steps; a value takes the severity of the highest step
# it reaches, and a value below the first step is unknown.
NUMERIC_SCALES: dict[str, tuple[tuple[float, int], ...]] = {
    # bunyan and pino: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
    "bunyan": ((10, 1), (20, 5), (30, 9), (40, 13), (50, 17), (60, 21)),
    # Python logging: 10 DEBUG, 20 INFO, 30 WARNING, 40 ERROR, 50 CRITICAL.
    "python": ((1, 1), (10, 5), (20, 9), (30, 13), (40, 17), (50, 21)),
}
SYSLOG_SEVERITIES = (23, 22, 21, 17, 13, 10, 9, 5)
"""Syslog severity 0 (emerg) .. 7 (debug) -> severity; 0-3 are errors."""

LEVEL_SCALES: dict[str, str] = {
    "severitynumber": "otel",
    "severity_number": "otel",
    "severity.number": "otel",
    "priority": "syslog",
    "syslog.severity": "syslog",
    "syslog_severity": "syslog",
    "log.syslog.severity.code": "syslog",
    "pri": "pri",
    "levelno": "python",
    "level_no": "python",
}
"""Numeric level fields (lower case; a container prefix such as ``attributes.`` aside) whose scale
is not the default. Other numbers: 0-7 syslog, 10 and up bunyan/pino (``auto``)."""
SCALES = ("auto", "otel", "syslog", "pri", "bunyan", "python")


def scale_of(field: str) -> str:
    """The numeric scale of level field ``field`` (its last dotted parts decide)."""
    name = field.lower()
    while name:
        if name in LEVEL_SCALES:
            return LEVEL_SCALES[name]
        _, _, name = name.partition(".")
    return "auto"


def _steps(num: str, steps: tuple[tuple[float, int], ...]) -> str:
    whens = " ".join(f"WHEN {num} >= {low} THEN {sev}" for low, sev in reversed(steps))
    return f"CASE {whens} END"


def _syslog(num: str) -> str:
    whens = " ".join(f"WHEN {i} THEN {sev}" for i, sev in enumerate(SYSLOG_SEVERITIES))
    return f"CASE CAST({num} AS INTEGER) {whens} END"


def numeric_sql(num: str, scale: str) -> str:
    """SQL: the severity of number ``num`` (a DOUBLE expression) on ``scale``; NULL if none."""
    whole = f"({num} = floor({num}))"
    if scale == "otel":
        return f"CASE WHEN {whole} AND {num} BETWEEN 1 AND 24 THEN CAST({num} AS INTEGER) END"
    if scale == "syslog":
        return f"CASE WHEN {whole} AND {num} BETWEEN 0 AND 7 THEN {_syslog(num)} END"
    if scale == "pri":  # the PRI of a syslog line: facility * 8 + severity
        sev = f"CAST({num} AS INTEGER) % 8"
        return f"CASE WHEN {whole} AND {num} BETWEEN 0 AND 191 THEN {_syslog(sev)} END"
    if scale in NUMERIC_SCALES:
        return _steps(num, NUMERIC_SCALES[scale])
    if scale != "auto":
        raise ValueError(f"unknown level scale {scale!r}; use one of {', '.join(SCALES)}")
    return (
        f"CASE WHEN {whole} AND {num} BETWEEN 0 AND 7 THEN {_syslog(num)} "
        f"WHEN {num} >= 10 THEN {_steps(num, NUMERIC_SCALES['bunyan'])} END"
    )


COMMON = ("info", "error", "warn", "debug", "warning", "trace", "fatal", "critical")
"""The names most lines carry, tried first as written (info, INFO, Info) before any lower()."""


def _names(text: str, spellings: bool = False) -> str:
    # The simple CASE form: DuckDB computes ``text`` once, not once per WHEN.
    names = LEVEL_NAMES.items()
    if spellings:
        names = {
            spelled: LEVEL_NAMES[name]
            for name in COMMON
            for spelled in (name, name.upper(), name.capitalize())
        }.items()
    whens = " ".join(f"WHEN '{name}' THEN {sev}" for name, sev in names)
    return f"CASE {text} {whens} END"


def severity_sql(value: str, sql_type: str, scale: str = "auto") -> str:
    """SQL: the severity (1-24, or NULL) of the level ``value`` of DuckDB type ``sql_type``.

    Text is a level name in any case (``Error``, ``ERRO``, ``E``, ``ERROR+2``), or a number on
    ``scale``; a number column is read on ``scale``.
    """
    if sql_type.upper() in {"BOOLEAN"}:
        return "CAST(NULL AS INTEGER)"
    if sql_type.upper() in INTEGER_TYPES | {"DOUBLE", "FLOAT"}:
        return numeric_sql(f"CAST({value} AS DOUBLE)", scale)
    exact = _names(f"CAST({value} AS VARCHAR)", spellings=True)
    text = f"lower(trim(CAST({value} AS VARCHAR)))"
    number = f"try_cast({text} AS DOUBLE)"
    # The first word: slog's "ERROR+2", "[error]", OTel's "ERROR2", an OTLP enum name
    # "SEVERITY_NUMBER_ERROR" (its prefix aside); "non-fatal" stays no error.
    word = f"regexp_extract(replace({text}, 'severity_number_', ''), '^[^a-z]*([a-z]+)', 1)"
    named, numbered = _names(text), numeric_sql(number, scale)
    # Lazily, cheapest first (DuckDB's COALESCE would read every row every way): the name as
    # commonly spelled (info, INFO, Info), in any case and padding, a number, the first word.
    return (
        f"CASE WHEN {exact} IS NOT NULL THEN {exact} WHEN {named} IS NOT NULL THEN {named} "
        f"WHEN {numbered} IS NOT NULL THEN {numbered} ELSE {_names(word)} END"
    )


def level_name_sql(severity: str) -> str:
    """SQL: the canonical level name (trace, debug, info, warn, error, fatal) of a severity."""
    return (
        f"CASE WHEN {severity} >= 21 THEN 'fatal' WHEN {severity} >= 17 THEN 'error' "
        f"WHEN {severity} >= 13 THEN 'warn' WHEN {severity} >= 9 THEN 'info' "
        f"WHEN {severity} >= 5 THEN 'debug' WHEN {severity} >= 1 THEN 'trace' END"
    )
