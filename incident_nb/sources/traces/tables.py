"""Span tables (CSV or Parquet, gzip-compressed or not) as rows of the normalised spans frame.

A span table has one row per span and one column per field. Its columns are recognised by their
names, compared without case or punctuation (``TraceID``, ``trace_id`` and ``traceId`` are one
name), through the table :data:`SPAN_FIELDS`: the Nezha/Train-Ticket export (``TraceID, SpanID,
ParentID, PodName, OperationName, StartTimeUnixNano, EndTimeUnixNano, Duration``), flat
OpenTelemetry exports (``trace_id, span_id, parent_span_id, service.name, name, start_time,
end_time, duration_ms``), ClickHouse-style ``TraceId, SpanId, ParentSpanId, ServiceName,
SpanName, SpanKind, StatusCode`` and others. ``--map FIELD=COLUMN`` names any other column.

Units:

- Times are epoch numbers or date-time text. A name that states its unit (``...UnixNano``,
  ``..._ms``) is taken at its word; otherwise the magnitude of the values tells seconds,
  milliseconds, microseconds or nanoseconds since 1970.
- When the table has end times, a span lasts from its start to its end. Otherwise its duration
  column gives it, in the unit its name states (:data:`DURATION_COLUMNS`); a bare ``Duration``
  is in microseconds, as Jaeger and the Nezha export write it (ClickHouse's is in nanoseconds:
  ``--map duration_ns=Duration``).
- A pod column (``PodName``) names the service by Kubernetes naming
  (:func:`incident_nb.sources.kubernetes.service_of_pod`) when there is no service column.

A row without its trace id, span id or start, or that ends before it starts, is counted as
malformed with an example, never dropped silently.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.kubernetes import services_of_pods
from incident_nb.sources.traces.spans import MAX_EXAMPLES, BadSpan


def normal_name(column: str) -> str:
    """A column name without case or punctuation: ``Trace_ID`` and ``traceId`` -> ``traceid``."""
    return re.sub(r"[^0-9a-z]", "", column.lower())


@dataclass(frozen=True)
class SpanField:
    """One field of the spans frame and the column names (normalised) that hold it."""

    name: str
    columns: tuple[str, ...]


SPAN_FIELDS: tuple[SpanField, ...] = (
    SpanField("trace_id", ("traceid", "tracecontexttraceid")),
    SpanField("span_id", ("spanid", "tracecontextspanid")),
    SpanField("parent_span_id", ("parentspanid", "parentid", "parent", "parentspan")),
    SpanField("service", ("servicename", "service", "resourceservicename", "processservicename")),
    SpanField("pod", ("podname", "pod", "k8spodname", "kubernetespodname")),
    SpanField("operation", ("operationname", "spanname", "name", "operation", "endpoint")),
    SpanField("start", ("starttimeunixnano", "starttime", "start", "starttimestamp", "timestamp")),
    SpanField("end", ("endtimeunixnano", "endtime", "end", "endtimestamp")),
    SpanField("status", ("statuscode", "otelstatuscode", "spanstatus", "status")),
    SpanField("error", ("error", "iserror", "haserror")),
    SpanField("http_status", ("httpstatuscode", "httpresponsestatuscode", "statuscodehttp")),
    SpanField("kind", ("spankind", "kind")),
)
"""Per field, the column names that hold it, the first present one wins."""

DURATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("durationns", "ns"),
    ("durationnano", "ns"),
    ("durationnanos", "ns"),
    ("durationus", "us"),
    ("durationmicros", "us"),
    ("durationms", "ms"),
    ("durationmillis", "ms"),
    ("durations", "s"),
    ("duration", "us"),
)
"""Duration columns and their units, used only when there is no end time."""

MAP_FIELDS = tuple(f.name for f in SPAN_FIELDS) + tuple(
    f"duration_{unit}" for unit in ("ns", "us", "ms", "s")
)
"""The fields ``--map`` may name for span tables."""

TIME_UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("unixnano", "ns"),
    ("nanos", "ns"),
    ("nano", "ns"),
    ("ns", "ns"),
    ("micros", "us"),
    ("us", "us"),
    ("millis", "ms"),
    ("ms", "ms"),
)
"""A time column whose normalised name ends so is in that unit; others go by magnitude."""

STATUS_VALUES: dict[str, bool] = {
    "error": True,
    "statuscodeerror": True,
    "2": True,
    "ok": False,
    "statuscodeok": False,
    "1": False,
}
"""OpenTelemetry status values (normalised) that say a span is, or is not, an error; an unset
status leaves it to the HTTP status (500 or more is an error)."""
TRUE_VALUES = frozenset({"true", "1", "yes", "t", "y"})
"""Values of an error flag column (``error``, ``is_error``) that make a span an error."""
REQUIRED = ("trace_id", "span_id", "start", "operation")
TABLE_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".parquet", ".pq")


def is_span_table(path: Path) -> bool:
    """Whether the file's name says it is a table (CSV or Parquet), not JSON."""
    name = path.name.lower()
    return name.endswith(TABLE_SUFFIXES)


