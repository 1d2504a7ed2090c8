"""The same ``analyze`` on DuckDB, on Spark in local mode and through Spark Connect.

In one run, on one generated JSONL service log (default 2M lines):
- ``incident-nb analyze --json`` with DuckDB (the baseline) and with ``--engine spark``
  (``local[2]``; JVM start-up included), each a fresh process after warming the page cache;
- the same through ``--engine sc://127.0.0.1:PORT``: a Spark Connect server (``local[2]``,
  started from pyspark's jars before the clock starts), first cold, then warm; the client
  process holds no JVM, so its memory is the client's alone;
- the rows the Spark run brought back to the driver, beside the lines it read.

Usage: python bench/bench_spark.py [--lines N] [--skip-connect]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_analyze import generate, timed

from incident_nb.evidence.logs import analyze_store
from incident_nb.sources.logs.engines import parse_engine
from incident_nb.sources.logs.spark import open_spark
from tests.spark_servers import ConnectServer


def rows_collected(log: Path) -> int:
    """Rows the Spark analysis brought back to the driver."""
    store = open_spark([log], parse_engine("spark"))
    try:
        analyze_store(store)
        return store.rows_collected
    finally:
        store.close()


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--skip-connect", action="store_true")
    args = parser.parse_args()
    exe = str(Path(sys.executable).parent / "incident-nb")
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "service.jsonl"
        generate(log, args.lines)
        size_mb = log.stat().st_size / 1e6
        print(f"log: {args.lines:,} lines, {size_mb:.0f} MB")
        cli = [exe, "analyze", "--logs", str(log), "--json"]
        duck, duck_rss = timed(cli, log)
        spark, spark_rss = timed([*cli, "--engine", "spark"], log)
        connect = []
        if not args.skip_connect:
            began = time.perf_counter()
            server = ConnectServer(Path(tmp), java_options="")  # the JVM's own defaults
            started = time.perf_counter() - began
            try:
                connect = [timed([*cli, "--engine", server.url], log) for _ in range(2)]
            finally:
                server.stop()
        began = time.perf_counter()
        rows = rows_collected(log)
        in_process = time.perf_counter() - began
        print(f"{'analyze, DuckDB (baseline)':40s} {duck:7.2f} s  {duck_rss:5.2f} GiB")
        print(f"{'analyze --engine spark (local[2])':40s} {spark:7.2f} s  {spark_rss:5.2f} GiB")
        print(f"{'Spark analysis in a warm process':40s} {in_process:7.2f} s")
        if connect:
            (cold, cold_rss), (warm, warm_rss) = connect
            print(f"{'Connect server start (not counted)':40s} {started:7.2f} s")
            print(
                f"{'analyze --engine sc:// (server cold)':40s} {cold:7.2f} s  {cold_rss:5.2f} GiB"
            )
            print(
                f"{'analyze --engine sc:// (server warm)':40s} {warm:7.2f} s  {warm_rss:5.2f} GiB"
            )
        print(f"spark / duckdb:             {spark / duck:5.2f}x")
        if connect:
            print(f"connect cold / duckdb:      {cold / duck:5.2f}x")
            print(f"connect warm / duckdb:      {warm / duck:5.2f}x")
        print(f"rows back to the driver:    {rows:,} for {args.lines:,} lines read")


if __name__ == "__main__":
    main()
