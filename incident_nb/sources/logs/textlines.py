"""Readers of line-oriented text logs: every layout of :mod:`.layouts`, and logfmt.

DuckDB reads the files as lines (:mod:`.lines`), unwraps a container envelope if there is one,
and splits each line with the layout's regular expression, so the files are never loaded into
Python. In a multi-line layout, a line that starts no record (a stack trace, a continuation)
belongs to the record above it (:mod:`.records`): its text is added to that record's message,
and it is neither a record nor malformed; a line before any record, or one that fits no record
of a single-line layout (a truncated access-log line), is malformed. Times without a year or a
date are completed from ``--year`` or the file's modification time, and a warning says which.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs import remote
from incident_nb.sources.logs.accounting import RawInput, ReadOptions, line_input
from incident_nb.sources.logs.envelopes import Envelope, get_envelope, relation
from incident_nb.sources.logs.jsonlines import SAMPLE, flatten, text_leaves
from incident_nb.sources.logs.layouts import Layout, get_layout
from incident_nb.sources.logs.lines import head_lines, literal, quote
from incident_nb.sources.logs.records import file_pieces, sorted_records, streamed_records

LOGFMT_PAIR = r'(?:^|\s)([^\s="]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)'
_PAIR = re.compile(LOGFMT_PAIR)
_LAYOUT_COLUMNS = ("time", "level", "message", "caller", "fields", "rest")
"""Columns of a layout that a field inside its JSON ``fields`` never replaces."""
_LATE = timedelta(days=1)
"""How far after its file's modification a year-less time may be before it is last year's."""


def logfmt_pairs(line: str) -> dict[str, str]:
    """The ``key=value`` pairs of one logfmt line, values unquoted."""
    return {k: _unquote(v) for k, v in _PAIR.findall(line)}


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def _relations(files: Sequence[str], options: ReadOptions, ordered: bool) -> tuple[str, str]:
    """(the lines to parse, the same numbered in order), unwrapped from any envelope."""
    envelope = _envelope(options)
    numbered = relation(files, envelope, True, options.only, options.besides)
    parallel = relation(files, envelope, False, options.only, options.besides)
    return (numbered if ordered else parallel), numbered


def _envelope(options: ReadOptions) -> Envelope | None:
    return get_envelope(options.envelope) if options.envelope else None


def _raw_input(  # noqa: PLR0917 - one call site per reader, all arguments named there
    view: str,
    schema: dict[str, str],
    files: Sequence[str],
    located: str,
    reason: str,
    options: ReadOptions,
    hints: dict[str, str] | None = None,
    warnings: tuple[str, ...] = (),
    prefer_fallback: bool = False,
    layout_fields: bool = False,
    multiline: bool = False,
) -> RawInput:
    envelope = _envelope(options)
    return line_input(
        view,
        schema,
        files,
        located,
        malformed_reason=lambda _text: reason,
        hints={**(envelope.fields if envelope else {}), **(hints or {})},
        time_fallback=envelope.time if envelope else "",
        prefer_fallback=prefer_fallback,
        warnings=warnings,
        layout_fields=layout_fields,
        # Without continuations or an envelope, each non-blank line DuckDB read is one row.
        counts_lines=multiline or envelope is not None,
    )


# --- logfmt -------------------------------------------------------------------------------


def _logfmt_value(key: str) -> str:
    """SQL for the unquoted value of ``key`` from the key list ``k`` and value list ``v``."""
    v = f"list_extract(v, list_position(k, {literal(key)}))"
    return (
        f"CASE WHEN {v} LIKE '\"%\"' THEN replace(replace({v}[2:-2], '\\\"', '\"'), "
        f"'\\\\', '\\') ELSE {v} END"
    )


def read_logfmt(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str],
    view: str,
    options: ReadOptions | None = None,
) -> RawInput:
    """Read logfmt lines (``ts=... level=error msg="..."``); every value read as text."""
    options = options or ReadOptions()
    parse, located = _relations(files, options, ordered=False)
    pattern = quote(LOGFMT_PAIR)
    rows = con.execute(
        f"SELECT DISTINCT k FROM (SELECT unnest(regexp_extract_all(line, '{pattern}', 1)) AS k "
        f"FROM (SELECT line FROM ({parse}) LIMIT 20000)) ORDER BY k"
    ).fetchall()
    keys: dict[str, None] = {}
    for (key,) in rows:
        if str(key).lower() not in {k.lower() for k in keys}:
            keys[str(key)] = None
    envelope = _envelope(options)
    extra = [name for name, _ in envelope.columns] if envelope else []

    def select(relation: str) -> str:
        columns = [f'{_logfmt_value(key)} AS "{key}"' for key in keys if key not in extra]
        keep = "".join(f', "{c}"' for c in extra)
        return (
            f"SELECT {', '.join([*columns, 'len(k) = 0 AS _malformed'])}{keep}, src AS _src, "
            "line_no AS _line, COALESCE(line, _raw) AS _text, _lines "
            f"FROM (SELECT *, regexp_extract_all(line, '{pattern}', 1) AS k, "
            f"regexp_extract_all(line, '{pattern}', 2) AS v FROM ({relation}))"
        )

    con.execute(f"CREATE VIEW {view} AS {select(parse)}")
    schema = dict.fromkeys([k for k in keys if k not in extra], "VARCHAR")
    schema |= dict.fromkeys(extra, "VARCHAR")
    return _raw_input(view, schema, files, select(located), "no key=value pair", options)


# --- the layouts --------------------------------------------------------------------------


def _mtime(location: str, tz: str) -> datetime:
    """When ``location`` was last written, as a wall time in ``tz`` (now for a remote file)."""
    zone = ZoneInfo(tz)
    if remote.is_remote(location):
        return datetime.now(zone).replace(tzinfo=None)
    return datetime.fromtimestamp(Path(location).stat().st_mtime, zone).replace(tzinfo=None)


def _first_month(layout: Layout, location: str) -> int:
    """The month of the first record of ``location`` (1 when none can be read)."""
    regex = layout.regex()
    for line in head_lines(location, count=200):
        found = regex.match(line)
        if found is None or not found.group("time"):
            continue
        for fmt in layout.python_formats:
            try:
                return datetime.strptime(f"2000 {found.group('time')}", f"%Y {fmt}").month
            except ValueError:
                continue
    return 1


def _header_year(layout: Layout, location: str) -> tuple[int, int] | None:
    """(year, month) from the header line of ``location`` that tells them, if it has one."""
    if not layout.year_header:
        return None
    pattern = re.compile(layout.year_header)
    for line in head_lines(location, count=8):
        if found := pattern.search(line):
            return int(found.group("year")), int(found.group("month"))
    return None


def _sql_time(moment: datetime) -> str:
    return f"TIMESTAMP '{moment.isoformat(sep=' ')}'"


def _with_year(layout: Layout, year: str) -> str:
    """SQL: the ``time`` group read with ``year`` (SQL) put before it."""
    fmt = layout.time_formats[0].removeprefix("%Y")
    sep = "" if fmt.startswith("%") else fmt[0]
    return (
        f"try_strptime(CAST({year} AS VARCHAR) || '{sep}' || g.time, "
        f"[{', '.join(repr(f) for f in layout.time_formats)}])"
    )


def _partial_time(
    layout: Layout, files: Sequence[str], options: ReadOptions
) -> tuple[str, tuple[str, ...]]:
    """SQL of a year- or date-less ``time`` completed per file, and the warning saying how."""
    shown = ", ".join(
        f"{remote.display(f)}: {_mtime(f, options.tz):%Y-%m-%d %H:%M}" for f in files[:3]
    )
    if layout.partial == "date":
        cases = []
        for index, file in enumerate(files):
            ref = _mtime(file, options.tz)
            moment = (
                f"try_strptime('{ref:%Y-%m-%d} ' || replace(g.time, ',', '.'), "
                "'%Y-%m-%d %H:%M:%S.%g')"
            )
            late = f"{moment} > {_sql_time(ref + timedelta(minutes=5))}"
            cases.append(
                f"WHEN {index} THEN CASE WHEN {late} THEN {moment} - INTERVAL 1 DAY "
                f"ELSE {moment} END"
            )
        warning = (
            f"{layout.name} times carry no date: each record is taken to be of the day its "
            f"file was last modified ({shown}), or the day before when its time of day is later"
        )
        return f"CASE src {' '.join(cases)} END", (warning,)
    if options.year is not None:
        first = _first_month(layout, files[0])
        year = options.year
        this, turned = _with_year(layout, str(year)), _with_year(layout, str(year + 1))
        sql = f"CASE WHEN month({this}) < {first} THEN {turned} ELSE {this} END"
        warning = (
            f"{layout.name} times carry no year: read as {year} (--year), and as {year + 1} "
            "after a turn of the year"
        )
        return sql, (warning,)
    cases = []
    headed = []
    for index, file in enumerate(files):
        if (header := _header_year(layout, file)) is not None:
            year, first = header
            this, turned = _with_year(layout, str(year)), _with_year(layout, str(year + 1))
            cases.append(
                f"WHEN {index} THEN CASE WHEN month({this}) < {first} THEN {turned} ELSE {this} END"
            )
            headed.append(f"{remote.display(file)}: {year}")
            continue
        ref = _mtime(file, options.tz)
        this, last = _with_year(layout, str(ref.year)), _with_year(layout, str(ref.year - 1))
        late = f"{this} > {_sql_time(ref + _LATE)}"
        cases.append(f"WHEN {index} THEN CASE WHEN {late} THEN {last} ELSE {this} END")
    if len(headed) == len(files):
        warning = (
            f"{layout.name} times carry no year: read in the year their file's header line "
            f"gives ({', '.join(headed[:3])})"
        )
        return f"CASE src {' '.join(cases)} END", (warning,)
    warning = (
        f"{layout.name} times carry no year: each is taken from its file's modification time "
        f"({shown}; a record dated later is of the year before); name the year with --year "
        "if that is wrong"
    )
    return f"CASE src {' '.join(cases)} END", (warning,)


def _time_sql(
    layout: Layout, files: Sequence[str], options: ReadOptions
) -> tuple[str, tuple[str, ...]]:
    if "time" not in layout.groups:
        return "NULL::VARCHAR", ()
    if layout.partial:
        return _partial_time(layout, files, options)
    if not layout.time_formats:
        return "NULLIF(g.time, '')", ()
    formats = ", ".join(repr(f) for f in layout.time_formats)
    return f"try_strptime(g.time, [{formats}])", ()


def layout_select(  # noqa: PLR0917 - each argument named at its call sites
    layout: Layout,
    relation: str,
    time_sql: str,
    extra: Sequence[str] = (),
    streams: Sequence[str] = (),
    pieces: Sequence[str] = (),
) -> str:
    """SQL splitting the lines of ``relation`` into records of ``layout`` (see the module).

    A multi-line layout over plain files reads each file's ``pieces`` (:func:`file_pieces`) in
    order instead, holding only the continuation lines (:mod:`.records`).
    """
    groups = layout.groups
    names = ", ".join(f"'{n}'" for n in ("_m", *groups))
    pattern = quote(f"^(?P<_m>(?:{layout.pattern}))$")
    extract = f"regexp_extract(line, '{pattern}', [{names}])"
    keep = "".join(f', "{c}"' for c in extra)
    matched = f"SELECT src, line_no, line, _raw, _lines{keep}, {extract} AS g FROM ({relation})"
    if layout.multiline and pieces and not extra:
        records = streamed_records(pieces, f"^(?:{layout.pattern})$", extract)
    elif layout.multiline:
        records = sorted_records(matched, extra, streams)
    else:
        records = f"SELECT *, NULL::VARCHAR AS _cont FROM ({matched})"
    derived = dict(layout.columns)
    columns = {g: f"NULLIF(g.{g}, '')" for g in groups if g not in layout.hidden and g != "time"}
    columns.update(derived)
    message = columns.get("message")
    if message is not None:
        columns["message"] = (
            f"CASE WHEN _cont IS NULL THEN {message} ELSE concat_ws(chr(10), {message}, _cont) END"
        )
    exprs = [f'{sql} AS "{name}"' for name, sql in columns.items() if name not in extra]
    return (
        f"SELECT {time_sql} AS time, {', '.join(exprs)}, g._m = '' AS _malformed{keep}, "
        f"src AS _src, line_no AS _line, COALESCE(line, _raw) AS _text, _lines FROM ({records})"
    )


def _json_fields(con: duckdb.DuckDBPyConnection, select: str) -> str:
    """SQL of the fields of a layout's JSON ``fields`` column (zap's console), or ``""``."""
    row = con.execute(
        f"SELECT json_group_structure(json(fields)) FROM (SELECT fields FROM ({select}) "
        f"WHERE json_valid(fields) LIMIT {SAMPLE})"
    ).fetchone()
    if row is None or row[0] is None:
        return ""
    structure = text_leaves(json.loads(str(row[0])))
    if not isinstance(structure, dict):
        return ""
    named = {c.lower() for c in _LAYOUT_COLUMNS}
    columns = [
        f'{sqls[0].replace("j[", "_jf[", 1)} AS "{path}"'
        for path, (sqls, child) in flatten(structure).items()
        if not isinstance(child, dict) and path.lower() not in named and '"' not in path
    ]
    if not columns:
        return ""
    struct = quote(json.dumps(structure))
    return f"{', '.join(columns)}|try(json_transform(fields, '{struct}'))"


def _with_fields(select: str, fields: str) -> str:
    """``select`` with the JSON fields of :func:`_json_fields` as columns of their own."""
    if not fields:
        return select
    columns, transform = fields.split("|", 1)
    return f"SELECT * EXCLUDE (_jf), {columns} FROM (SELECT *, {transform} AS _jf FROM ({select}))"


def read_layout(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str],
    view: str,
    options: ReadOptions,
) -> RawInput:
    """Text lines of the layout ``options.layout``, plain or gzip, or inside an envelope."""
    layout = get_layout(options.layout)
    if layout.timeless:
        raise EvidenceError(f"{', '.join(map(remote.display, files))}: {layout.timeless}")
    envelope = _envelope(options)
    extra = [name for name, _ in envelope.columns] if envelope else []
    streams = list(envelope.stream) if envelope else []
    parse, located = _relations(files, options, ordered=layout.multiline)
    pieces = file_pieces(files) if layout.multiline and envelope is None else []
    time_sql, warnings = _time_sql(layout, files, options)
    select = layout_select(layout, parse, time_sql, extra, streams, pieces)
    fields = _json_fields(con, select) if "fields" in dict(layout.columns) else ""
    con.execute(f"CREATE VIEW {view} AS {_with_fields(select, fields)}")
    schema = {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {view}").fetchall()}
    for name in ("_malformed", "_src", "_line", "_text", "_lines"):
        schema.pop(name, None)
    if "time" not in layout.groups:
        schema.pop("time", None)
    prefer = bool(envelope and envelope.time and layout.partial)
    return _raw_input(
        view,
        schema,
        files,
        _with_fields(layout_select(layout, located, time_sql, extra, streams, pieces), fields),
        (
            f"not the start of a {layout.name} record, with no record above it to continue: "
            f"expected {layout.expect}"
            if layout.multiline
            else f"not a whole {layout.name} line (truncated?): expected {layout.expect}"
        ),
        options,
        hints=dict(layout.fields),
        warnings=() if prefer else warnings,
        prefer_fallback=prefer,
        layout_fields=True,
        multiline=layout.multiline,
    )
