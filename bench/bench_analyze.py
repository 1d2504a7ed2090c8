"""``incident-nb analyze`` on multi-million-line JSONL logs, as ratios against baselines.

For each size, in rounds, each command a fresh subprocess after warming the page cache
(``cat FILE``), the commands taking turns so that a busy machine slows them alike; the figures
are the medians over the rounds, and each ratio is the median of the ratios within a round:
- the whole ``analyze --json`` command (start-up included) against one hand-written DuckDB query
  computing the per-minute error rate and p50/p95/p99 (target at 10M lines: <= 1.3x);
- ``analyze --json --snapshot DIR``, which writes the evidence snapshot in the same pass (target:
  it adds <= 25% to the plain analyze);
- ``analyze --from-snapshot DIR --json`` against that first pass (target at 10M: <= 0.2), with
  the answers the first pass kept, and once more without them (its questions all asked of the
  events again, as for a new window);
- the peak RSS of each (target at 10M and 50M lines: <= 1 GiB), from ``/usr/bin/time -v``;
- at 2M lines, naive pandas ``read_json(lines=True)`` + groupby (target: >= 8x slower);
- the start-up floor: a Python process that only imports what the analysis needs.

The 2M-line log is generated (one hour, an incident in its last 40%); the 10M and 50M ones,
opt-in (``--10m``, ``--50m``), repeat it 5 and 25 times (``cat``), so they are 1.7 and 8.7 GB:
the temporary folder needs room for them (``TMPDIR``), and everything is removed at the end.
``--against DIR`` also runs ``analyze`` from another checkout (its ``incident_nb`` first on
``PYTHONPATH``), taking turns with this one: the figures before and after a change.
Each checkout's modules are compiled to bytecode before the rounds, as a package's are when it
is installed: a process started where bytecode is not written (``PYTHONDONTWRITEBYTECODE``)
would otherwise compile them on every run, and the figures would include Python's compiler.

Usage: python bench/bench_analyze.py [--10m] [--50m] [--rounds N] [--big-rounds N]
                                     [--skip-pandas] [--against DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import duckdb

BASE_LINES = 2_000_000
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

IMPORTS_ONLY = (  # the analysis itself, which analyze imports while DuckDB parses
    "import incident_nb.evidence.analysis, incident_nb.evidence.logs, "
    "incident_nb.sources.logs.loader"
)

NAIVE_PANDAS = """
import pandas as pd, sys
df = pd.read_json(sys.argv[1], lines=True)
df["minute"] = pd.to_datetime(df["ts"], utc=True).dt.floor("min")
df["error"] = df["status"] >= 500
g = df.groupby("minute")
out = g["error"].mean().to_frame("error_rate").join(
    g["latency_ms"].quantile([0.5, 0.95, 0.99]).unstack())
