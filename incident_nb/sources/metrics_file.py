"""Exported metrics (CSV or Parquet) as the same evidence the Prometheus source gives.

Two layouts are accepted: long (``time``, ``series``, ``value``, optionally ``service``) or wide
(``time`` and one column per series, e.g. ``request_rate``, ``error_rate``, ``p99_ms``). Rows
whose time or value cannot be read are counted and reported, never silently dropped.
"""

from __future__ import annotations

from pathlib import Path

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
