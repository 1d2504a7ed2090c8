"""Readers of the structured log formats (JSON lines, CSV/TSV, Parquet) into DuckDB views.

Each reader creates a view of the files as they are, one row per record and the source's own
column names, and says how to count and find the records it could not read. DuckDB reads the
files directly; no raw line is loaded into Python except to quote examples of bad ones.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import duckdb

from incident_nb.core.errors import EvidenceError
from incident_nb.core.models import parse_utc
from incident_nb.sources.logs.accounting import (
    QUOTE_READ,
    BadLine,
    RawInput,
    count_lines,
    numbered_lines,
    open_text,
)
from incident_nb.sources.logs.fields import (
    NAIVE_TIME_FORMATS,
    ZONED_TIME_FORMATS,
    timestamp_expr,
)
from incident_nb.sources.logs.remote import display


def quote(text: str) -> str:
    """``text`` as the inside of a single-quoted SQL string."""
    return text.replace("'", "''")


def listing(files: Sequence[str]) -> str:
    """A DuckDB list literal of file names."""
    return "[" + ", ".join(f"'{quote(str(f))}'" for f in files) + "]"


def schema_of(con: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    """Column -> DuckDB type of ``view`` (a view's name, or a query)."""
    return {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {view}").fetchall()}


def records_in(files: Sequence[str], headers: int = 0) -> int:
    """Non-blank lines of ``files``, less ``headers`` header lines per file."""
    return sum(count_lines(f) - headers for f in files)


def timestamp_ok(value: Any) -> bool:
    """Whether a field value can be read as a timestamp (ISO text or an epoch number)."""
    if isinstance(value, bool) or value in (None, ""):
        return False
    if isinstance(value, int | float):
        return True
    text = str(value).strip()
    try:
        float(text)
    except ValueError:
        pass
    else:
        return True
    try:
        parse_utc(text.replace(" ", "T", 1))
    except ValueError:
        pass
    else:
        return True
    for _, layout in (*NAIVE_TIME_FORMATS, *ZONED_TIME_FORMATS):
        try:
            datetime.strptime(text, layout)
        except ValueError:
            continue
        return True
    return False


# --- JSON lines ---------------------------------------------------------------------------

_JSON_OPTIONS = "format='newline_delimited', ignore_errors=true, maximum_object_size=16777216"


def _json_bad_lines(files: Sequence[str], ts_field: str) -> Iterator[BadLine]:
    for path, number, text in numbered_lines(files):
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield BadLine(path, number, f"invalid JSON: {exc.msg}", text[:QUOTE_READ])
            continue
        if not isinstance(obj, dict):
            yield BadLine(path, number, "not a JSON object", text[:QUOTE_READ])
        elif not timestamp_ok(obj.get(ts_field)):
            yield BadLine(path, number, f"no parsable timestamp in {ts_field!r}", text[:QUOTE_READ])


def _json_keys(files: Sequence[str], limit: int = 20000) -> list[str]:
    """Keys of the JSON objects among the first lines of each file, in first-seen order."""
    keys: dict[str, None] = {}
    for path in files:
        with open_text(path) as handle:
            for raw in itertools.islice(handle, limit):
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError:
                    continue
                if isinstance(obj, dict):
                    keys.update(dict.fromkeys(obj))
    return list(keys)


def read_jsonl(con: duckdb.DuckDBPyConnection, files: Sequence[str], view: str) -> RawInput:
    """JSON lines, plain or gzip: one object per line, nested objects kept as structs."""
    names = listing(files)
    # Sampled once (each bind of a sampling read_json samples again: a remote file's head
    # would cross the network twice), then the view binds the detected columns.
    schema = schema_of(
        con,
        f"SELECT * FROM read_json({names}, {_JSON_OPTIONS}, union_by_name=true, sample_size=20000)",
    )
    if list(schema) != ["json"]:
        columns = ", ".join(f"'{quote(k)}': '{quote(t)}'" for k, t in schema.items())
        con.execute(
            f"CREATE VIEW {view} AS SELECT * FROM read_json({names}, "
            f"{_JSON_OPTIONS}, columns={{{columns}}})"
        )
    else:
        # Some sampled lines are not JSON objects, so DuckDB fell back to one raw column:
        # name the columns from the objects that are there, and read them as text.
        schema = dict.fromkeys(_json_keys(files), "VARCHAR")
        if not schema:
            first = next(_json_bad_lines(files, "ts"), None)
            where = f"; line {first.line}: {first.reason}" if first else ""
            raise EvidenceError(
                f"no usable log lines in {', '.join(map(display, files))}: no line is a JSON "
                f"object{where}; check the file is JSON lines (one object per line), or name "
                "its format with --format"
            )
        columns = ", ".join(f"'{quote(k)}': 'VARCHAR'" for k in schema)
        con.execute(
            f"CREATE VIEW {view} AS SELECT * FROM read_json({names}, "
            f"{_JSON_OPTIONS}, columns={{{columns}}})"
        )
    # DuckDB turns a line it cannot parse into a row of NULLs.
    malformed = "(" + " AND ".join(f'"{c}" IS NULL' for c in schema) + ")"
    return RawInput(
        view=view,
        schema=schema,
        malformed=malformed,
        records=lambda: sum(count_lines(f, blank_lines=False) for f in files),
        bad_lines=lambda ts: _json_bad_lines(files, ts),
        exact_records=lambda: records_in(files),
    )


# --- CSV and TSV --------------------------------------------------------------------------


def _csv_bad_lines(files: Sequence[str], delim: str, ts_field: str) -> Iterator[BadLine]:
    for path in files:
        shown = display(path)
        with open_text(path) as handle:
            rows = csv.reader(handle, delimiter=delim)
            header = next(rows, [])
            ts_at = header.index(ts_field) if ts_field in header else -1
            for row in rows:
                number = rows.line_num
                if not row:
                    continue
                text = delim.join(row)[:QUOTE_READ]
                if len(row) != len(header):
                    reason = f"{len(row)} fields where the header has {len(header)}"
                    yield BadLine(shown, number, reason, text)
                elif ts_at >= 0 and not timestamp_ok(row[ts_at]):
                    yield BadLine(shown, number, f"no parsable timestamp in {ts_field!r}", text)


def read_delimited(
    con: duckdb.DuckDBPyConnection, files: Sequence[str], view: str, delim: str
) -> RawInput:
    """CSV or TSV with a header line; every value read as text, converted by field."""
    sep = "\\t" if delim == "\t" else delim
    con.execute(
        f"CREATE VIEW {view} AS SELECT * FROM read_csv({listing(files)}, header=true, "
        f"delim=E'{sep}', quote='\"', escape='\"', all_varchar=true, ignore_errors=true, "
        "union_by_name=true)"
    )
    # Rows with the wrong number of fields are skipped by DuckDB and counted from the total.
    return RawInput(
        view=view,
        schema=schema_of(con, view),
        malformed="false",
        records=lambda: records_in(files, headers=1),
        bad_lines=lambda ts: _csv_bad_lines(files, delim, ts),
    )


def read_csv(con: duckdb.DuckDBPyConnection, files: Sequence[str], view: str) -> RawInput:
    """Comma-separated values with a header line."""
    return read_delimited(con, files, view, ",")


def read_tsv(con: duckdb.DuckDBPyConnection, files: Sequence[str], view: str) -> RawInput:
    """Tab-separated values with a header line."""
    return read_delimited(con, files, view, "\t")


# --- Parquet ------------------------------------------------------------------------------


def read_parquet(con: duckdb.DuckDBPyConnection, files: Sequence[str], view: str) -> RawInput:
    """Parquet files (typed columns; every row is a record)."""
    names = listing(files)
    con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet({names}, union_by_name=true)")

    def bad_rows(ts_field: str) -> Iterator[BadLine]:
        # Parquet has no lines: the "line" of an example is its row number in its file.
        expr = timestamp_expr(ts_field, schema_of(con, view)[ts_field])
        rows = con.execute(
            f'SELECT filename, file_row_number + 1, CAST("{ts_field}" AS VARCHAR) FROM '
            f"read_parquet({names}, union_by_name=true, filename=true, file_row_number=true) "
            f"WHERE {expr} IS NULL ORDER BY 1, 2 LIMIT 5"
        ).fetchall()
        for name, number, value in rows:
            yield BadLine(
                display(str(name)),
                int(number),
                f"no parsable timestamp in {ts_field!r}",
                str(value),
            )

    return RawInput(
        view=view,
        schema=schema_of(con, view),
        malformed="false",
        records=lambda: int(
            (con.cursor().execute(f"SELECT count(*) FROM {view}").fetchone() or (0,))[0]
        ),
        bad_lines=bad_rows,
    )
