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

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from incident_nb.errors import EvidenceError
from incident_nb.sources import logsql
from incident_nb.sources.logs.accounting import MAX_EXAMPLES, BadLine, LineReport
from incident_nb.sources.logs.engines import EngineSpec
from incident_nb.sources.logs.fields import (
    DURATION_TO_MS,
    FIELD_CANDIDATES,
    override_fields,
    pick_field,
)
from incident_nb.sources.logs.formats import detect_format, get_format
from incident_nb.sources.logs.remote import INSTALL as REMOTE_INSTALL
from incident_nb.sources.logs.remote import display, scheme
from incident_nb.sources.logs.spark_session import is_connect, spark_session
from incident_nb.sources.logs.store import LogStore
from incident_nb.sources.logs.textlines import LOGFMT_PAIR

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

SPARK_FORMATS = ("jsonl", "logfmt", "csv", "tsv", "parquet")
_TIMESTAMP_TYPES = ("timestamp", "timestamp_ntz", "date")
_NUMBER_TYPES = ("bigint", "int", "double", "float", "smallint", "decimal", "long")
_ZONE = "spark.sql.session.timeZone"
_CORRUPT, _MALFORMED, _FILE = "_corrupt_record", "_malformed", "_file"
"""Columns of this module's own beside the source's: a bad record, and the file of a row."""


def _is_uri(path: str) -> bool:
    return "://" in path


def _check_scheme(path: str) -> None:
    if scheme(path) in ("http", "https"):
        raise EvidenceError(
            f"{display(path)}: Spark cannot read logs over {scheme(path)}:// (Hadoop's HTTP "
            "filesystem cannot list files); read them with --engine duckdb, or copy them to "
            "storage the cluster reads (s3a://, gs://, hdfs://)"
        )


def _unreadable(exc: Exception, paths: list[str]) -> EvidenceError | None:
    """A clear error when Spark has no filesystem for the paths' scheme, else None."""
    text = str(exc)
    if "No FileSystem for scheme" not in text and not (
        "ClassNotFoundException" in text and "org.apache.hadoop.fs." in text
    ):
        return None
    kind = scheme(paths[0])
    hint = (
        "Spark reads S3 as s3a://bucket/key (with hadoop-aws on the cluster); s3:// works "
        "only where the cluster maps it (EMR)"
        if kind in ("s3", "s3a")
        else "add that filesystem's connector to the cluster"
    )
    return EvidenceError(
        f"this Spark has no filesystem for {kind}:// ({', '.join(map(display, paths))}): "
        f"{hint}; or read them with --engine duckdb, which reads s3:// and https:// itself "
        f"({REMOTE_INSTALL})"
    )


def _format_of(path: str, fmt: str) -> str:
    if fmt != "auto":
        name = get_format(fmt).name
    elif _is_uri(path):
        base = path.lower().removesuffix(".gz")
        name = next((f for f in SPARK_FORMATS if base.endswith(get_format(f).suffixes)), "jsonl")
    else:
        name = detect_format(path).name
    if name not in SPARK_FORMATS:
        raise EvidenceError(
            f"{path}: {name} logs are read by --engine duckdb only; with Spark use "
            f"{', '.join(SPARK_FORMATS)}"
        )
    return name


def _read(
    spark: SparkSession, name: str, paths: list[str], cached: list[DataFrame]
) -> tuple[DataFrame, Column]:
    """The files as a DataFrame of source columns, and the test for a malformed record.

    Each row also has the file it came from (``_file``), taken from the file scan itself:
    read above a cache, Spark no longer knows it. A frame cached here is added to ``cached``,
    for the store to release when it closes.
    """
    from pyspark.sql import functions as F  # noqa: N812, PLC0415 - optional extra

    if name == "parquet":
        frame = spark.read.parquet(*paths)
        return frame.withColumn(_FILE, F.input_file_name()), F.lit(False)
    if name in ("csv", "tsv"):
        frame = spark.read.csv(paths, header=True, sep="\t" if name == "tsv" else ",")
        return frame.withColumn(_FILE, F.input_file_name()), F.lit(False)
    if name == "jsonl":
        # Cached so that the malformed records are told apart once, from the full parse.
        frame = (
            spark.read.json(paths, mode="PERMISSIVE", columnNameOfCorruptRecord=_CORRUPT)
            .withColumn(_FILE, F.input_file_name())
            .cache()
        )
        cached.append(frame)
        if _CORRUPT in frame.columns:
            return frame, F.col(_CORRUPT).isNotNull()
        return frame, F.lit(False)
    lines = spark.read.text(paths).where(F.trim("value") != "")
    pattern = F.lit(LOGFMT_PAIR)
    pairs = lines.select(
        F.regexp_extract_all("value", pattern, 1).alias("k"),
        F.regexp_extract_all("value", pattern, 2).alias("v"),
        F.input_file_name().alias(_FILE),
    )
    sample = pairs.limit(20000).select(F.explode("k").alias("key")).distinct().collect()
    keys = sorted({str(r["key"]) for r in sample})
    columns = []
    for key in keys:
        at = F.array_position("k", F.lit(key)).cast("int")
        raw = F.when(at > 0, F.element_at("v", F.greatest(at, F.lit(1))))
        unquoted = F.regexp_replace(
            F.regexp_replace(F.regexp_extract(raw, r'^"(.*)"$', 1), r'\\"', '"'), r"\\\\", "\\\\"
        )
        columns.append(F.when(raw.startswith('"'), unquoted).otherwise(raw).alias(key))
    frame = pairs.select(*columns, (F.size("k") == 0).alias(_MALFORMED), _FILE)
    return frame, F.col(_MALFORMED)


