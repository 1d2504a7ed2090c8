"""Spark for the Spark tests: what is installed, and a Spark Connect server started from pyspark.

pyspark ships Spark's jars and launch scripts, the Connect server among them; the server runs
here as a JVM in its own process group bound to 127.0.0.1, and is stopped with that group.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import warnings
from pathlib import Path

import httpx

CONNECT_SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"
QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
"""For tests: a JVM up for a minute of small queries spends half its CPU in the C2 compiler."""
STARTED = "Spark Connect server started"
"""What the server logs once its gRPC port accepts sessions."""


def spark_ready() -> bool:
    """pyspark is installed and there is a Java to run Spark with."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


def connect_client_ready() -> bool:
    """The Spark Connect client's dependencies (the ``spark`` extra) are installed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyspark's notice on pandas releases it has not tested
            import grpc  # noqa: F401
            import pyspark.sql.connect.session  # noqa: F401
    except ImportError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def spark_env() -> dict[str, str]:
    """This process's environment for a Spark JVM, without a client's Connect settings."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SPARK_CONNECT", "SPARK_REMOTE"))
    }
    env["SPARK_LOCAL_IP"] = "127.0.0.1"
    env["SPARK_HOME"] = str(spark_home())
    return env


class ConnectServer:
    """A Spark Connect server (``local[2]``) on 127.0.0.1, started from pyspark's jars."""

    def __init__(self, folder: Path, timeout: float = 120, java_options: str = QUICK_JVM) -> None:
        self.port = free_port()
        self.url = f"sc://127.0.0.1:{self.port}"
        self.ui = f"http://127.0.0.1:{free_port()}"
        """The server's web UI, whose REST API lists what it holds cached."""
        self.log = folder / "connect-server.log"
        command = [
            str(spark_home() / "bin" / "spark-submit"),
            "--class",
            CONNECT_SERVER,
            "--name",
            "Spark Connect server",
            "--master",
            "local[2]",
            *(("--driver-java-options", java_options) if java_options else ()),
            *("--conf", "spark.connect.grpc.binding.address=127.0.0.1"),
            *("--conf", f"spark.connect.grpc.binding.port={self.port}"),
            *("--conf", "spark.driver.host=127.0.0.1"),
            *("--conf", "spark.driver.bindAddress=127.0.0.1"),
            *("--conf", f"spark.ui.port={self.ui.rsplit(':', 1)[1]}"),
            *("--conf", "spark.sql.shuffle.partitions=4"),
        ]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=spark_env(),
                cwd=folder,
                start_new_session=True,  # its own process group: spark-submit and the JVM
            )
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Connect server exited:\n{self.tail()}")
            if STARTED in self.log.read_text(errors="replace"):
                with socket.create_connection(("127.0.0.1", self.port), timeout=5):
                    return
            time.sleep(0.25)
        raise RuntimeError(f"the Connect server did not start in {timeout:.0f} s:\n{self.tail()}")

    def cached(self) -> list[str]:
        """The names of the cached datasets the server holds (the UI's storage tab)."""
        api = f"{self.ui}/api/v1/applications"
        (app,) = httpx.get(api, timeout=10).json()
        rdds = httpx.get(f"{api}/{app['id']}/storage/rdd", timeout=10).json()
        return [str(rdd["name"]) for rdd in rdds]

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server's process group: SIGTERM, then SIGKILL after 30 s."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
