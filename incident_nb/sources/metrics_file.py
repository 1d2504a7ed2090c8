"""Exported metrics (CSV or Parquet, gzip or not) as evidence.

For one service (:func:`normalise`), two layouts are accepted: long (``time``, ``series``,
``value``, optionally ``service``) or wide (``time`` and one column per series, e.g.
``request_rate``, ``error_rate``, ``p99_ms``). Rows whose time or value cannot be read are
counted and reported, never silently dropped.

For many entities (:func:`entity_metrics`, used to localize faults), a wide table has one row
per entity (pod, service, instance) and time and one column per metric, e.g. the per-pod files
``Time, TimeStamp, PodName, CpuUsage(m), MemoryUsage(Mi), PodServerLatencyP90(s), ...``. Which
column is the time, which names the entity and what unit a column name states are tables
(:data:`TIME_COLUMNS`, :data:`ENTITY_COLUMNS`, :data:`UNIT_SUFFIXES`); times may be epoch
numbers or text, Go's ``time.String()`` included (:data:`TIME_TEXT_FORMS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from incident_nb.core.errors import EvidenceError

KNOWN_SERIES: tuple[str, ...] = (
    "request_rate",
    "error_rate",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "cpu_cores",
    "memory_bytes",
    "open_connections",
)
LONG_COLUMNS = ["time", "series", "value"]


def normal_name(column: str) -> str:
    """A column name without case or punctuation: ``Pod_Name`` and ``podName`` -> ``podname``."""
    return re.sub(r"[^0-9a-z]", "", column.lower())


def read_metrics_frame(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet export into a raw DataFrame.

    Raises:
        EvidenceError: the file is missing, of another type, or unreadable.
    """
    file = Path(path)
    if not file.is_file():
        raise EvidenceError(f"metrics file not found: {file}")
    try:
        if file.suffix.lower() in {".parquet", ".pq"}:
            return pd.read_parquet(file)
        if file.suffix.lower() in {".csv", ".gz"}:
            return pd.read_csv(file)
    except (ValueError, OSError) as exc:
        raise EvidenceError(f"cannot read metrics file {file}: {exc}") from None
    raise EvidenceError(f"unknown metrics file type {file.suffix!r}: export as .csv or .parquet")


