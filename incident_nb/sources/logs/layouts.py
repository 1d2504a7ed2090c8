"""Line layouts of text logs, as data: one regular expression per layout, and how its parts read.

Each layout names the parts of a record's first line (``time``, ``level``, ``message``...) with
named groups of one regular expression that both Python (sniffing) and DuckDB's RE2 (reading)
run. ``time_formats`` read the time when it is not ISO 8601 or epoch (which the field
conventions read anyway); ``partial`` says what the time lacks (the year of syslog and glog,
the date of logback's ``HH:mm:ss.SSS``), completed by :mod:`.textlines`. ``columns`` derive more
columns in SQL over the groups (``g.name``). A line that does not match starts no record: in a
``multiline`` layout it continues the record above it (a stack trace), otherwise it is
malformed. Patterns are unanchored here; readers anchor them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LEVELS = (
    r"(?i:TRACE|DEBUG|INFORMATION|INFO|NOTICE|WARNING|WARN|ERROR|FATAL|SEVERE|CRITICAL|CRIT"
    r"|ALERT|EMERG|EMERGENCY|FINEST|FINER|FINE|CONFIG|VERBOSE|DPANIC|PANIC)"
)
"""A level word as text layouts write it, in any case."""
ISO_TIME = (
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?: ?(?:Z|[+-]\d{2}(?::?\d{2})?))?"
)
QUOTED = r'"(?:[^"\\]|\\.)*"'
_REQUEST_METHOD = "NULLIF(regexp_extract({request}, '^([A-Z]+) ', 1), '')"
_REQUEST_PATH = "NULLIF(split_part(regexp_extract({request}, '^[A-Z]+ +(\\S+)', 1), '?', 1), '')"


_REQUEST_TIME = (
    "regexp_extract(regexp_replace(g.rest, '\"(?:[^\"\\\\]|\\\\.)*\"', '', 'g'), "
    "'(?:^|\\s)(\\d+(?:\\.\\d+)?)(?:\\s|$)', 1)"
)


def request_columns(request: str) -> tuple[tuple[str, str], ...]:
    """``method`` and ``path`` (without its query) of an HTTP request line in SQL ``request``."""
    return (
        ("method", _REQUEST_METHOD.format(request=request)),
        ("path", _REQUEST_PATH.format(request=request)),
    )


@dataclass(frozen=True)
class Layout:
    """One text log layout."""

    name: str
    summary: str
    pattern: str
    expect: str
    """What a record's first line looks like, to explain a file that does not fit."""
    time_formats: tuple[str, ...] = ()
    """DuckDB strptime formats of the ``time`` group; none when it is ISO 8601 or epoch."""
    python_formats: tuple[str, ...] = ()
    """The same in Python's strptime, to read the first record's month (``partial`` only)."""
    partial: str = ""
    """``year`` or ``date`` when the time lacks them; ``""`` when it is whole."""
    zoned: bool = False
    """Whether ``time_formats`` end in a UTC offset (``%z``)."""
    columns: tuple[tuple[str, str], ...] = ()
    """Derived columns: name -> SQL over the groups as ``g.<group>``."""
    hidden: tuple[str, ...] = ()
    """Groups that are only inputs of ``columns``."""
    multiline: bool = True
    sniffed: bool = True
    """False for a layout only used when named or inside a container envelope."""
    timeless: str = ""
    """Why records of this layout cannot be analysed (no time); empty when they can."""
    fields: dict[str, str] = field(default_factory=dict)
    """Canonical field -> column, where the field conventions would not find it."""
    year_header: str = ""
    """A header line some files start with that tells the year (``year``, ``month`` groups)."""

    @property
    def groups(self) -> tuple[str, ...]:
        """The named groups, in order."""
        return tuple(re.compile(self.pattern).groupindex)

    def regex(self) -> re.Pattern[str]:
        """The anchored pattern, for Python."""
        return re.compile(f"^(?:{self.pattern})$")


