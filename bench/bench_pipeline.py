"""The spine's costs, as ratios against baselines measured in the same run.

- log evidence: LogStore parse + the whole Step 1 analysis, against one hand-written DuckDB query
  (per-minute error rate and p50/p95/p99) over the same file, and against reading the file's bytes;
- notebook: executing the investigation notebook, against papermill executing a one-cell notebook
  (the floor of any papermill run);
- export: the post-mortem (HTML + Markdown), against nbconvert's plain HTML export, in process.

Usage: python bench/bench_pipeline.py [--lines N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import nbformat
import papermill as pm
from nbconvert import HTMLExporter

from incident_nb.alerts import parse_alert
from incident_nb.demo.history import alert_payload
from incident_nb.demo.run import write_demo_data
from incident_nb.demo.scenario import Scenario
from incident_nb.incidents import create_incident, execute_incident
from incident_nb.notebook.params import NotebookParams
from incident_nb.notebook.session import Investigation
from incident_nb.postmortem.export import export_postmortem

ONE_QUERY = """
SELECT date_trunc('minute', CAST(ts AS TIMESTAMPTZ)) AS minute, count(*) AS requests,
       count(*) FILTER (WHERE status >= 500) AS errors,
       quantile_cont(latency_ms, [0.5, 0.95, 0.99]) AS pct
FROM read_json(?, format='newline_delimited') GROUP BY 1 ORDER BY 1
"""


def best_of(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) if runs < 3 else statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=Scenario().lines)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    scenario = Scenario(lines=args.lines)
    data = write_demo_data(scenario, work / "data")
    size_mb = data.logs.stat().st_size / 1e6

    read = best_of(3, data.logs.read_bytes)
    query = best_of(3, lambda: duckdb.connect().execute(ONE_QUERY, [str(data.logs)]).fetchall())
    folder = create_incident(
        parse_alert(alert_payload(scenario)), work / "root", [data.logs], [data.repo]
    )
    params = NotebookParams(incident_dir=str(folder), logs=[str(data.logs)], repos=[str(data.repo)])
    analysis = best_of(3, lambda: Investigation.open(params))

    trivial = work / "trivial.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, trivial)
    floor = best_of(
        3,
        lambda: pm.execute_notebook(
            str(trivial), str(trivial), progress_bar=False, kernel_name="python3"
        ),
    )
    notebook = best_of(1, lambda: execute_incident(folder))
    export = best_of(3, lambda: export_postmortem(folder, work / "docs"))
    plain = best_of(3, lambda: HTMLExporter().from_filename(str(folder / "investigation.ipynb")))
    print(f"log: {args.lines:,} lines, {size_mb:.0f} MB")
    print(f"read bytes               {read:7.2f} s  ({size_mb / read:,.0f} MB/s)")
    print(f"one DuckDB query         {query:7.2f} s  (baseline)")
    print(
        f"evidence + analysis      {analysis:7.2f} s  = {analysis / query:.2f}x one query, "
        f"{args.lines / analysis:,.0f} lines/s, {size_mb / analysis:,.0f} MB/s"
    )
    print(f"papermill one-cell floor {floor:7.2f} s  (baseline)")
    print(f"investigation notebook   {notebook:7.2f} s  = {notebook / floor:.2f}x the floor")
    print(f"plain nbconvert HTML     {plain:7.2f} s  (baseline)")
    print(f"post-mortem export       {export:7.2f} s  = {export / plain:.2f}x plain nbconvert")


if __name__ == "__main__":
    main()
