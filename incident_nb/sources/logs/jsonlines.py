"""Reader of JSON lines into a DuckDB view whose columns are every field's dotted path.

Plain files go first to DuckDB's typed reader (:mod:`.jsonfast`); this module reads the lines
as text, so that no line, however long or broken, stops the others: when that reader gives up,
for JSON inside a container envelope, and to find examples. Each line is parsed with one JSON
structure sampled from the first valid objects: every value is kept as text, nested objects as
their fields, so ``{"http": {"response": {"status_code": 500}}}`` gives the column
``http.response.status_code``, as the flat key ``"http.response.status_code"`` would. A line
that is not a JSON object (a comment, a truncated line) is one malformed record.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import duckdb

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs.accounting import RawInput, ReadOptions, line_input
from incident_nb.sources.logs.envelopes import get_envelope, relation
from incident_nb.sources.logs.jsonfast import read_fast
from incident_nb.sources.logs.lines import head_lines, literal, quote
from incident_nb.sources.logs.remote import display

SAMPLE = 20_000
"""Lines sampled for the JSON structure."""
MAX_FIELDS = 2_000
"""Fields kept (in first-seen order); deeper or later ones stay inside their parent's text."""
MAX_DEPTH = 8


def text_leaves(structure: Any) -> Any:
    """The sampled structure with every leaf (and array) read as text, keys unique in any case."""
    if not isinstance(structure, dict):
        return "VARCHAR"
    out: dict[str, Any] = {}
    seen: set[str] = set()
    for key, value in structure.items():
        if key.lower() not in seen and key:
            seen.add(key.lower())
            out[key] = text_leaves(value)
    return out or "VARCHAR"


def flatten(structure: Any, base: str = "j") -> dict[str, tuple[list[str], Any]]:
    """Dotted path -> (SQL of each value at that path, the sub-structure) for every field.

    A flat key with dots and the same nested path are one field: both SQL are listed, the
    first that has a value wins. Paths match in any case (the first spelling seen names it).
    """
    paths: dict[str, tuple[list[str], Any]] = {}
    spelled: dict[str, str] = {}

    def walk(node: Any, prefix: str, sql: str, depth: int) -> None:
        if not isinstance(node, dict) or depth > MAX_DEPTH:
            return
        for key, child in node.items():
            path = f"{prefix}.{key}" if prefix else key
            expr = f"{sql}[{literal(key)}]"
            name = spelled.get(path.lower())
            if name is not None:
                paths[name][0].append(expr)
            elif len(paths) < MAX_FIELDS:
                spelled[path.lower()] = path
                paths[path] = ([expr], child)
            walk(child, path, expr, depth + 1)

    walk(structure, "", base, 0)
    return paths


def _structure(con: duckdb.DuckDBPyConnection, relation: str, files: Sequence[str]) -> Any:
    row = con.execute(
        f"SELECT json_group_structure(json(line)) FROM (SELECT line FROM ({relation}) "
        f"WHERE starts_with(ltrim(line), '{{') AND json_valid(line) LIMIT {SAMPLE})"
    ).fetchone()
    if row is None or row[0] is None:
        raise EvidenceError(
            f"no usable log lines in {', '.join(map(display, files))}: no line is a JSON "
            "object; check the file is JSON lines (one object per line), or name its format "
            "with --format"
        )
    return text_leaves(json.loads(str(row[0])))


def json_select(
    relation: str, structure: Any, extra: Sequence[str] = ()
) -> tuple[str, dict[str, str]]:
    """SQL of the JSON fields of ``relation``'s lines as columns, and its schema.

    Every field with a value of its own (not an object) is a column. ``extra`` columns of the
    relation (an envelope's) are kept as they are. Besides: ``_malformed``, ``_src``,
    ``_line``, ``_text`` and ``_lines``.
    """
    taken = {c.lower() for c in extra}
    columns = {
        path: sqls[0] if len(sqls) == 1 else f"COALESCE({', '.join(sqls)})"
        for path, (sqls, child) in flatten(structure).items()
        if not isinstance(child, dict) and path.lower() not in taken
    }
    exprs = [f'{sql} AS "{path.replace(chr(34), chr(34) * 2)}"' for path, sql in columns.items()]
    struct = quote(json.dumps(structure))
    keep = "".join(f', "{c}"' for c in extra)
    sql = (
        f"SELECT {', '.join([*exprs, 'j IS NULL AS _malformed'])}{keep}, src AS _src, "
        "line_no AS _line, COALESCE(line, _raw) AS _text, _lines FROM "
        f"(SELECT *, CASE WHEN starts_with(ltrim(line), '{{') THEN "
        f"try(json_transform(line, '{struct}')) END AS j FROM ({relation}))"
    )
    schema = dict.fromkeys(columns, "VARCHAR") | dict.fromkeys(extra, "VARCHAR")
    return sql, schema


def malformed_reason(text: str) -> str:
    """Why a line of a JSON-lines file is not a record (for its example)."""
    stripped = text.lstrip()
    if stripped.startswith(("#", "//")):
        return "a comment line, not a JSON object"
    if not stripped.startswith("{"):
        return "not a JSON object"
    return "invalid JSON"


def read_json_lines(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str],
    view: str,
    options: ReadOptions | None = None,
) -> RawInput:
    """JSON lines, plain or gzip, or inside a container envelope, read line by line."""
    options = options or ReadOptions()
    envelope = get_envelope(options.envelope) if options.envelope else None
    parallel = relation(files, envelope, False, options.only, options.besides)
    numbered = relation(files, envelope, True, options.only, options.besides)
    extra = tuple(name for name, _ in envelope.columns) if envelope else ()
    structure = _structure(con, parallel, files)
    select, schema = json_select(parallel, structure, extra)
    located, _ = json_select(numbered, structure, extra)
    con.execute(f"CREATE VIEW {view} AS {select}")
    return line_input(
        view,
        schema,
        files,
        located,
        malformed_reason=malformed_reason,
        hints=dict(envelope.fields) if envelope else {},
        time_fallback=envelope.time if envelope else "",
    )


def _is_array(location: str) -> bool:
    """Whether ``location`` holds one JSON array of objects rather than JSON lines."""
    head = " ".join(head_lines(location, count=2))
    return head.startswith("[") and head[1:].lstrip().startswith("{")


def read_jsonl(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str],
    view: str,
    options: ReadOptions | None = None,
) -> RawInput:
    """JSON lines (the reader of the format table): plain, gzip, or inside ``options.envelope``.

    Plain files are read by DuckDB's typed JSON reader (:mod:`.jsonfast`) when it can, line by
    line otherwise, or when it fails midway (the loader then takes the ``fallback``).
    """
    if options is not None and options.envelope:
        return read_json_lines(con, files, view, options)

    def by_lines() -> RawInput:
        con.execute(f"DROP VIEW IF EXISTS {view}")
        return read_json_lines(con, files, view)

    if all(_is_array(f) for f in files):
        array = read_fast(con, files, view, malformed_reason, array=True)
        if array is not None:
            return array
    fast = read_fast(con, files, view, malformed_reason)
    return by_lines() if fast is None else replace(fast, fallback=by_lines)
