"""Readers of line-oriented text logs: logfmt and Apache/nginx access logs (common, combined).

DuckDB reads the files as one text column and splits each line with a regular expression, so
the files are never loaded into Python. A line the expression does not match is a malformed
record (a truncated access-log line, a logfmt line without any ``key=value``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence

import duckdb

from incident_nb.sources.logs.accounting import (
    QUOTE_READ,
    BadLine,
    RawInput,
    numbered_lines,
    open_text,
)
from incident_nb.sources.logs.readers import listing, quote, records_in, schema_of, timestamp_ok

# One text column per line: a delimiter no log line contains, and no quoting.
_LINES = (
    "SELECT line FROM read_csv({files}, columns={{'line': 'VARCHAR'}}, header=false, "
    "delim=E'\\x1e', quote='', escape='', auto_detect=false, strict_mode=false) "
    "WHERE trim(line) <> ''"
)


def _line_view(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str],
    view: str,
    select: str,
    bad_lines: Callable[[str], Iterator[BadLine]],
) -> RawInput:
    """The view ``select`` makes of the files' lines (``{lines}``), flagging ``_malformed``."""
    lines = _LINES.format(files=listing(files))
    con.execute(f"CREATE VIEW {view} AS {select.replace('{lines}', lines)}")
    schema = schema_of(con, view)
    schema.pop("_malformed")
    return RawInput(
        view=view,
        schema=schema,
        malformed="_malformed",
        records=lambda: records_in(files),
        bad_lines=bad_lines,
    )


# --- logfmt -------------------------------------------------------------------------------

LOGFMT_PAIR = r'(?:^|\s)([^\s="]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)'
_PAIR = re.compile(LOGFMT_PAIR)


def logfmt_pairs(line: str) -> dict[str, str]:
    """The ``key=value`` pairs of one logfmt line, values unquoted."""
    return {k: _unquote(v) for k, v in _PAIR.findall(line)}


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def _logfmt_value(key: str) -> str:
    """SQL for the unquoted value of ``key`` from the key list ``k`` and value list ``v``."""
    v = f"list_extract(v, list_position(k, '{quote(key)}'))"
    return (
        f"CASE WHEN {v} LIKE '\"%\"' THEN replace(replace({v}[2:-2], '\\\"', '\"'), "
        f"'\\\\', '\\') ELSE {v} END"
    )


def _logfmt_keys(files: Sequence[str], limit: int = 20000) -> list[str]:
    keys: dict[str, None] = {}
    for path in files:
        with open_text(path) as handle:
            for line in itertools.islice(handle, limit):
                keys.update(dict.fromkeys(k for k, _ in _PAIR.findall(line)))
    return list(keys)


def _logfmt_bad_lines(files: Sequence[str], ts_field: str) -> Iterator[BadLine]:
    for path, number, text in numbered_lines(files):
        pairs = logfmt_pairs(text)
        if not pairs:
            yield BadLine(path, number, "no key=value pair", text[:QUOTE_READ])
        elif not timestamp_ok(pairs.get(ts_field)):
            yield BadLine(path, number, f"no parsable timestamp in {ts_field!r}", text[:QUOTE_READ])


def read_logfmt(con: duckdb.DuckDBPyConnection, files: Sequence[str], view: str) -> RawInput:
    """Read logfmt lines (``ts=... level=error msg="..."``); every value read as text."""
    keys = _logfmt_keys(files)
    pattern = quote(LOGFMT_PAIR)
    columns = [f'{_logfmt_value(key)} AS "{key}"' for key in keys]
    select = (
        f"SELECT {', '.join([*columns, 'len(k) = 0 AS _malformed'])} "
        f"FROM (SELECT regexp_extract_all(line, '{pattern}', 1) AS k, "
        f"regexp_extract_all(line, '{pattern}', 2) AS v FROM ({{lines}}))"
    )
    return _line_view(con, files, view, select, lambda ts: _logfmt_bad_lines(files, ts))


# --- Apache / nginx access logs -----------------------------------------------------------

# common: host ident user [time] "request" status bytes; combined adds "referer" "agent";
# either may end with the request time (nginx $request_time in seconds with a decimal point,
# or Apache %D in whole microseconds).
ACCESS_LINE = (
    r'^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-)'
    r'(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?(?: (\d+(?:\.\d+)?))?\s*$'
)
_ACCESS = re.compile(ACCESS_LINE)
_GROUPS = ("client", "ident", "user", "time", "request", "status", "bytes", "referer", "agent")


def is_access_line(line: str) -> bool:
    """Whether ``line`` is an access-log line (common or combined)."""
    return _ACCESS.match(line.strip()) is not None


def _access_bad_lines(files: Sequence[str]) -> Iterator[BadLine]:
    reason = "not a common/combined access-log line (truncated?)"
    for path, number, text in numbered_lines(files):
        if not _ACCESS.match(text):
            yield BadLine(path, number, reason, text[:QUOTE_READ])


def read_access(con: duckdb.DuckDBPyConnection, files: Sequence[str], view: str) -> RawInput:
    """Apache/nginx access logs, common or combined, with an optional trailing request time.

    Columns: ``timestamp`` (with its offset), ``method``, ``path`` (the URL path without the
    query), ``status``, ``bytes``, ``latency_ms`` (from the request time, when logged),
    ``client``, ``user``, ``referer``, ``agent`` and ``request`` (the request line).
    """
    names = ", ".join(f"'{g}'" for g in (*_GROUPS, "rt"))
    pattern = quote(ACCESS_LINE)
    select = (
        "SELECT try_strptime(m.time, '%d/%b/%Y:%H:%M:%S %z') AS timestamp, "
        "NULLIF(regexp_extract(m.request, '^(\\S+)', 1), '') AS method, "
        "NULLIF(split_part(regexp_extract(m.request, '^\\S+\\s+(\\S+)', 1), '?', 1), '') AS path, "
        "try_cast(m.status AS INTEGER) AS status, try_cast(m.bytes AS BIGINT) AS bytes, "
        "CASE WHEN m.rt = '' THEN NULL WHEN contains(m.rt, '.') THEN m.rt::DOUBLE * 1000 "
        "ELSE m.rt::DOUBLE / 1000 END AS latency_ms, "
        "m.client AS client, NULLIF(m.user, '-') AS user, NULLIF(m.referer, '') AS referer, "
        "NULLIF(m.agent, '') AS agent, m.request AS request, m.time = '' AS _malformed "
        f"FROM (SELECT regexp_extract(line, '{pattern}', [{names}]) AS m FROM ({{lines}}))"
    )
    return _line_view(con, files, view, select, lambda _ts: _access_bad_lines(files))
