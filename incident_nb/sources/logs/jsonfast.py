"""The fast reading of plain JSON-lines files: DuckDB's own typed JSON reader, fields flattened.

DuckDB samples the files' schema once and reads them in parallel with typed columns (a native
timestamp, integer statuses), which is what makes millions of lines a few seconds. Nested
objects become their leaves' dotted paths (``http.response.status_code``), as in
:mod:`.jsonlines`, whose line-by-line reading takes over when DuckDB's reader cannot go on (a
line over its object size limit) and which finds the examples of bad lines, with the same types.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import duckdb

from incident_nb.sources.logs.accounting import RawInput, count_lines
from incident_nb.sources.logs.lines import lines_sql, listing, literal, quote

OPTIONS = "format='newline_delimited', ignore_errors=true, maximum_object_size=16777216"
SAMPLE = 20_000
MAX_FIELDS = 2_000


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Leaves:
    """Dotted path -> (SQL of each value there, DuckDB type, key chain), first spelling wins."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[list[str], str, tuple[str, ...]]] = {}
        self._spelled: dict[str, str] = {}

    def add(self, path: str, sql: str, sql_type: str, chain: tuple[str, ...]) -> None:
        name = self._spelled.get(path.lower())
        if name is not None:
            sqls, known, first = self.found[name]
            sqls.append(sql)
            self.found[name] = (sqls, known if known == sql_type else "VARCHAR", first)
        elif len(self.found) < MAX_FIELDS:
            self._spelled[path.lower()] = path
            self.found[path] = ([sql], sql_type, chain)

    def columns(self) -> dict[str, tuple[str, str, tuple[str, ...]]]:
        """Path -> (SQL, type, key chain); several values at one path, the first non-null."""
        out = {}
        for path, (sqls, sql_type, chain) in self.found.items():
            if len(sqls) > 1:
                cast = [f"CAST({s} AS {sql_type})" for s in sqls]
                out[path] = (f"COALESCE({', '.join(cast)})", sql_type, chain)
            else:
                out[path] = (sqls[0], sql_type, chain)
        return out


def _walk(
    leaves: _Leaves,
    sample: Callable[[str], list[Any]],
    sql: str,
    sql_type: Any,
    chain: tuple[str, ...],
) -> None:
    path = ".".join(chain)
    kind = sql_type.id
    if kind == "struct" and sql_type.children:
        for key, child in sql_type.children:
            _walk(leaves, sample, f"{sql}[{literal(key)}]", child, (*chain, key))
    elif kind == "map":
        value_type = str(sql_type.children[1][1])
        keys = sample(f"SELECT DISTINCT unnest(map_keys({sql})) FROM ({{rows}}) LIMIT {SAMPLE}")
        for (key,) in keys:
            leaves.add(f"{path}.{key}", f"{sql}[{literal(key)}]", value_type, (*chain, key))
    elif str(sql_type) == "JSON":
        # Objects in some lines and text in others: the text, and the fields the objects have.
        leaves.add(path, f"json_extract_string({sql}, '$')", "VARCHAR", chain)
        rows = sample(f"SELECT json_group_structure({sql}) FROM ({{rows}})")
        structure = json.loads(str(rows[0][0])) if rows and rows[0][0] else None
        _walk_json(leaves, sql, structure, chain, ())
    else:
        leaves.add(path, sql, str(sql_type), chain)


def _walk_json(
    leaves: _Leaves, sql: str, node: Any, chain: tuple[str, ...], inner: tuple[str, ...]
) -> None:
    if not isinstance(node, dict) or len(inner) > 8:
        return
    for key, child in node.items():
        keys = (*inner, key)
        where = json_path(keys)
        if where is None:
            continue
        if isinstance(child, dict):
            _walk_json(leaves, sql, child, chain, keys)
        else:
            expr = f"json_extract_string({sql}, {literal(where)})"
            leaves.add(".".join((*chain, *keys)), expr, "VARCHAR", (*chain, *keys))


def json_path(chain: Sequence[str]) -> str | None:
    """The JSON path of a key chain, or None when a key cannot be written in one."""
    if any(not key or '"' in key or "\\" in key for key in chain):
        return None
    return "$" + "".join(f'."{key}"' for key in chain)


def located_select(
    files: Sequence[str], columns: dict[str, tuple[str, str, tuple[str, ...]]]
) -> str:
    """The fields read line by line in file order (for examples), with the same types."""
    exprs = []
    for path, (_, sql_type, chain) in columns.items():
        found = json_path(chain)
        if found is None:
            exprs.append(f"NULL::{sql_type} AS {_ident(path)}")
            continue
        where = quote(found)
        value = f"json_extract_string(line, '{where}')"
        exprs.append(f"CASE WHEN ok THEN try_cast({value} AS {sql_type}) END AS {_ident(path)}")
    return (
        f"SELECT {', '.join([*exprs, 'NOT ok AS _malformed'])}, src AS _src, line_no AS _line, "
        "line AS _text, 1 AS _lines FROM (SELECT *, starts_with(ltrim(line), '{') AND "
        f"json_valid(line) AS ok FROM ({lines_sql(files)}))"
    )


def read_fast(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str],
    view: str,
    malformed_reason: Callable[[str], str],
    array: bool = False,
) -> RawInput | None:
    """The typed view of plain JSON-lines ``files``, or None when DuckDB cannot read them so.

    ``array`` for files holding one JSON array of records (an export) rather than lines: each
    element is a record, and there are no lines to point at.
    """
    names = listing(files)
    options = OPTIONS.replace("'newline_delimited'", "'array'") if array else OPTIONS
    try:
        sampled = con.sql(
            f"SELECT * FROM read_json({names}, {options}, union_by_name=true, sample_size={SAMPLE})"
        )
        top = list(zip(sampled.columns, sampled.types, strict=True))
    except duckdb.Error:
        return None
    if [name for name, _ in top] == ["json"]:
        return None  # DuckDB found no objects to type: the line reader says which lines
    declared = ", ".join(f"{literal(n)}: {literal(t)}" for n, t in top)
    source = f"read_json({names}, {options}, columns={{{declared}}})"

    def sample(sql: str) -> list[Any]:
        return con.execute(
            sql.replace("{rows}", f"SELECT * FROM {source} LIMIT {SAMPLE}")
        ).fetchall()

    leaves = _Leaves()
    try:
        for name, sql_type in top:
            _walk(leaves, sample, _ident(name), sql_type, (name,))
    except duckdb.Error:
        return None
    columns = leaves.columns()
    exprs = [f"{sql} AS {_ident(path)}" for path, (sql, _, _) in columns.items()]
    empty = " AND ".join(f"{_ident(name)} IS NULL" for name, _ in top)
    con.execute(
        f"CREATE VIEW {view} AS SELECT {', '.join(exprs)}, ({empty}) AS _malformed FROM {source}"
    )
    if array:
        return RawInput(
            view=view,
            schema={path: sql_type for path, (_, sql_type, _) in columns.items()},
            malformed="_malformed",
            records=lambda: -1,
            records_are_rows=True,
            files=tuple(files),
        )
    return RawInput(
        view=view,
        schema={path: sql_type for path, (_, sql_type, _) in columns.items()},
        malformed="_malformed",
        records=lambda: sum(count_lines(f, blank_lines=False) for f in files),
        exact_records=lambda: sum(count_lines(f) for f in files),
        located=located_select(files, columns),
        files=tuple(files),
        malformed_reason=malformed_reason,
        counts_lines=False,
    )
