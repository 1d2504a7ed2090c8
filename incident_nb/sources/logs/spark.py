"""Log evidence on Apache Spark: the same ``events`` table and queries, run by a cluster.

For log windows too large for one machine. The files (local paths, or ``s3a://``, ``gs://``,
``hdfs://`` URIs the cluster reads; ``s3://`` where the cluster maps it, as on EMR) are parsed
and normalised by Spark into the ``events`` view DuckDB would build; the queries of
:mod:`incident_nb.sources.logsql` are rendered into Spark SQL; and only their results
(aggregates, and samples of bounded size) travel back to the driver. A scheme the cluster has
no filesystem for is named, with the way out. One code path serves a driver in this process
and Spark Connect alike: DataFrame and SQL calls only (no SparkContext, RDD or JVM), with the
session of :mod:`.spark_session`. What one analysis caches is uncached when its store closes.
pyspark is an optional extra.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import pandas as pd

from incident_nb.core.errors import EvidenceError
from incident_nb.sources import logsql
from incident_nb.sources.logs.accounting import MAX_EXAMPLES, BadLine, LineReport
from incident_nb.sources.logs.engines import EngineSpec
from incident_nb.sources.logs.fieldreport import NO_ERROR_FIELD, untold
from incident_nb.sources.logs.fields import FIELD_CANDIDATES, choose_fields
from incident_nb.sources.logs.spark_read import (
    CORRUPT,
    FILE,
    MALFORMED,
    check_scheme,
    format_of,
    is_uri,
    normalise,
    read_frame,
    unreadable,
)
from incident_nb.sources.logs.spark_session import is_connect, spark_session
from incident_nb.sources.logs.store import LogStore

T = TypeVar("T")

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_ZONE = "spark.sql.session.timeZone"


def open_spark(
    paths: Sequence[str | Path],
    spec: EngineSpec,
    mapping: dict[str, str] | None = None,
    fmt: str = "auto",
    tz: str = "UTC",
) -> SparkLogStore:
    """Parse log files with Spark into a store whose queries run on the cluster.

    Raises:
        EvidenceError: pyspark or Java is missing, a file is missing or of a format Spark does
            not read here, the logs have no timestamp field, or no line is usable.
    """
    names = [str(p) for p in paths]
    if not names:
        raise EvidenceError("no log files given; pass at least one with --logs FILE")
    for name in names:
        check_scheme(name)
        if not is_uri(name) and not Path(name).is_file():
            raise EvidenceError(f"log file not found: {name}")
    # Absolute, so that a Spark Connect server or a cluster's executors find them too.
    names = [name if is_uri(name) else str(Path(name).resolve()) for name in names]
    spark = spark_session(spec)
    cached: list[DataFrame] = []
    try:
        with _zone(spark, tz):
            loaded = _load_events(spark, names, mapping or {}, fmt, cached)
    except BaseException:
        _release(spark, cached, tz)
        raise
    return SparkLogStore(
        spark,
        loaded.lines,
        loaded.fields,
        events=loaded.events,
        cached=cached,
        tz=tz,
        warnings=loaded.warnings,
        errors_known=loaded.errors_known,
    )


class Loaded(NamedTuple):
    """What Spark's load gives: as the DuckDB loader's, with the events' DataFrame."""

    lines: LineReport
    fields: dict[str, str | None]
    warnings: tuple[str, ...]
    errors_known: bool
    events: DataFrame


@contextmanager
def _zone(spark: SparkSession, tz: str) -> Iterator[None]:
    """Plans made and run inside read timestamps without an offset in ``tz``.

    A driver in this process resolves the zone as each DataFrame is built, Spark Connect as
    each plan is run (or cached, or made a view, which keeps it resolved): the events are
    defined, counted, cached and viewed inside, the queries on the view run outside, in UTC.
    """
    spark.conf.set(_ZONE, tz)
    try:
        yield
    finally:
        spark.conf.set(_ZONE, "UTC")


def _release(spark: SparkSession, cached: list[DataFrame], tz: str) -> None:
    """Uncache what one analysis cached, drop its view, and end its Spark Connect session."""
    with _zone(spark, tz):  # the zone the frames were cached in, so that they match
        for frame in cached:
            frame.unpersist()
    cached.clear()
    spark.catalog.dropTempView("events")
    if is_connect(spark):
        spark.stop()  # releases the session on the server; the server stays up


