"""``incident-nb analyze`` on a multi-million-line JSONL log, as ratios against baselines.

In one run, each command a fresh subprocess after warming the page cache (``cat FILE``):
- the whole ``analyze --json`` command (start-up included, snapshot written) against one
  hand-written DuckDB query computing per-minute error rate and p50/p95/p99 (target <= 1.2x);
- against naive pandas ``read_json(lines=True)`` + groupby (target: at least 3.5x faster);
- its peak RSS (target <= 1 GB), from ``/usr/bin/time -v``;
- re-analysis from the Parquet snapshot against the first pass (target <= 1/5);
- lines/s and MB/s beside the raw read speed of the file;
- the start-up floor: a Python process that only imports what the analysis needs (DuckDB,
  pandas and the analysis modules), reading no data.

Usage: python bench/bench_analyze.py [--lines N] [--skip-pandas]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

GENERATE = """
COPY (
  SELECT strftime(TIMESTAMPTZ '2026-11-20 12:00:00+00' + to_microseconds(i * $step),
                  '%Y-%m-%dT%H:%M:%S.%fZ') AS ts,
         'tenant-' || (hash(i) % 200)::VARCHAR AS tenant_id,
         '/api/v1/e' || (hash(i * 7) % 30)::VARCHAR AS endpoint,
         CASE WHEN (i BETWEEN $on AND $off) AND hash(i) % 30 = 3 AND hash(i * 7) % 4 = 0 THEN 500
              WHEN hash(i * 3) % 1000 < 3 THEN 503 ELSE 200 END AS status,
         round(20 + (hash(i * 11) % 1000) / 10.0
               + CASE WHEN i BETWEEN $on AND $off THEN (hash(i * 5) % 900) ELSE 0 END, 3)
           AS latency_ms,
         CASE WHEN hash(i * 3) % 1000 < 3 THEN 'upstream timeout after ' || (i % 97) || ' ms'
              WHEN (i BETWEEN $on AND $off) AND hash(i) % 30 = 3 AND hash(i * 7) % 4 = 0
              THEN 'DatabaseError: column discount_code does not exist (order ' || i || ')'
              ELSE 'ok' END AS message,
         'req-' || i::VARCHAR AS request_id,
         'info' AS level
  FROM range($lines) t(i)
) TO '{path}' (FORMAT json)
"""

ONE_QUERY = """
import duckdb, sys
duckdb.sql("SET TimeZone='UTC'")
duckdb.execute('''
SELECT date_trunc('minute', CAST(ts AS TIMESTAMPTZ)) AS minute, count(*) AS requests,
       count(*) FILTER (WHERE status >= 500) / count(*) AS error_rate,
       quantile_cont(latency_ms, [0.5, 0.95, 0.99]) AS pct
FROM read_json(?, format='newline_delimited') GROUP BY 1 ORDER BY 1''', [sys.argv[1]]).fetchall()
"""

IMPORTS_ONLY = "import incident_nb.evidence.analysis, incident_nb.sources.logs.loader"

NAIVE_PANDAS = """
import pandas as pd, sys
df = pd.read_json(sys.argv[1], lines=True)
df["minute"] = pd.to_datetime(df["ts"], utc=True).dt.floor("min")
df["error"] = df["status"] >= 500
g = df.groupby("minute")
out = g["error"].mean().to_frame("error_rate").join(
    g["latency_ms"].quantile([0.5, 0.95, 0.99]).unstack())
"""


def generate(path: Path, lines: int) -> None:
    """Write a JSONL service log of ``lines`` lines over one hour with an incident in it."""
    step = 3_600_000_000 // lines
    sql = GENERATE.format(path=str(path).replace("'", "''"))
    duckdb.execute(sql, {"step": step, "lines": lines, "on": lines * 6 // 10, "off": lines})


def timed(cmd: list[str], warm: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (GiB) of ``cmd``, after reading ``warm`` into the page cache."""
    subprocess.run(["cat", str(warm)], stdout=subprocess.DEVNULL, check=True)
    began = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - began
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return wall, (int(rss.group(1)) / 2**20 if rss else float("nan"))


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "service.jsonl"
        snap = Path(tmp) / "evidence"
        generate(log, args.lines)
        size_mb = log.stat().st_size / 1e6
        print(f"log: {args.lines:,} lines, {size_mb:.0f} MB")
        read, _ = timed(["sh", "-c", 'cat "$0" > /dev/null', str(log)], log)
        query, query_rss = timed([py, "-c", ONE_QUERY, str(log)], log)
        exe = str(Path(py).parent / "incident-nb")
        cli = [exe, "analyze", "--logs", str(log), "--json"]
        first, first_rss = timed(cli, log)
        snapped, snapped_rss = timed([*cli, "--snapshot", str(snap)], log)
        again, again_rss = timed([exe, "analyze", "--from-snapshot", str(snap), "--json"], log)
        floor, floor_rss = timed([py, "-c", IMPORTS_ONLY], log)
        rows = [
            ("raw read (cat, warm)", read, float("nan")),
            ("one DuckDB query (baseline)", query, query_rss),
            ("incident-nb analyze --json", first, first_rss),
            ("incident-nb analyze --json --snapshot", snapped, snapped_rss),
            ("re-analysis from the Parquet snapshot", again, again_rss),
            ("start-up floor (imports, no data)", floor, floor_rss),
        ]
        if not args.skip_pandas:
            naive, naive_rss = timed([py, "-c", NAIVE_PANDAS, str(log)], log)
            rows.append(("naive pandas read_json + groupby", naive, naive_rss))
        for name, wall, rss in rows:
            print(f"{name:42s} {wall:7.2f} s  {rss:5.2f} GiB")
        print(f"analyze / one query:        {first / query:5.2f}x   (target <= 1.2x)")
        if not args.skip_pandas:
            print(f"naive pandas / analyze:     {naive / first:5.2f}x   (target >= 3.5x)")
        print(f"analyze peak RSS:           {first_rss:5.2f} GiB (target <= 1 GiB)")
        print(f"with --snapshot / query:    {snapped / query:5.2f}x")
        print(f"snapshot / first pass:      {again / snapped:5.2f}    (target <= 0.20)")
        print(f"start-up floor / one query: {floor / query:5.2f}x")
        print(f"start-up floor / first pass:{floor / snapped:5.2f}")
        print(
            f"throughput: {args.lines / first:,.0f} lines/s, {size_mb / first:,.0f} MB/s "
            f"(raw read {size_mb / read:,.0f} MB/s)"
        )


if __name__ == "__main__":
    main()