def _timestamp(column: Column, dtype: str) -> Column:
    from pyspark.sql import functions as F  # noqa: N812, PLC0415 - optional extra

    def epoch(num: Column) -> Column:
        size = F.abs(num)
        micros = (
            F.when(size >= 1e17, num / 1e3)
            .when(size >= 1e14, num)
            .when(size >= 1e11, num * 1e3)
            .otherwise(num * 1e6)
        )
        return F.timestamp_micros(F.round(micros).cast("long"))

    if dtype.startswith(_TIMESTAMP_TYPES):
        return column.cast("timestamp")
    if dtype.startswith(_NUMBER_TYPES):
        return epoch(column.cast("double"))
    text = column.cast("string")
    return F.when(text.rlike(r"^-?[0-9]+(\.[0-9]+)?$"), epoch(text.try_cast("double"))).otherwise(
        F.try_to_timestamp(text)
    )


def _normalise(frame: DataFrame, malformed: Column, fields: dict[str, str]) -> DataFrame:
    """The source columns as ``events`` rows: the same columns and rules as the DuckDB loader."""
    from pyspark.sql import functions as F  # noqa: N812, PLC0415 - optional extra

    from incident_nb.sources.logs.loader import SQL_TYPES  # noqa: PLC0415

    types = dict(frame.dtypes)
    spark_types = {"VARCHAR": "string", "INTEGER": "int", "DOUBLE": "double"}
    ts_col = fields["ts"]
    cols = [_timestamp(F.col(f"`{ts_col}`"), types[ts_col]).alias("ts")]
    for name, sql_type in SQL_TYPES.items():
        source = fields.get(name)
        if source is None:
            cols.append(F.lit(None).cast(spark_types[sql_type]).alias(name))
            continue
        value = F.col(f"`{source}`").try_cast(spark_types[sql_type])
        if name == "latency_ms" and DURATION_TO_MS.get(source, 1.0) != 1.0:
            value = value * F.lit(DURATION_TO_MS[source])
        cols.append(value.alias(name))
    out = frame.select(*cols, malformed.alias("malformed"), F.col(_FILE).alias("file"))
    out = out.withColumn("is_error", F.expr(logsql.IS_ERROR))
    # Messages and request ids are kept for errors only, as in the DuckDB loader.
    for name in ("message", "request_id"):
        out = out.withColumn(name, F.when(F.col("is_error"), F.col(name)))
    return out


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
        _check_scheme(name)
        if not _is_uri(name) and not Path(name).is_file():
            raise EvidenceError(f"log file not found: {name}")
    # Absolute, so that a Spark Connect server or a cluster's executors find them too.
    names = [name if _is_uri(name) else str(Path(name).resolve()) for name in names]
    spark = spark_session(spec)
    cached: list[DataFrame] = []
    try:
        with _zone(spark, tz):
            lines, fields, events = _load_events(spark, names, mapping or {}, fmt, cached)
    except BaseException:
        _release(spark, cached, tz)
        raise
    return SparkLogStore(spark, lines, fields, events=events, cached=cached, tz=tz)


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
) -> tuple[LineReport, dict[str, str], DataFrame]:
    """Make the usable events the ``events`` view; return the line accounting and fields."""
    from pyspark.sql import functions as F  # noqa: PLC0415, N812 - optional extra

    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(_format_of(name, fmt), []).append(name)
    parts: list[DataFrame] = []
    fields: dict[str, str] = {}
    for form, group in groups.items():
        try:
            frame, bad = _read(spark, form, group, cached)
        except Exception as exc:
            if (named := _unreadable(exc, group)) is not None:
                raise named from None
            raise
        schema = {c: t for c, t in frame.dtypes if c not in (_CORRUPT, _MALFORMED, _FILE)}
        chosen = {n: c for n, cands in FIELD_CANDIDATES.items() if (c := pick_field(schema, cands))}
        chosen.update(override_fields(mapping, schema))
        if "ts" not in chosen:
            raise EvidenceError(
                f"no timestamp field in {', '.join(group)}: looked for "
                f"{', '.join(FIELD_CANDIDATES['ts'])}; found fields {', '.join(sorted(schema))}; "
                "name it with --map timestamp=FIELD"
            )
        parts.append(_normalise(frame, bad, chosen))
        for key, col in chosen.items():
            fields.setdefault(key, col)
    events = parts[0]
    for part in parts[1:]:
        events = events.unionByName(part)
    events = events.cache()
    cached.append(events)
    row = events.agg(
        F.count(F.lit(1)).alias("total"),
        F.count(F.when(F.col("malformed"), 1)).alias("malformed"),
        F.count(F.when(F.col("ts").isNull() & ~F.col("malformed"), 1)).alias("bad_ts"),
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
    usable = events.where(F.col("ts").isNotNull() & ~F.col("malformed")).drop("malformed", "file")
    usable.createOrReplaceTempView("events")
    return report, fields, usable


class SparkLogStore(LogStore):
    """A :class:`LogStore` whose ``events`` live in Spark; results come back as pandas."""

    def __init__(
        self,
        spark: SparkSession,
        lines: LineReport,
        fields: dict[str, str],
        *,
        events: DataFrame,
        cached: list[DataFrame],
        tz: str = "UTC",
    ):
        self._spark = spark
        self._events = events
        self._cached = cached
        self._tz = tz
        self._closed = False
        self.lines = lines
        self.fields = fields
        self.rows_collected = 0
        """Rows brought back to the driver so far (aggregates and bounded samples only)."""

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