def normalise(raw: pd.DataFrame, service: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The long frame (time, series, value) of ``raw`` and notes on what could not be used.

    Raises:
        EvidenceError: there is no ``time`` column, or no known series.
    """
    if "time" not in raw:
        raise EvidenceError(
            f"metrics file has no 'time' column (columns: {', '.join(map(str, raw.columns))})"
        )
    frame = raw
    if service is not None and "service" in frame:
        frame = frame[frame["service"].astype(str) == service]
    if {"series", "value"} <= set(frame.columns):
        long = frame[LONG_COLUMNS].copy()
    else:
        present = [c for c in KNOWN_SERIES if c in frame]
        long = frame.melt(id_vars=["time"], value_vars=present, var_name="series")
    unknown = sorted(set(long["series"].astype(str)) - set(KNOWN_SERIES))
    notes = [f"series not used (unknown names): {', '.join(unknown)}"] if unknown else []
    long = long[long["series"].isin(KNOWN_SERIES)]
    if long.empty:
        raise EvidenceError(
            "metrics file has no known series; name them "
            f"{', '.join(KNOWN_SERIES)} (wide columns or a long 'series' column)"
        )
    times = pd.to_datetime(long["time"], utc=True, errors="coerce", format="mixed")
    values = pd.to_numeric(long["value"], errors="coerce")
    bad = int((times.isna() | (values.isna() & long["value"].notna())).sum())
    if bad:
        notes.append(f"{bad} rows with an unreadable time or value were left out")
    keep = times.notna() & ~(values.isna() & long["value"].notna())
    out = pd.DataFrame({"time": times[keep], "series": long["series"][keep], "value": values[keep]})
    return out.sort_values(["series", "time"], ignore_index=True), notes


# --- Wide tables per entity: one row per entity and time, one column per metric ----------------


@dataclass(frozen=True)
class ColumnRole:
    """Column names (normalised: lower-case, no punctuation) that hold one part of a row."""

    role: str
    columns: tuple[str, ...]


ENTITY_COLUMNS: tuple[ColumnRole, ...] = (
    ColumnRole("service", ("servicename", "service", "app", "application", "job")),
    ColumnRole("pod", ("podname", "pod", "k8spodname", "kubernetespodname")),
    ColumnRole("entity", ("instance", "entity", "host", "hostname", "container", "name")),
)
"""Who a row describes, in order of preference; a pod names its service by Kubernetes naming."""
TIME_COLUMNS: tuple[str, ...] = ("timestamp", "time", "ts", "datetime", "date", "t")
"""Time columns (normalised), the first readable one wins: epoch numbers or date-time text."""
TIME_TEXT_FORMS: tuple[tuple[str, str], ...] = (
    # Go's time.String(): "2023-01-29 08:41:09.04 +0000 UTC m=+0.11" (zone name, monotonic clock)
    (r"^(\S+ \S+ [+-]\d{4})(?: [A-Za-z]{1,5})?(?: m=[+-][\d.]+)?$", r"\1"),
)
"""Rewrites that turn time text of other languages into text pandas parses."""
UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    (r"\((s|sec|seconds)\)$", "s"),
    (r"\(ms\)$", "ms"),
    (r"\(%\)$", "%"),
    (r"\((Mi|MiB)\)$", "MiB"),
    (r"\((Gi|GiB)\)$", "GiB"),
    (r"\((Ki|KiB)\)$", "KiB"),
    (r"\(m\)$", "millicores"),
    (r"\((ops|Ops|qps|rps)\)$", "ops/s"),
    (r"_seconds$", "s"),
    (r"_ms$", "ms"),
    (r"_bytes$", "B"),
    (r"_(percent|pct)$", "%"),
)
"""What a column name's ending says about its unit (``CpuUsage(m)``: millicores)."""
DEFAULT_INTERVAL_S = 60.0
"""How long a row covers when the rows' own spacing cannot tell (one row per minute)."""


def metric_unit(column: str) -> tuple[str, str]:
    """``(metric name, unit)`` of a wide column.

    ``"CpuUsage(m)"`` -> ``("CpuUsage", "millicores")``.
    """
    for pattern, unit in UNIT_SUFFIXES:
        if (match := re.search(pattern, column)) is not None:
            name = column[: match.start()].rstrip(" _") if "(" in match.group(0) else column
            return name or column, unit
    return column, ""


def parse_times(values: pd.Series) -> pd.Series:
    """Aware UTC times of epoch numbers (unit by magnitude) or date-time text, NaT if unreadable.

    Text in the forms of :data:`TIME_TEXT_FORMS` (Go's ``time.String()``) is rewritten first.
    """
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all() and len(numbers):
        size = float(numbers.abs().median())
        scale = 1.0 if size >= 1e17 else 1e3 if size >= 1e14 else 1e6 if size >= 1e11 else 1e9
        stamps: pd.Series = pd.to_datetime((numbers * scale).round(), unit="ns", utc=True)
        return stamps
    text = values.astype("string").str.strip()
    for pattern, replacement in TIME_TEXT_FORMS:
        text = text.str.replace(pattern, replacement, regex=True)
    try:  # one ISO-8601 layout for the whole column is the common case, and fast
        return pd.to_datetime(text, utc=True, format="ISO8601")
    except (ValueError, TypeError):
        return pd.to_datetime(text, utc=True, errors="coerce", format="mixed")


def entity_metrics(
    raw: pd.DataFrame,
    service_of: Callable[[str], str],
    windows: Sequence[tuple[datetime, datetime]] = (),
    carry: Sequence[str] = (),
) -> pd.DataFrame:
    """The long frame of a wide per-entity table.

    Columns ``time, entity, service, metric, unit, value, interval_s``: one row per entity,
    time and metric with a value. ``interval_s`` is how long a row covers: the rows' own spacing
    (the median step between an entity's times), else :data:`DEFAULT_INTERVAL_S`. With
    ``windows``, only the rows that overlap one of them are kept (see :func:`rows_overlapping`).
    The ``carry`` columns are kept as they are (e.g. which file a row came from).

    Raises:
        EvidenceError: no time column could be read, or there is no numeric metric column.
    """
    by_name = {normal_name(c): c for c in reversed(list(map(str, raw.columns)))}
    times, time_cols = None, []
    for name in TIME_COLUMNS:
        if name in by_name:
            time_cols.append(by_name[name])
            if times is None:
                parsed = parse_times(raw[by_name[name]])
                times = parsed if parsed.notna().mean() >= 0.5 else None
    if times is None:
        raise EvidenceError(
            "metrics table has no readable time column (columns: "
            f"{', '.join(map(str, raw.columns))}); name one {', '.join(TIME_COLUMNS)} "
            "or --map time=COL"
        )
    entity = pd.Series("", index=raw.index, dtype=object)
    service = None
    id_cols: list[str] = []
    for role in ENTITY_COLUMNS:
        column = next((by_name[c] for c in role.columns if c in by_name), None)
        if column is None:
            continue
        id_cols.append(column)
        values = raw[column].astype(str).str.strip()
        if role.role == "service" and service is None:
            service = values
        if (entity == "").all():
            entity = values
    if service is None:
        distinct = {v: service_of(v) for v in entity.unique()}
        service = entity.map(distinct)
    metrics = [
        c
        for c in map(str, raw.columns)
        if c not in id_cols
        and c not in time_cols
        and c not in carry
        and pd.api.types.is_numeric_dtype(raw[c])
    ]
    stamps = pd.DataFrame({"time": times, "entity": entity}).dropna().drop_duplicates()
    step = stamps.sort_values("time").groupby("entity")["time"].diff().dt.total_seconds().median()
    interval = float(step) if pd.notna(step) and step > 0 else DEFAULT_INTERVAL_S
    if windows:
        stamp = times.to_numpy(dtype="datetime64[ns]")
        keep = np.zeros(len(raw), dtype=bool)
        for start, end in windows:
            begin = np.datetime64(pd.Timestamp(start).tz_convert(None), "ns")
            finish = np.datetime64(pd.Timestamp(end).tz_convert(None), "ns")
            span = np.timedelta64(int(interval * 1e9), "ns")
            keep |= (stamp > begin) & (stamp - span < finish)
        raw, times, entity, service = raw[keep], times[keep], entity[keep], service[keep]
    if not metrics:
        raise EvidenceError(
            "metrics table has no numeric metric column (columns: "
            f"{', '.join(map(str, raw.columns))})"
        )
    names, units = zip(*(metric_unit(c) for c in metrics), strict=True)
    rows, width = len(raw), len(metrics)
    long = pd.DataFrame(
        {
            "time": np.tile(times.to_numpy(), width),
            "entity": np.tile(entity.astype(str).to_numpy(), width),
            "service": np.tile(service.astype(str).to_numpy(), width),
            "metric": np.repeat(np.array(names, dtype=object), rows),
            "unit": np.repeat(np.array(units, dtype=object), rows),
            "value": raw[metrics].to_numpy(dtype="float64", na_value=np.nan).T.ravel(),
        }
    )
    for column in carry:
        long[column] = np.tile(raw[column].to_numpy(), width)
    long = long[long["value"].notna() & long["time"].notna()].reset_index(drop=True)
    return long.assign(interval_s=interval)


def rows_overlapping(frame: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    """The metric rows whose interval ``(time - interval_s, time]`` overlaps ``[start, end]``.

    A row stamped T describes the time before T, so the row that covers a window's last moments
    may be stamped a little after the window ends: clipping on T alone would lose it.
    """
    begins = frame["time"] - pd.to_timedelta(frame["interval_s"], unit="s")
    keep = (frame["time"] > pd.Timestamp(start)) & (begins < pd.Timestamp(end))
    return frame[keep]
