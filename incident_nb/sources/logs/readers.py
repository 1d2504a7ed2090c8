"""Readers of the tabular log formats (CSV/TSV with a header, Parquet) into DuckDB views.

Each reader creates a view of the files as they are, one row per record and the source's own
column names, and says how to count and find the records it could not read. DuckDB reads the
files directly; no raw line is loaded into Python except to quote examples of bad ones. JSON
lines are read by :mod:`.jsonlines`, text layouts and logfmt by :mod:`.textlines`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence

import duckdb

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs.accounting import (
    QUOTE_READ,
    BadLine,
    RawInput,
    ReadOptions,
    count_lines,
    open_text,
)
from incident_nb.sources.logs.lines import listing, literal, read_lines
from incident_nb.sources.logs.remote import display
from incident_nb.sources.logs.values import plausible, timestamp_expr, timestamp_problem


def schema_of(con: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    """Column -> DuckDB type of ``view`` (a view's name, or a query)."""
    return {str(r[0]): str(r[1]) for r in con.execute(f"DESCRIBE {view}").fetchall()}


def records_in(files: Sequence[str], headers: int = 0) -> int:
    """Non-blank lines of ``files``, less ``headers`` header lines per file."""
    return sum(count_lines(f) - headers for f in files)


# --- CSV and TSV --------------------------------------------------------------------------


def _csv_bad_lines(files: Sequence[str], delim: str, ts_field: str) -> Iterator[BadLine]:
    for path in files:
        shown = display(path)
        with open_text(path) as handle:
            rows = csv.reader((line.replace("\0", "") for line in handle), delimiter=delim)
            header = next(rows, [])
            ts_at = header.index(ts_field) if ts_field in header else -1
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    break
                except csv.Error as exc:  # a field over the csv module's limit...
                    yield BadLine(shown, rows.line_num, f"unreadable row: {exc}", "")
                    break
                number = rows.line_num
                if not row:
                    continue
                text = delim.join(row)[:QUOTE_READ]
                if len(row) != len(header):
                    reason = f"{len(row)} fields where the header has {len(header)}"
                    yield BadLine(shown, number, reason, text)
                elif ts_at >= 0 and (problem := timestamp_problem(row[ts_at])):
                    yield BadLine(shown, number, f"{problem} in {ts_field!r}", text)


def _header(file: str, delim: str) -> list[str]:
    """The field names of the header line of ``file``."""
    from incident_nb.sources.logs.formats import header_problem  # noqa: PLC0415 - a cycle

    first = next((line.text for line in read_lines(file, max_bytes=1 << 20)), "")
    try:
        names = next(csv.reader([first], delimiter=delim), [])
    except csv.Error:
        names = []
    problem = header_problem(names, first)
    if problem:
        kind = "tab" if delim == "\t" else "comma"
        raise EvidenceError(
            f"{display(file)} is read as {kind}-separated values, but {problem}; name its "
            "format with --format, or add a header line of field names"
        )
    return names


def read_delimited(
    con: duckdb.DuckDBPyConnection, files: Sequence[str], view: str, delim: str
) -> RawInput:
    """CSV or TSV with a header line; every value read as text, converted by field.

    The header is read here, so DuckDB reads each file as told, without sniffing it (a file
    its sniffer cannot make out is then a file of malformed rows, not an error).

    Raises:
        EvidenceError: a file's first line is not a header of field names.
    """
    sep = "\\t" if delim == "\t" else delim
    parts = []
    for file in files:
        header = _header(file, delim)
        columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header)
        parts.append(
            f"SELECT * FROM read_csv({literal(file)}, header=true, auto_detect=false, "
            f"columns={{{columns}}}, delim=E'{sep}', quote='\"', escape='\"', "
            "ignore_errors=true, null_padding=false)"
        )
    con.execute(f"CREATE VIEW {view} AS {' UNION ALL BY NAME '.join(parts)}")
    # Rows with the wrong number of fields are skipped by DuckDB and counted from the total.
    return RawInput(
        view=view,
        schema=schema_of(con, view),
        malformed="false",
        records=lambda: records_in(files, headers=1),
        bad_lines=lambda ts: _csv_bad_lines(files, delim, ts),
    )


def read_csv(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str],
    view: str,
    options: ReadOptions | None = None,
) -> RawInput:
    """Comma-separated values with a header line."""
    return read_delimited(con, files, view, ",")


def read_tsv(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str],
    view: str,
    options: ReadOptions | None = None,
) -> RawInput:
    """Tab-separated values with a header line."""
    return read_delimited(con, files, view, "\t")


# --- Parquet ------------------------------------------------------------------------------


def read_parquet(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[str],
    view: str,
    options: ReadOptions | None = None,
) -> RawInput:
    """Parquet files (typed columns; every row is a record)."""
    names = listing(files)
    con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet({names}, union_by_name=true)")

    def bad_rows(ts_field: str) -> Iterator[BadLine]:
        # Parquet has no lines: the "line" of an example is its row number in its file.
        expr = plausible(timestamp_expr(f'"{ts_field}"', schema_of(con, view)[ts_field]))
        rows = con.execute(
            f'SELECT filename, file_row_number + 1, CAST("{ts_field}" AS VARCHAR) FROM '
            f"read_parquet({names}, union_by_name=true, filename=true, file_row_number=true) "
            f"WHERE {expr} IS NULL ORDER BY 1, 2 LIMIT 5"
        ).fetchall()
        for name, number, value in rows:
            yield BadLine(
                display(str(name)),
                int(number),
                f"no parsable timestamp (or out of range) in {ts_field!r}",
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