def _load_events(
    spark: SparkSession,
    names: list[str],
    mapping: dict[str, str],
    fmt: str,
    cached: list[DataFrame],
) -> Loaded:
    """Make the usable events the ``events`` view; return the line accounting and fields."""
    from pyspark.sql import functions as F  # noqa: PLC0415, N812 - optional extra

    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(format_of(name, fmt), []).append(name)
    parts: list[DataFrame] = []
    fields: dict[str, str | None] = {}
    for form, group in groups.items():
        try:
            frame, bad = read_frame(spark, form, group, cached)
        except Exception as exc:
            if (named := unreadable(exc, group)) is not None:
                raise named from None
            raise
        schema = {c: t for c, t in frame.dtypes if c not in (CORRUPT, MALFORMED, FILE)}
        choice = choose_fields(schema, mapping)
        if choice.first("ts") is None:
            raise EvidenceError(
                f"no timestamp field in {', '.join(group)}: looked for "
                f"{', '.join(FIELD_CANDIDATES['ts'])}; found fields {', '.join(sorted(schema))}; "
                "name it with --map timestamp=FIELD"
            )
        parts.append(normalise(frame, bad, choice))
        for role, col in choice.report().items():
            fields[role] = fields.get(role) or col
    events = parts[0]
    for part in parts[1:]:
        events = events.unionByName(part)
    events = events.cache()
    cached.append(events)
    row = events.agg(
        F.count(F.lit(1)).alias("total"),
        F.count(F.when(F.col("malformed"), 1)).alias("malformed"),
        F.count(F.when(F.col("ts").isNull() & ~F.col("malformed"), 1)).alias("bad_ts"),
        F.count(
            F.when(
                F.col("ts").isNotNull()
                & ~F.col("malformed")
                & F.col("is_error").isNull(),  # no status, outcome or level
                1,
            )
        ).alias("unknown"),
        F.count(F.col("outcome")).alias("outcomes"),
    ).collect()[0]
    total, malformed, bad_ts = int(row["total"]), int(row["malformed"]), int(row["bad_ts"])
    examples = tuple(
        BadLine(str(r["file"]), 0, "malformed record" if r["malformed"] else "no timestamp", "")
        for r in events.where(F.col("malformed") | F.col("ts").isNull())
        .select("file", "malformed")
        .limit(MAX_EXAMPLES)
        .collect()
    )
    report = LineReport(total, total - malformed, malformed, bad_ts, examples)
    if report.used == 0:
        raise EvidenceError(
            f"no usable log lines in {', '.join(names)}: {malformed} malformed, {bad_ts} without "
            "a parsable timestamp; check the format (--format) and --map timestamp=FIELD"
        )
    usable = events.where(F.col("ts").isNotNull() & ~F.col("malformed"))
    usable = usable.drop("malformed", "file", "outcome")
    usable.createOrReplaceTempView("events")
    unknown = int(row["unknown"])
    if not int(row["outcomes"]):
        fields["outcome"] = None  # by an outcome's name, but holding something else
    errors_known = unknown < report.used
    warned: list[str] = []
    if not errors_known:
        warned.append(NO_ERROR_FIELD)
    elif unknown:
        warned.append(untold(unknown, report.used))
    return Loaded(report, fields, tuple(warned), errors_known, usable)


class SparkLogStore(LogStore):
    """A :class:`LogStore` whose ``events`` live in Spark; results come back as pandas."""

    def __init__(
        self,
        spark: SparkSession,
        lines: LineReport,
        fields: dict[str, str | None],
        *,
        events: DataFrame,
        cached: list[DataFrame],
        tz: str = "UTC",
        warnings: tuple[str, ...] = (),
        errors_known: bool = True,
    ):
        # The evidence stays in the cluster: no snapshot, so no answers are kept.
        self._init_evidence(lines, fields, warnings, errors_known, answers=None)
        self._spark = spark
        self._events = events
        self._cached = cached
        self._tz = tz
        self._closed = False
        self.rows_collected = 0
        """Rows brought back to the driver so far (aggregates and bounded samples only)."""

    @contextmanager
    def meanwhile(self, ask: Callable[[LogStore], T]) -> Iterator[Callable[[], T]]:
        """Ask ``ask`` when its answer is wanted: one analysis asks the cluster in turn."""
        yield functools.cache(lambda: ask(self))

    def _df(self, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
        query = self._spark.sql(logsql.render(sql, "spark"), args=dict(params or {}))
        with warnings.catch_warnings():
            # pyspark warns that it does not test every pandas release; the frames here are flat.
            warnings.simplefilter("ignore")
            frame = query.toPandas()
        self.rows_collected += len(frame)
        for column in frame.columns:  # Spark hands back naive UTC times
            if pd.api.types.is_datetime64_dtype(frame[column]):
                frame[column] = frame[column].dt.tz_localize("UTC")
        return frame

    def extent(self) -> tuple[datetime, datetime]:
        """First and last event time."""
        row = self._df(logsql.EXTENT).iloc[0]
        return row["start"].to_pydatetime(), row["end"].to_pydatetime()

    def restrict(self, start: datetime | None, end: datetime | None) -> int:
        """Keep only the events in ``[start, end]``; return how many remain."""
        from pyspark.sql import functions as F  # noqa: N812, PLC0415 - optional extra

        events = self._events
        if start is not None:
            events = events.where(F.col("ts") >= F.lit(start))
        if end is not None:
            events = events.where(F.col("ts") <= F.lit(end))
        # From the events' own plan, not their view: replacing a view uncaches what reads it.
        with _zone(self._spark, self._tz):
            events = events.cache()
            self._cached.append(events)
            events.createOrReplaceTempView("events")
            remaining = int(events.count())
        self._events = events
        if remaining == 0:
            raise EvidenceError(
                f"no log events between {start} and {end}; widen --window or check --tz"
            )
        return remaining

    def snapshot(self, folder: str | Path) -> Path:
        """Not with Spark: the evidence stays where the cluster reads it."""
        raise EvidenceError(
            "--snapshot writes a local Parquet file and needs --engine duckdb; with Spark the "
            "evidence stays in the cluster's storage"
        )

    def close(self) -> None:
        """Uncache the events and drop their view; a Spark Connect session ends here.

        A driver in this process stays up for the next analysis; a Connect server too, with
        nothing of this analysis left in it.
        """
        if not self._closed:
            self._closed = True
            _release(self._spark, self._cached, self._tz)
