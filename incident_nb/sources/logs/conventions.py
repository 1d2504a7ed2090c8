"""The names log records give their fields, as data: one table per role, and conventions.

Plain names, OpenTelemetry (OTLP and flattened), Elastic Common Schema (nested or flat),
bunyan, pino, zap, logrus, Serilog compact JSON, Google Cloud structured logging, journald,
GELF, Elasticsearch's own logs, Caddy, Traefik, log4j2's JSON layout. A :class:`Convention`
is recognised by the fields it always writes, and says what its other fields mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from incident_nb.sources.logs.outcomes import OUTCOME_FIELDS

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
        "time_iso8601",
        "time_local",
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
        "organization_id",
        "organizationId",
        "workspace_id",
        "workspaceId",
        "client_id",
        "clientId",
        "tenant.id",
        "organization.id",
        "org.id",
        "customer.id",
        "account.id",
        "customer",
        "organization",
        "account",
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
        "request",
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
        "http_code",
        "http_status_code",
        "httpStatus",
        "httpStatusCode",
        "response.status_code",
        "response_status_code",
        "code",
    ),
    "outcome": tuple(OUTCOME_FIELDS),
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
        "took",
        "time_taken",
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

DURATION_WORDS = frozenset(
    {"duration", "latency", "elapsed", "response_time", "request_time", "request_duration"}
    | {"response_duration", "processing_time", "time_taken", "took", "total_time"}
)
"""What a duration field is called before the unit its name ends with (:data:`NAME_UNITS`):
``duration_seconds``, ``latencyMs``, ``elapsed_us`` and ``response-time-millis`` are latencies."""
NAME_UNITS: dict[str, float] = {
    **dict.fromkeys(("ms", "msec", "millis", "milliseconds"), 1.0),
    **dict.fromkeys(("s", "sec", "secs", "seconds"), 1000.0),
    **dict.fromkeys(("us", "usec", "micros", "microseconds"), 1e-3),
    **dict.fromkeys(("ns", "nsec", "nanos", "nanoseconds"), 1e-6),
}
"""The unit a duration field's name ends with -> its factor to milliseconds."""
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def named_unit(field_name: str) -> float | None:
    """The factor to milliseconds a duration field's name gives (``duration_seconds``: 1000).

    The name's last dotted part, split at ``_``, ``-`` and camelCase, is one of
    :data:`DURATION_WORDS` followed by one of :data:`NAME_UNITS`; otherwise None.
    """
    words = [w.lower() for w in _WORD.findall(field_name.rsplit(".", 1)[-1])]
    if len(words) < 2 or "_".join(words[:-1]) not in DURATION_WORDS:
        return None
    return NAME_UNITS.get(words[-1])


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
