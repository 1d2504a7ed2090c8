"""The Spark session an analysis runs in: a driver in this process, or a Spark Connect client.

``spark`` and ``spark://HOST:PORT`` start (or reuse) a classic driver in this process, which
needs Java; ``sc://HOST:PORT`` opens a session on a Spark Connect server, which needs only the
Connect client (gRPC, Arrow) and a server that answers. pyspark cannot mix the two in one
process, nor switch a running driver to another master: each case is refused with what to do
instead. A Connect server that does not answer is reported after a bounded wait, not retried
for minutes.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs.engines import EngineSpec

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

INSTALL = "pip install 'incident-nb[spark]'"
CONNECT_WAIT = 15.0
"""Seconds to wait for a Spark Connect server to accept the connection."""
CONNECT_RETRIES = 6
"""Retries of a Spark Connect call that failed on the way (about 45 s in all, not 10 min)."""
_PANDAS_NOTICE = "PySpark does not yet fully support pandas"


def _check_java() -> None:
    home = os.environ.get("JAVA_HOME", "")
    if (home and (Path(home) / "bin" / "java").is_file()) or shutil.which("java"):
        return
    raise EvidenceError(
        "--engine spark needs Java 17 or newer, and none was found (no java on PATH, no "
        "JAVA_HOME); install a JDK (e.g. apt-get install openjdk-17-jre-headless) or set "
        "JAVA_HOME, or use --engine duckdb"
    )


def is_connect(spark: SparkSession) -> bool:
    """Whether ``spark`` is a Spark Connect session (not a driver in this process)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


def spark_session(spec: EngineSpec, wait: float | None = None) -> SparkSession:
    """A new Spark session for ``spec``: on a Connect server, or on this process's driver.

    Args:
        spec: the engine (a master, or a Spark Connect address).
        wait: seconds to wait for a Spark Connect server to answer (:data:`CONNECT_WAIT`).

    Raises:
        EvidenceError: pyspark (or its Connect client) is not installed (names the install
            line), Java is missing, the Connect server does not answer, or this process
            already runs another kind of Spark.
    """
    try:
        from pyspark.sql import SparkSession, is_remote  # noqa: PLC0415 - optional extra
    except ImportError:
        raise EvidenceError(f"--engine spark needs pyspark; install it with: {INSTALL}") from None
    if spec.remote:
        return _connect(spec, CONNECT_WAIT if wait is None else wait)
    if is_remote():
        raise EvidenceError(
            f"this Python process already uses Spark Connect, and pyspark cannot also run a "
            f"Spark driver ({spec.master}) in it; run --engine {spec.label} in a new process "
            "(restart the notebook's kernel), or keep to sc://HOST:PORT"
        )
    _check_java()
    builder = (
        SparkSession.builder.appName("incident-nb")
        .master(spec.master)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if spec.master.startswith("local"):
        builder = (
            builder.config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
        )
    driver = builder.getOrCreate()
    running = driver.sparkContext.master
    if running != spec.master:
        # getOrCreate hands back the driver already running, whatever master was asked for.
        raise EvidenceError(
            f"this Python process already runs a Spark driver on {running}, and pyspark cannot "
            f"start another on {spec.master}; run --engine {spec.label} in a new process "
            "(restart the notebook's kernel)"
        )
    # A session of its own on the driver: its views and time zone are not the notebook's.
    session = driver.newSession()
    session.conf.set("spark.sql.session.timeZone", "UTC")
    if spec.master.startswith("local"):
        session.conf.set("spark.sql.shuffle.partitions", "4")
    return session


def _connect(spec: EngineSpec, wait: float) -> SparkSession:
    """A new session on the Spark Connect server of ``spec``, once it has answered."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_PANDAS_NOTICE)
            import grpc  # noqa: PLC0415 - optional extra
            from pyspark.sql import SparkSession  # noqa: PLC0415
            from pyspark.sql.connect.client import DefaultChannelBuilder  # noqa: PLC0415
            from pyspark.sql.connect.client.retries import DefaultPolicy  # noqa: PLC0415
    except ImportError as exc:
        raise EvidenceError(
            f"--engine {spec.label} needs the Spark Connect client ({exc}); install it with: "
            f"{INSTALL}"
        ) from None
    try:
        channels = DefaultChannelBuilder(spec.remote)
    except ValueError:
        # pyspark's message quotes the whole address, which may hold a token.
        raise EvidenceError(
            f"--engine {spec.label}: not a Spark Connect address; write it as sc://HOST:PORT, "
            "with any parameters after /; as key=value pairs"
        ) from None
    channel = channels.toChannel()
    try:
        grpc.channel_ready_future(channel).result(timeout=wait)
    except grpc.FutureTimeoutError:
        raise EvidenceError(
            f"no Spark Connect server answered at {channels.endpoint} ({spec.label}) within "
            f"{wait:g} s; start one there (sbin/start-connect-server.sh of Spark 4), check "
            "the host, the port (Spark's default is 15002) and any firewall between, or use "
            "--engine spark (local) or duckdb"
        ) from None
    finally:
        channel.close()
    session = SparkSession.builder.remote(spec.remote).create()
    # Backing off up to 30 s a time, so that a server gone mid-analysis is reported in under a
    # minute; pyspark's default keeps trying for ten.
    policy = DefaultPolicy(max_retries=CONNECT_RETRIES, max_backoff=30_000)
    session.client.set_retry_policies([policy])
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return session