_ACCESS = Layout(
    "access",
    "Apache/nginx access log (common, combined, nginx main, vhost prefix, request time)",
    rf"(?:(?P<vhost>\S+) )?(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) "
    rf'\[(?P<time>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{{3}}|-) '
    rf'(?P<bytes>\d+|-)(?P<rest>(?: (?:{QUOTED}|[^\s"]+))*)\s*',
    'host ident user [10/Oct/2000:13:55:36 -0700] "GET /path HTTP/1.1" status bytes',
    time_formats=("%d/%b/%Y:%H:%M:%S %z",),
    zoned=True,
    columns=(
        *request_columns("g.request"),
        ("status", "try_cast(g.status AS INTEGER)"),
        ("bytes", "try_cast(g.bytes AS BIGINT)"),
        ("referer", "NULLIF(regexp_extract_all(g.rest, '\"((?:[^\"\\\\]|\\\\.)*)\"', 1)[1], '-')"),
        ("agent", "NULLIF(regexp_extract_all(g.rest, '\"((?:[^\"\\\\]|\\\\.)*)\"', 1)[2], '-')"),
        (
            "forwarded_for",
            "NULLIF(regexp_extract_all(g.rest, '\"((?:[^\"\\\\]|\\\\.)*)\"', 1)[3], '-')",
        ),
        # The request time: the first bare number after the quoted fields; with a decimal
        # point in seconds (nginx $request_time, Apache %T), else microseconds (Apache %D).
        (
            "latency_ms",
            f"CASE WHEN {_REQUEST_TIME} = '' THEN NULL WHEN contains({_REQUEST_TIME}, '.') "
            f"THEN try_cast({_REQUEST_TIME} AS DOUBLE) * 1000 "
            f"ELSE try_cast({_REQUEST_TIME} AS DOUBLE) / 1000 END",
        ),
        ("user", "NULLIF(g.user, '-')"),
    ),
    hidden=("status", "bytes", "rest", "ident", "user"),
    multiline=False,
    fields={"endpoint": "path"},
)
_HAPROXY = Layout(
    "haproxy",
    "HAProxy HTTP log (also inside syslog)",
    r"(?:<(?P<pri>\d{1,3})>)?(?:.*?\s)?(?P<client>[^\s\[]+):(?P<port>\d+) "
    r"\[(?P<time>\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2}(?:\.\d+)?)\] (?P<frontend>\S+) "
    r"(?P<backend>[^\s/]+)/(?P<server>\S+) "
    r"(?P<timers>-?\d+/-?\d+/-?\d+/-?\d+/\+?-?\d+) (?P<status>-?\d{1,3}) \+?(?P<bytes>\d+)"
    r"(?P<rest>.*)",
    "[<PRI>syslog header] client:port [06/Feb/2009:12:14:14.655] frontend backend/server "
    'Tq/Tw/Tc/Tr/Ta status bytes ... "GET /path HTTP/1.1"',
    time_formats=("%d/%b/%Y:%H:%M:%S.%g", "%d/%b/%Y:%H:%M:%S"),
    columns=(
        ("status", "CASE WHEN g.status <> '-1' THEN try_cast(g.status AS INTEGER) END"),
        ("bytes", "try_cast(g.bytes AS BIGINT)"),
        # Ta (or Tt in HAProxy before 1.8), the last timer: the whole request, in ms.
        (
            "latency_ms",
            "CASE WHEN NOT starts_with(replace(split_part(g.timers, '/', 5), '+', ''), '-') "
            "THEN try_cast(replace(split_part(g.timers, '/', 5), '+', '') AS DOUBLE) END",
        ),
        *request_columns("regexp_extract(g.rest, '\"([^\"]*)', 1)"),
    ),
    hidden=("status", "bytes", "rest"),
    multiline=False,
    fields={"endpoint": "path", "level": "pri"},
)
_RFC5424 = Layout(
    "rfc5424",
    "syslog, RFC 5424",
    r"<(?P<pri>\d{1,3})>(?P<version>\d{1,2}) (?P<time>\S+) (?P<host>\S+) (?P<app>\S+) "
    r"(?P<procid>\S+) (?P<msgid>\S+) (?P<sd>-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (?P<message>.*))?",
    "<PRI>1 2003-10-11T22:14:15.003Z host app procid msgid [structured-data] message",
    columns=(("app", "NULLIF(g.app, '-')"),),
    hidden=("app",),
    fields={"level": "pri", "service": "app"},
)
_APACHE_ERROR = Layout(
    "apache-error",
    "Apache httpd error log",
    r"\[(?P<time>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4})\] "
    r"\[(?:(?P<module>[^:\]\s]+):)?(?P<level>[a-z]+\d?)\](?: \[pid (?P<pid>[^\]]+)\])?"
    r"(?: \[client (?P<client>[^\]]+)\])? ?(?P<message>.*)",
    "[Wed Oct 11 14:32:52 2000] [module:level] [pid N] message",
    time_formats=("%a %b %d %H:%M:%S.%f %Y", "%a %b %d %H:%M:%S %Y"),
)
_NGINX_ERROR = Layout(
    "nginx-error",
    "nginx error log",
    r"(?P<time>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) \[(?P<level>[a-z]+)\] "
    r"(?P<pid>\d+)#(?P<tid>\d+): (?P<message>.*)",
    "2024/05/17 15:04:22 [error] 1234#0: message",
    time_formats=("%Y/%m/%d %H:%M:%S",),
    columns=request_columns('regexp_extract(g.message, \'request: "([^"]*)"\', 1)'),
)
_PYTHON = Layout(
    "python",
    "Python logging, '%(asctime)s - %(name)s - %(levelname)s - %(message)s'",
    rf"(?P<time>{ISO_TIME}) - (?P<logger>.*?) - (?P<level>{LEVELS}) - (?P<message>.*)",
    "2025-01-24 07:00:30,139 - name - LEVEL - message",
)
_PYTHON_BASIC = Layout(
    "python-basic",
    "Python logging.basicConfig default, 'LEVEL:name:message' (no time)",
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL):(?P<logger>[^:\s]*):(?P<message>.*)",
    "LEVEL:name:message",
    timeless=(
        "Python logging.basicConfig's default format (LEVEL:name:message) writes no time, so "
        "no onset or rate can be told; log with a format that has %(asctime)s, e.g. "
        "'%(asctime)s %(levelname)s %(name)s %(message)s'"
    ),
)
_LOG4J = Layout(
    "log4j",
    "log4j/logback/Spring Boot/Hadoop/Kafka: time, [thread], LEVEL, message",
    rf"\[?(?P<time>{ISO_TIME})\]?\s*(?:-\s+)?(?:\[(?P<thread>[^\]]*)\]\s+)?"
    rf"\[?(?P<level>{LEVELS})\b\s*\]?:?\s*(?:\[(?P<context>[^\]]*)\]\s+)?(?P<message>.*)",
    "2025-01-24T07:00:30,139 LEVEL [thread] logger : message",
)
_LOGBACK_TIME = Layout(
    "logback",
    "logback's default, 'HH:mm:ss.SSS [thread] LEVEL logger - message' (no date)",
    rf"(?P<time>\d{{2}}:\d{{2}}:\d{{2}}[.,]\d{{3}})\s+\[(?P<thread>[^\]]*)\]\s+"
    rf"(?P<level>{LEVELS})\b\s*(?P<message>.*)",
    "07:00:30.139 [thread] LEVEL logger - message",
    time_formats=("%Y-%m-%d %H:%M:%S.%g",),
    python_formats=("%H:%M:%S.%f",),
    partial="date",
)
_SPARK = Layout(
    "spark",
    "Spark/Hadoop log4j, 'yy/MM/dd HH:mm:ss LEVEL class: message'",
    rf"(?P<time>\d{{2}}/\d{{2}}/\d{{2}} \d{{2}}:\d{{2}}:\d{{2}})\s+(?P<level>{LEVELS})\b\s*"
    r"(?P<message>.*)",
    "17/06/09 20:10:40 LEVEL class: message",
    time_formats=("%y/%m/%d %H:%M:%S",),
)
_HADOOP = Layout(
    "hadoop",
    "Hadoop's compact log4j, 'yyMMdd HHmmss [thread] LEVEL class: message' (HDFS daemons)",
    rf"(?P<time>\d{{6}} \d{{6}})\s+(?:(?P<thread>\d+)\s+)?(?P<level>{LEVELS})\b\s*"
    r"(?P<message>.*)",
    "081109 203615 148 LEVEL class: message",
    time_formats=("%y%m%d %H%M%S",),
)
_GLOG = Layout(
    "glog",
    "glog/klog, 'Lmmdd hh:mm:ss.uuuuuu threadid file:line] message' (no year)",
    r"(?P<level>[IWEF])(?P<time>\d{4} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)\s+(?P<thread>\d+) "
    r"(?P<caller>[^\s\]]+)\] (?P<message>.*)",
    "E0517 15:04:22.619632 1234 file.go:42] message",
    time_formats=("%Y%m%d %H:%M:%S.%f", "%Y%m%d %H:%M:%S"),
    python_formats=("%m%d %H:%M:%S.%f", "%m%d %H:%M:%S"),
    partial="year",
    year_header=r"Log file created at: (?P<year>\d{4})/(?P<month>\d{2})/",
)
_ZAP = Layout(
    "zap",
    "Go zap console encoder: time, LEVEL, [logger], caller, message, {fields} (tab-separated)",
    r"(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\d{9,10}(?:\.\d+)?(?:e[+-]?\d+)?)\t(?P<level>[A-Za-z]+)\t(?P<rest>.*)",
    "2024-05-17T15:04:22.619+0200<TAB>LEVEL<TAB>file.go:42<TAB>message<TAB>{fields}",
    columns=(
        ("fields", "NULLIF(regexp_extract(g.rest, '\\t(\\{.*\\})$', 1), '')"),
        ("message", "regexp_extract(regexp_replace(g.rest, '\\t\\{.*\\}$', ''), '([^\\t]*)$', 1)"),
        (
            "caller",
            "NULLIF(regexp_extract(regexp_replace(g.rest, '\\t\\{.*\\}$', ''), "
            "'([^\\t]*)\\t[^\\t]*$', 1), '')",
        ),
    ),
    hidden=("rest",),
)
_LOGCAT = Layout(
    "logcat",
    "Android logcat threadtime, 'MM-dd HH:mm:ss.SSS pid tid L tag: message' (no year)",
    r"(?P<time>\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})\s+(?P<pid>\d+)\s+(?P<tid>\d+)\s+"
    r"(?P<level>[VDIWEFA])\s+(?P<tag>.*?)\s*: (?P<message>.*)",
    "03-17 16:13:38.811  1702  2395 L tag: message",
    time_formats=("%Y-%m-%d %H:%M:%S.%g",),
    python_formats=("%m-%d %H:%M:%S.%f",),
    partial="year",
)
_SYSLOG = Layout(
    "syslog",
    "syslog, RFC 3164 / BSD ('Mmm dd hh:mm:ss host app[pid]: message', no year)",
    r"(?:<(?P<pri>\d{1,3})>)?(?P<time>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}) (?P<host>\S+) "
    r"(?:(?P<app>[^\s:\[]+)(?:\[(?P<pid>[^\]]*)\])?: ?)?(?P<message>.*)",
    "[<PRI>]Oct 11 22:14:15 host app[pid]: message",
    time_formats=("%Y %b %d %H:%M:%S",),
    python_formats=("%b %d %H:%M:%S",),
    partial="year",
    fields={"level": "pri", "service": "app"},
)
_SYSLOG_ISO = Layout(
    "syslog-iso",
    "syslog with ISO 8601 times (rsyslog's file format)",
    r"(?:<(?P<pri>\d{1,3})>)?(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"
    r"(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})) (?P<host>\S+) "
    r"(?P<app>[^\s:\[]+)(?:\[(?P<pid>[^\]]*)\])?: ?(?P<message>.*)",
    "[<PRI>]2025-01-24T07:00:30.123+01:00 host app[pid]: message",
    fields={"level": "pri", "service": "app"},
)
_OSLO_REQUEST = 'regexp_extract(g.message, \'"([A-Z]+ [^"]*)" status: \', 1)'
_OSLO = Layout(
    "oslo",
    "OpenStack oslo.log, 'time pid LEVEL logger [context] message': the request context names "
    "the project, and an API's lines give the request, status and time; a file-name prefix "
    "(as Loghub's copies have) names the service",
    r"(?:(?P<file>[\w.-]+\.log\S*) )?(?P<time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?) "
    rf"(?P<pid>\d+) (?P<level>{LEVELS}) (?P<logger>[\w.]+) (?:\[(?P<context>[^\]]*)\] ?)?"
    r"(?P<message>.*)",
    "2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-id user project "
    "- - -] message",
    columns=(
        *request_columns(_OSLO_REQUEST),
        (
            "status",
            "try_cast(NULLIF(regexp_extract(g.message, '\" status: (\\d{3})', 1), '') AS INTEGER)",
        ),
        # The API's request time, in seconds.
        (
            "latency_ms",
            "try_cast(NULLIF(regexp_extract(g.message, ' time: (\\d+(?:\\.\\d+)?)', 1), '') "
            "AS DOUBLE) * 1000",
        ),
        # The context: [global request id] request id, user, project ('-' when none).
        ("request_id", "NULLIF(regexp_extract(g.context, '^(?:\\S+ )?(req-\\S+)', 1), '')"),
        (
            "project",
            "NULLIF(NULLIF(regexp_extract(g.context, '^(?:\\S+ )?req-\\S+ \\S+ (\\S+)', 1), ''), "
            "'-')",
        ),
        ("service", "NULLIF(regexp_extract(g.file, '^([^.]+)', 1), '')"),
    ),
    hidden=("file",),
    fields={"endpoint": "path", "tenant": "project"},
)
_TIMESTAMPED = Layout(
    "timestamped",
    "any line starting with an ISO 8601 time (no level: errors cannot be told)",
    rf"\[?(?P<time>{ISO_TIME})\]?\s+(?P<message>.*)",
    "2025-01-24T07:00:30Z message",
)
_TEXT = Layout(
    "text",
    "plain text lines, each one record (inside a container envelope, which gives the time)",
    r"(?P<message>.*)",
    "any text",
    multiline=False,
    sniffed=False,
)

LAYOUTS: tuple[Layout, ...] = (
    _ACCESS,
    _HAPROXY,
    _RFC5424,
    _APACHE_ERROR,
    _NGINX_ERROR,
    _PYTHON,
    _PYTHON_BASIC,
    _ZAP,
    _LOG4J,
    _LOGBACK_TIME,
    _SPARK,
    _HADOOP,
    _GLOG,
    _LOGCAT,
    _SYSLOG,
    _SYSLOG_ISO,
    _OSLO,
    _TIMESTAMPED,
    _TEXT,
)
"""Text layouts, most specific first: content sniffing prefers the earlier of two that fit."""


def get_layout(name: str) -> Layout:
    """The layout called ``name``."""
    for layout in LAYOUTS:
        if layout.name == name:
            return layout
    raise KeyError(name)