"""
GIB = 2**30


def compile_package(checkout: Path) -> None:
    """Compile ``checkout``'s package to bytecode (its ``__pycache__``), as installing does."""
    package = checkout / "incident_nb"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def generate(path: Path, lines: int) -> None:
    """Write a JSONL service log of ``lines`` lines over one hour with an incident in it."""
    step = 3_600_000_000 // lines
    sql = GENERATE.format(path=str(path).replace("'", "''"))
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(sql, {"step": step, "lines": lines, "on": lines * 6 // 10, "off": lines})


def repeat(source: Path, times: int, path: Path) -> None:
    """``source`` written ``times`` times over into ``path`` (``cat``)."""
    with path.open("wb") as out:
        subprocess.run(["cat", *[str(source)] * times], stdout=out, check=True)


def timed(cmd: list[str], warm: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (GiB) of ``cmd``, after reading ``warm`` into the page cache."""
    subprocess.run(["cat", str(warm)], stdout=subprocess.DEVNULL, check=True)
    began = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, check=False, env=env
    )
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return wall, (int(rss.group(1)) * 1024 / GIB if rss else float("nan"))


def commands(
    log: Path, snap: Path, args: argparse.Namespace, pandas: bool
) -> list[tuple[str, list[str], dict[str, str] | None]]:
    """(name, command, environment) of every command measured on ``log``, in turn order."""
    py = sys.executable
    exe = str(Path(py).parent / "incident-nb")
    here = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    cli = [exe, "analyze", "--logs", str(log), "--json"]
    out: list[tuple[str, list[str], dict[str, str] | None]] = [
        ("raw read (cat, warm)", ["sh", "-c", 'cat "$0" > /dev/null', str(log)], None),
        ("one DuckDB query (baseline)", [py, "-c", ONE_QUERY, str(log)], None),
        ("analyze --json", cli, here),
        ("analyze --json --snapshot", [*cli, "--snapshot", str(snap)], here),
        ("analyze --from-snapshot --json", [exe, "analyze", "--from-snapshot", str(snap), "--json"], here),
        ("from-snapshot, nothing kept", ["sh", "-c", 'rm -rf "$0/.answers"; exec "$@"', str(snap), exe, "analyze", "--from-snapshot", str(snap), "--json"], here),
        ("start-up floor (imports, no data)", [py, "-c", IMPORTS_ONLY], here),
    ]  # fmt: skip
    if args.against:
        other = {**os.environ, "PYTHONPATH": str(Path(args.against).resolve())}
        out.insert(3, ("analyze --json (against)", cli, other))
        out.insert(5, ("analyze --json --snapshot (against)", [*cli, "--snapshot", str(snap)], other))  # fmt: skip
    if pandas:
        out.append(("naive pandas read_json + groupby", [py, "-c", NAIVE_PANDAS, str(log)], None))
    return out


def run_size(log: Path, lines: int, args: argparse.Namespace, pandas: bool, rounds: int) -> None:
    """Measure every command on ``log`` in ``rounds`` rounds; print medians and ratios."""
    snap = log.parent / f"evidence-{lines}"
    walls: dict[str, list[float]] = defaultdict(list)
    rss: dict[str, list[float]] = defaultdict(list)
    ratios: dict[str, list[float]] = defaultdict(list)
    measured = commands(log, snap, args, pandas)
    size_mb = log.stat().st_size / 1e6
    print(f"\n== {lines:,} lines, {size_mb:,.0f} MB; {rounds} round(s)", flush=True)
    for _ in range(rounds):
        got = {}
        for name, cmd, env in measured:
            got[name] = timed(cmd, log, env)
            walls[name].append(got[name][0])
            rss[name].append(got[name][1])
        query, first = got["one DuckDB query (baseline)"][0], got["analyze --json"][0]
        snapped = got["analyze --json --snapshot"][0]
        ratios["analyze / one query"].append(first / query)
        ratios["snapshot pass / plain analyze"].append(snapped / first)
        again = got["analyze --from-snapshot --json"][0]
        ratios["from-snapshot / plain analyze"].append(again / first)
        ratios["from-snapshot / snapshot pass"].append(again / snapped)
        cold = got["from-snapshot, nothing kept"][0]
        ratios["from-snapshot, nothing kept / plain"].append(cold / first)
        if args.against:
            ratios["analyze / against"].append(first / got["analyze --json (against)"][0])
        if pandas:
            ratios["naive pandas / analyze"].append(
                got["naive pandas read_json + groupby"][0] / first
            )
    for name, _, _ in measured:
        spread = f"{min(walls[name]):.2f}-{max(walls[name]):.2f}"
        print(
            f"  {name:38s} {statistics.median(walls[name]):7.2f} s ({spread})  "
            f"peak {statistics.median(rss[name]):5.2f} GiB"
        )
    targets = {
        "analyze / one query": "target <= 1.3x at 10M lines",
        "snapshot pass / plain analyze": "target <= 1.25",
        "from-snapshot / plain analyze": "target <= 0.2 at 10M lines",
        "from-snapshot / snapshot pass": "the first pass that wrote it",
        "from-snapshot, nothing kept / plain": "every question asked of the events again",
        "naive pandas / analyze": "target >= 8x",
        "analyze / against": "below 1: faster than the other checkout",
    }
    for name, values in ratios.items():
        each = ", ".join(f"{v:.2f}" for v in values)
        print(f"  {name:34s} {statistics.median(values):5.2f}  ({each}; {targets[name]})")
    peak = max(
        statistics.median(rss[n])
        for n, _, _ in measured
        if n.startswith("analyze --") and "(against)" not in n
    )
    print(f"  {'peak RSS of analyze':34s} {peak:5.2f} GiB (target <= 1 GiB)")
    print(f"  throughput: {lines / statistics.median(walls['analyze --json']):,.0f} lines/s")


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--10m", dest="ten", action="store_true", help="also 10M lines (1.7 GB)")
    parser.add_argument("--50m", dest="fifty", action="store_true", help="also 50M lines (8.7 GB)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--big-rounds", type=int, help="rounds at 10M and 50M lines (default: --rounds)"
    )
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--against", metavar="DIR", help="another checkout to compare with")
    args = parser.parse_args()
    for checkout in (
        Path(__file__).resolve().parent.parent,
        *([Path(args.against)] if args.against else []),
    ):
        compile_package(checkout.resolve())
    with tempfile.TemporaryDirectory(prefix="bench-analyze-") as tmp:
        base = Path(tmp) / "service-2m.jsonl"
        generate(base, BASE_LINES)
        run_size(base, BASE_LINES, args, not args.skip_pandas, args.rounds)
        for wanted, times in ((args.ten, 5), (args.fifty, 25)):
            if not wanted:
                continue
            big = Path(tmp) / f"service-{times * 2}m.jsonl"
            repeat(base, times, big)
            run_size(big, BASE_LINES * times, args, False, args.big_rounds or args.rounds)
            big.unlink()


if __name__ == "__main__":
    main()
