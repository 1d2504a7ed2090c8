"""Field mapping of log records: which source field is the timestamp, tenant, status, level...

Common conventions are data tables: plain names, OpenTelemetry (OTLP and flattened), Elastic
Common Schema (nested or flat), bunyan, pino, zap, logrus, Serilog compact JSON, Google Cloud
structured logging, journald, GELF and Elasticsearch's own logs. A field inside nested objects
is named by its dotted path (``http.response.status_code``), the same as a flat key with dots;
a field under a container such as ``attributes.`` or ``resource.`` is found by its own name too.
An explicit ``--map`` overrides everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs.levels import scale_of

# Canonical field -> names it goes by (first match wins; case does not matter).
FIELD_CANDIDATES: dict[str, tuple[str, ...]] = {
    "ts": (
        "ts",
        "timestamp",
        "time",
        "@timestamp",
        "@t",
        "datetime",
        "date",
        "timeUnixNano",
        "time_unix_nano",
        "__REALTIME_TIMESTAMP",
        "asctime",
        "eventTime",
        "timeMillis",
        "instant.epochSecond",
        "log_time",
        "logtime",
        "start_time",
        "StartUTC",
        "requestReceivedTimestamp",
        "stageTimestamp",
        "observed_timestamp",
        "observedTimeUnixNano",
    ),
    "tenant": (
        "tenant_id",
        "tenant",
        "tenantId",
        "customer_id",
        "customerId",
        "org_id",
        "orgId",
        "account_id",
        "accountId",
        "tenant.id",
        "organization.id",
        "org.id",
    ),
    "endpoint": (
        "endpoint",
        "route",
        "http_route",
        "http.route",
        "path",
        "url.path",
        "request_path",
        "uri",
        "request_uri",
        "url",
        "http.target",
        "url.original",
        "req.url",
        "requestURI",
        "RequestPath",
        "request.uri",
        "request.url",
        "request.path",
        "httpRequest.requestUrl",
        "http.url",
        "url.full",
    ),
    "method": (
        "method",
        "http_method",
        "http.request.method",
        "http.method",
        "request_method",
        "req.method",
        "request.method",
        "RequestMethod",
        "httpRequest.requestMethod",
        "verb",
    ),
    "status": (
        "status",
        "status_code",
        "statusCode",
        "http_status",
        "response_code",
        "http.response.status_code",
        "http.status_code",
        "res.statusCode",
        "res.status_code",
        "httpRequest.status",
        "response.status",
        "response_status",
        "responseStatus.code",
        "DownstreamStatus",
    ),
    "latency_ms": (
        "latency_ms",
        "duration_ms",
        "response_time_ms",
        "elapsed_ms",
        "took_ms",
        "http.server.duration",
        "http.server.request.duration",
        "event.duration",
        "httpRequest.latency",
        "duration",
        "responseTime",
        "response_time",
        "request_time",
        "latency",
        "elapsed",
    ),
    "message": (
        "message",
        "msg",
        "@m",
        "body",
        "short_message",
        "textPayload",
        "jsonPayload.message",
        "@mt",
        "error",
        "err",
        "log",
        "content",
        "event",
        "error.message",
    ),
    "exception": (
        "@x",
        "exception",
        "stacktrace",
        "stack_trace",
        "error.stack_trace",
        "exc_info",
        "err.stack",
        "error.stack",
        "exception.stacktrace",
        "thrown.extendedStackTrace",
        "full_message",
    ),
    "request_id": (
        "request_id",
        "req_id",
        "requestId",
        "reqId",
        "req.id",
        "correlation_id",
        "correlationId",
        "http.request.id",
        "trace_id",
        "traceId",
        "trace.id",
    ),
    "trace_id": (
        "trace_id",
        "traceId",
        "trace.id",
        "logging.googleapis.com/trace",
        "dd.trace_id",
    ),
    "service": (
        "service",
        "service.name",
        "service_name",
        "serviceName",
        "serviceContext.service",
        "app",
        "application",
        "app_name",
        "_SYSTEMD_UNIT",
        "SYSLOG_IDENTIFIER",
        "kubernetes.container.name",
        "kubernetes.container_name",
        "k8s.container.name",
        "container_name",
        "appname",
    ),
    "level": (
        "level",
        "severity",
        "lvl",
        "log_level",
        "loglevel",
        "log.level",
        "levelname",
        "level_name",
        "severity_text",
        "severityText",
        "@l",
        "PRIORITY",
        "syslog.severity",
        "log.syslog.severity.name",
        "log.syslog.severity.code",
        "severity_number",
        "severityNumber",
        "levelno",
    ),
}
CONTAINERS = (
    "attributes.",
    "resource.attributes.",
    "resource.",
    "resourceattributes.",
    "logattributes.",
    "fields.",
    "@fields.",
    "jsonpayload.",
    "labels.",
    "context.",
    "extra.",
    "data.",
    "payload.",
)
"""Prefixes of the objects that hold a record's own fields (OTel attributes, logstash
``@fields``, Google Cloud ``jsonPayload``...): ``attributes.http.route`` is ``http.route``."""
LEVEL_FIELDS_USED = 3
"""How many level fields feed the severity, in order (``severityText`` then ``severityNumber``)."""


@dataclass(frozen=True)
class Convention:
    """A logging library's own names, recognised when all its ``marks`` are fields."""

    name: str
    marks: tuple[str, ...]
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    level_scale: str = ""
    """The scale of its numeric levels, when not the field's own (:mod:`.levels`)."""
    level_default: str = ""
    """The level of a record without one (Serilog leaves Information out)."""
    units: dict[str, float] = field(default_factory=dict)
    """Duration fields -> factor to milliseconds, where the library's unit is its own."""


CONVENTIONS: tuple[Convention, ...] = (
    Convention(
        "Serilog compact JSON",
        ("@t",),
        {"ts": ("@t",), "level": ("@l",), "message": ("@m", "@mt"), "exception": ("@x",)},
        level_default="information",
    ),
    Convention(
        "journald JSON",
        ("__REALTIME_TIMESTAMP",),
        {
            "ts": ("__REALTIME_TIMESTAMP",),
            "level": ("PRIORITY",),
            "message": ("MESSAGE",),
            "service": ("_SYSTEMD_UNIT", "SYSLOG_IDENTIFIER"),
        },
        level_scale="syslog",
    ),
    Convention(
        "GELF",
        ("version", "short_message"),
        {"level": ("level",), "message": ("short_message",), "exception": ("full_message",)},
        level_scale="syslog",
    ),
    Convention("bunyan", ("v", "hostname", "pid", "name", "msg"), {"service": ("name",)}),
    Convention(
        "Traefik access log",
        ("DownstreamStatus", "RequestPath"),
        {"latency_ms": ("Duration",)},
        units={"Duration": 1e-6},  # nanoseconds
    ),
    Convention(
        "Caddy access log",
        ("request.uri", "duration", "status"),
        {"latency_ms": ("duration",)},
        units={"duration": 1000.0},  # seconds
    ),
)
ROLES: dict[str, str] = {
    "timestamp": "ts",
    "status": "status",
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
    """Canonical field -> source columns (several only for ``level``: the first that reads)."""
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
        found = list(dict.fromkeys(found))
        if found:
            columns[name] = tuple(found[:LEVEL_FIELDS_USED] if name == "level" else found[:1])
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
