"""Spark's reading of log files: each format into a DataFrame, normalised into ``events`` rows.

The files are local paths or URIs the cluster reads; their columns are mapped by the same field
conventions and rules as the DuckDB loader (timestamps, epoch units, durations, errors), and every
record stays countable as parsed or malformed. Only DataFrame calls: a driver in this process and
Spark Connect alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from incident_nb.core.errors import EvidenceError
from incident_nb.sources import logsql
from incident_nb.sources.logs.fields import Choice
from incident_nb.sources.logs.formats import detect, get_format
from incident_nb.sources.logs.levels import LEVEL_NAMES, level_name_sql, severity_sql
from incident_nb.sources.logs.remote import INSTALL as REMOTE_INSTALL
from incident_nb.sources.logs.remote import display, scheme
from incident_nb.sources.logs.routes import route_sql
from incident_nb.sources.logs.textlines import LOGFMT_PAIR
from incident_nb.sources.logs.values import PLAUSIBLE, duration_factor, endpoint_expr

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

SPARK_FORMATS = ("jsonl", "logfmt", "csv", "tsv", "parquet")
_TIMESTAMP_TYPES = ("timestamp", "timestamp_ntz", "date")
_NUMBER_TYPES = ("bigint", "int", "double", "float", "smallint", "decimal", "long")
_DUCK_TYPES = {
    "bigint": "BIGINT",
    "int": "INTEGER",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
}
"""Spark column types -> the DuckDB type the level and outcome SQL is written for (others are
text)."""
CORRUPT, MALFORMED, FILE = "_corrupt_record", "_malformed", "_file"
"""Columns of this module's own beside the source's: a bad record, and the file of a row."""


def is_uri(path: str) -> bool:
    """Whether ``path`` is a URI for the cluster to read rather than a local path."""
    return "://" in path


def check_scheme(path: str) -> None:
    """Refuse up front a scheme Spark cannot read logs from, naming the way out."""
    if scheme(path) in ("http", "https"):
        raise EvidenceError(
            f"{display(path)}: Spark cannot read logs over {scheme(path)}:// (Hadoop's HTTP "
            "filesystem cannot list files); read them with --engine duckdb, or copy them to "
            "storage the cluster reads (s3a://, gs://, hdfs://)"
        )


def unreadable(exc: Exception, paths: list[str]) -> EvidenceError | None:
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


def format_of(path: str, fmt: str) -> str:
    """The format Spark reads ``path`` as: ``fmt`` unless ``auto``; refused if not read here."""
    if fmt != "auto":
        name = get_format(fmt).name
    elif is_uri(path):
        base = path.lower().removesuffix(".gz")
        name = next((f for f in SPARK_FORMATS if base.endswith(get_format(f).suffixes)), "jsonl")
    else:
        found = detect(path)
        name = found.format.name
        if found.envelope is not None:
            raise EvidenceError(
                f"{path}: logs inside a {found.envelope.name} envelope are read by --engine "
                f"duckdb only; Spark reads {', '.join(SPARK_FORMATS)} files as they are"
            )
    if name not in SPARK_FORMATS:
        raise EvidenceError(
            f"{path}: {name} logs are read by --engine duckdb only; Spark reads "
            f"{', '.join(SPARK_FORMATS)} (flat fields, no container envelopes)"
        )
    return name


def read_frame(
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
        return frame.withColumn(FILE, F.input_file_name()), F.lit(False)
    if name in ("csv", "tsv"):
        frame = spark.read.csv(paths, header=True, sep="\t" if name == "tsv" else ",")
        return frame.withColumn(FILE, F.input_file_name()), F.lit(False)
    if name == "jsonl":
        # Cached so that the malformed records are told apart once, from the full parse.
        frame = (
            spark.read.json(paths, mode="PERMISSIVE", columnNameOfCorruptRecord=CORRUPT)
            .withColumn(FILE, F.input_file_name())
            .cache()
        )
        cached.append(frame)
        if CORRUPT in frame.columns:
            return frame, F.col(CORRUPT).isNotNull()
        return frame, F.lit(False)
    lines = spark.read.text(paths).where(F.trim("value") != "")
    pattern = F.lit(LOGFMT_PAIR)
    pairs = lines.select(
        F.regexp_extract_all("value", pattern, 1).alias("k"),
        F.regexp_extract_all("value", pattern, 2).alias("v"),
        F.input_file_name().alias(FILE),
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
    frame = pairs.select(*columns, (F.size("k") == 0).alias(MALFORMED), FILE)
    return frame, F.col(MALFORMED)


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


def _spark_sql(sql: str) -> str:
    """A DuckDB SQL expression of this package (levels) in Spark SQL."""
    return logsql.render(sql, "spark")


def normalise(frame: DataFrame, malformed: Column, choice: Choice) -> DataFrame:
    """The source columns as ``events`` rows: the same columns and rules as the DuckDB loader."""
    from pyspark.sql import functions as F  # noqa: N812, PLC0415 - optional extra

    from incident_nb.sources.logs.names import NAMES, PLACEHOLDERS  # noqa: PLC0415
    from incident_nb.sources.logs.normalise import (  # noqa: PLC0415
        ERRORS_ONLY,
        SQL_TYPES,
        outcome_of,
    )

    types = dict(frame.dtypes)
    spark_types = {"VARCHAR": "string", "INTEGER": "int", "DOUBLE": "double"}
    ts_col = choice.first("ts")
    assert ts_col is not None
    low, high = PLAUSIBLE
    ts = _timestamp(F.col(f"`{ts_col}`"), types[ts_col])
    cols = [F.when((ts >= F.lit(low)) & (ts < F.lit(high)), ts).alias("ts")]
    for name, sql_type in SQL_TYPES.items():
        source = choice.first(name)
        if name in ("level", "severity"):
            continue
        if source is None:
            cols.append(F.lit(None).cast(spark_types[sql_type]).alias(name))
            continue
        if name == "endpoint":  # a whole URL's path, as DuckDB reads it (its route: below)
            value = F.expr(_spark_sql(endpoint_expr('"' + source.replace('"', '""') + '"')))
        else:
            value = F.col(f"`{source}`").try_cast(spark_types[sql_type])
        if name == "latency_ms":
            factor = duration_factor(source, choice.units.get(source))
            value = value if factor == 1 else value * F.lit(factor)
        if name == "status":
            value = F.when(value.between(100, 599), value)
        if name in NAMES:
            value = F.when(~value.isin(*PLACEHOLDERS), value)
        cols.append(value.alias(name))
    levels = [
        _spark_sql(severity_sql(f'"{c}"', _DUCK_TYPES.get(types[c], "VARCHAR"), choice.scale(c)))
        for c in choice.columns.get("level", ())
    ]
    if choice.level_default:
        levels.append(str(LEVEL_NAMES[choice.level_default]))
    severity = F.coalesce(*map(F.expr, levels)) if levels else F.lit(None)
    cols.append(severity.cast("int").alias("severity"))
    duck_types = {c: _DUCK_TYPES.get(t, "VARCHAR") for c, t in types.items()}
    outcome = F.expr(_spark_sql(outcome_of(choice, duck_types))).cast("boolean")
    cols.append(outcome.alias("outcome"))
    out = frame.select(*cols, malformed.alias("malformed"), F.col(FILE).alias("file"))
    out = out.withColumn("endpoint", F.expr(_spark_sql(route_sql("endpoint"))))
    out = out.withColumn("level", F.expr(_spark_sql(level_name_sql("severity"))))
    out = out.withColumn("is_error", F.expr(logsql.IS_ERROR))
    # Messages and ids are kept for errors only, as in the DuckDB loader.
    for name in ERRORS_ONLY:
        out = out.withColumn(name, F.when(F.col("is_error"), F.col(name)))
    return out