def table_header(path: Path) -> list[str]:
    """The column names of a CSV (gzip or not) or Parquet file."""
    if path.name.lower().endswith((".parquet", ".pq")):
        return list(pq.read_schema(path).names)
    with pa.input_stream(str(path), compression="detect") as stream:
        first = stream.read(65536).decode("utf-8", errors="replace").splitlines()
    if not first:
        return []
    delimiter = "\t" if ".tsv" in path.name.lower() else ","
    return next(csv.reader(io.StringIO(first[0]), delimiter=delimiter), [])


def _columns(header: Sequence[str], mapping: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Field -> (column, unit) for the fields the table has."""
    by_name = {normal_name(c): c for c in reversed(header)}
    found: dict[str, tuple[str, str]] = {}
    for field in SPAN_FIELDS:
        column = next((by_name[c] for c in field.columns if c in by_name), None)
        if column is not None:
            found[field.name] = (column, "")
    if "end" not in found:
        for name, unit in DURATION_COLUMNS:
            if name in by_name:
                found["duration"] = (by_name[name], unit)
                break
    for name, column in mapping.items():
        if column not in header:
            raise EvidenceError(
                f"--map {name}={column}: the table has no column {column!r} "
                f"(columns: {', '.join(header)})"
            )
        if name.startswith("duration_"):
            found["duration"] = (column, name.removeprefix("duration_"))
            found.pop("end", None)
        else:
            found[name] = (column, "")
    return found


def read_span_table(
    path: Path, mapping: Sequence[tuple[str, str]] = ()
) -> tuple[pd.DataFrame, int, list[BadSpan]]:
    """The spans of one table file: the frame, the number of malformed rows and examples.

    A CSV line with the wrong number of fields is malformed too (counted, never fatal).

    Raises:
        EvidenceError: the file cannot be read, or its columns are not those of spans.
    """
    wanted = {k: v for k, v in mapping if k in MAP_FIELDS}
    try:
        header = table_header(path)
        columns = _columns(header, wanted)
        missing = [f for f in REQUIRED if f not in columns]
        if "service" not in columns and "pod" not in columns:
            missing.append("service (or pod)")
        if "end" not in columns and "duration" not in columns:
            missing.append("end (or duration)")
        if missing:
            raise EvidenceError(
                f"{path}: not a span table I recognise: no column for {', '.join(missing)} "
                f"(columns: {', '.join(header) or 'none'}); name them with --map, e.g. "
                "--map trace_id=tid,span_id=sid,start=ts,duration_ms=elapsed"
            )
        skipped: list[BadSpan] = []
        table = _read(path, header, {c for c, _ in columns.values()}, skipped)
    except (OSError, pa.ArrowInvalid, ValueError) as exc:
        raise EvidenceError(f"cannot read span table {path}: {exc}") from None
    frame, malformed, examples = _frame(path, table, columns)
    return frame, malformed + len(skipped), (skipped + examples)[:MAX_EXAMPLES]


def _read(
    path: Path, header: Sequence[str], used: set[str], skipped: list[BadSpan]
) -> pd.DataFrame:
    if path.name.lower().endswith((".parquet", ".pq")):
        frame: pd.DataFrame = pq.read_table(path, columns=sorted(used)).to_pandas()
        return frame
    return read_csv_strings(path, [c for c in header if c in used], skipped)


def read_csv_strings(path: Path, columns: Sequence[str], skipped: list[BadSpan]) -> pd.DataFrame:
    """The named columns of a CSV file (gzip or not) as text.

    A line with the wrong number of fields is skipped and recorded in ``skipped``.
    """

    def skip(row: pa_csv.InvalidRow) -> str:
        skipped.append(
            BadSpan(
                str(path),
                f"line {row.number}" if row.number else "a line",
                f"{row.actual_columns} fields instead of {row.expected_columns}",
            )
        )
        return "skip"

    table = pa_csv.read_csv(
        str(path),
        # One thread: the reader then knows each bad line's number (the files are small).
        read_options=pa_csv.ReadOptions(use_threads=False),
        parse_options=pa_csv.ParseOptions(
            delimiter="\t" if ".tsv" in path.name.lower() else ",",
            newlines_in_values=True,
            invalid_row_handler=skip,
        ),
        convert_options=pa_csv.ConvertOptions(
            include_columns=list(columns), column_types={c: pa.string() for c in columns}
        ),
    )
    frame: pd.DataFrame = table.to_pandas()
    return frame


def _text(frame: pd.DataFrame, columns: dict[str, tuple[str, str]], field: str) -> pd.Series:
    if field not in columns:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame[columns[field][0]].astype("string").str.strip()


def _normalised(values: pd.Series) -> pd.Series:
    """:func:`normal_name` of each value, computed once per distinct value."""
    distinct = {v: normal_name(v) for v in values.unique().tolist()}
    return values.map(distinct)


def _unit_of(column: str, unit: str) -> str:
    if unit:
        return unit
    name = normal_name(column)
    return next((u for suffix, u in TIME_UNIT_SUFFIXES if name.endswith(suffix)), "")


def epoch_nanos(values: pd.Series, unit: str = "") -> pd.Series:
    """Epoch nanoseconds (Int64, <NA> where unreadable) of numbers or date-time text.

    Numbers are in ``unit`` when given, else in the unit their magnitude tells (seconds,
    milliseconds, microseconds or nanoseconds since 1970). Text is parsed as ISO-8601 (UTC
    unless it says otherwise).
    """
    numbers = pd.to_numeric(values, errors="coerce")
    out = pd.Series(pd.NA, index=values.index, dtype="Int64")
    numeric = numbers.notna()
    if numeric.any():
        x = numbers[numeric].astype("float64")
        if unit:
            scale = pd.Series({"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[unit], index=x.index)
        else:
            size = x.abs()
            scale = pd.Series(
                np.select([size >= 1e17, size >= 1e14, size >= 1e11], [1.0, 1e3, 1e6], 1e9),
                index=x.index,
            )
        exact = numbers[numeric]
        if unit == "ns" or (not unit and bool((x.abs() >= 1e17).all())):
            out[numeric] = exact.astype("int64")  # keep every nanosecond digit
        else:
            out[numeric] = (x * scale).round().astype("int64")
    text = ~numeric & values.notna()
    if text.any():
        try:  # one ISO-8601 layout for the whole column is the common case, and fast
            parsed = pd.to_datetime(values[text], utc=True, format="ISO8601")
        except (ValueError, TypeError):
            parsed = pd.to_datetime(values[text], utc=True, errors="coerce", format="mixed")
        good = parsed.notna()
        out[parsed.index[good]] = parsed[good].dt.as_unit("ns").astype("int64")
    return out


def _frame(
    path: Path, raw: pd.DataFrame, columns: dict[str, tuple[str, str]]
) -> tuple[pd.DataFrame, int, list[BadSpan]]:
    start_col, start_unit = columns["start"]
    start = epoch_nanos(raw[start_col], _unit_of(start_col, start_unit))
    if "end" in columns:
        end_col, end_unit = columns["end"]
        duration = epoch_nanos(raw[end_col], _unit_of(end_col, end_unit)) - start
    else:
        dur_col, dur_unit = columns["duration"]
        scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[dur_unit]
        duration = (pd.to_numeric(raw[dur_col], errors="coerce") * scale).round().astype("Int64")
    trace_id = _text(raw, columns, "trace_id").str.lower()
    span_id = _text(raw, columns, "span_id").str.lower()
    reasons = pd.Series("", index=raw.index, dtype=object)
    for name, bad in (
        ("no trace id", trace_id.isna() | (trace_id == "")),
        ("no span id", span_id.isna() | (span_id == "")),
        ("no readable start time", start.isna()),
        ("no readable end time or duration", duration.isna()),
    ):
        reasons[bad.fillna(True).to_numpy(bool) & (reasons == "")] = name
    negative = (duration < 0).fillna(False).to_numpy(bool)
    reasons[negative & (reasons == "")] = "it ends before it starts"
    bad_rows = reasons != ""
    examples = [
        BadSpan(str(path), f"row {int(i) + 2}", str(reasons[i]))
        for i in reasons.index[bad_rows][:MAX_EXAMPLES]
    ]
    keep = ~bad_rows.to_numpy(bool)
    frame = _spans(raw[keep], columns, trace_id[keep], span_id[keep], start[keep], duration[keep])
    return frame, int(bad_rows.sum()), examples


def _spans(  # noqa: PLR0917 - the columns read so far, each one a frame column
    raw: pd.DataFrame,
    columns: dict[str, tuple[str, str]],
    trace_id: pd.Series,
    span_id: pd.Series,
    start: pd.Series,
    duration: pd.Series,
) -> pd.DataFrame:
    parent = _text(raw, columns, "parent_span_id").str.lower()
    no_parent = parent.isna() | parent.isin(["", "root", "none", "null", "nan"])
    no_parent |= parent.str.fullmatch("0+").fillna(False).astype(bool)
    parent = parent.mask(no_parent, pd.NA)
    if "service" in columns:
        service = _text(raw, columns, "service").fillna("unknown_service")
    else:
        pods = _text(raw, columns, "pod").fillna("unknown_service")
        service = pd.Series(services_of_pods(pods), index=raw.index)
    status = _normalised(_text(raw, columns, "status").fillna(""))
    stated = status.isin(list(STATUS_VALUES)).to_numpy(bool)
    errors = status.isin([k for k, v in STATUS_VALUES.items() if v]).to_numpy(bool)
    flag = _text(raw, columns, "error").fillna("").str.lower().isin(TRUE_VALUES).to_numpy(bool)
    http = pd.to_numeric(_text(raw, columns, "http_status"), errors="coerce").astype("Int64")
    by_http = (http.fillna(0) >= 500).to_numpy(bool)
    is_error = flag | np.where(stated, errors, by_http)
    kind = _normalised(_text(raw, columns, "kind").fillna("unspecified"))
    kind = kind.str.removeprefix("spankind").replace(
        {
            "1": "internal",
            "2": "server",
            "3": "client",
            "4": "producer",
            "5": "consumer",
            "": "unspecified",
        }
    )
    return pd.DataFrame(
        {
            "trace_id": trace_id.astype(str).to_numpy(),
            "span_id": span_id.astype(str).to_numpy(),
            "parent_span_id": parent.to_numpy(),
            "service": service.astype(str).to_numpy(),
            "operation": _text(raw, columns, "operation").fillna("").astype(str).to_numpy(),
            "start": pd.to_datetime(start.astype("int64").to_numpy(), unit="ns", utc=True),
            "duration_ms": duration.astype("float64").to_numpy() / 1e6,
            "is_error": is_error,
            "status_message": "",
            "kind": kind.astype(str).to_numpy(),
            "http_method": pd.array([pd.NA] * len(raw), dtype="string"),
            "http_route": pd.array([pd.NA] * len(raw), dtype="string"),
            "http_status": http.to_numpy(),
        }
    ).astype({"parent_span_id": "string", "http_status": "Int64"})


__all__ = [
    "DURATION_COLUMNS",
    "MAP_FIELDS",
    "SPAN_FIELDS",
    "SpanField",
    "epoch_nanos",
    "is_span_table",
    "normal_name",
    "read_csv_strings",
    "read_span_table",
    "table_header",
]
