"""Reading and analysing trace files, as ratios against parsing the same file with ``json``.

For each format (OTLP/JSON document, OTLP JSON lines, Jaeger API JSON) of the same generated
traces, in one run: ``json.loads`` of the file alone (the baseline), ``read_traces`` (parse,
normalise, build the spans frame) and the analysis (``trace_summary``), with spans/s and MB/s;
each the best of three runs.

Usage: python bench/bench_traces.py [--traces N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incident_nb.analysis.traces import trace_summary
from incident_nb.sources.traces import read_traces
from tests.trace_scenario import TraceSet


def seconds(work: Callable[[], object], repeat: int = 3) -> float:
    """The best of ``repeat`` runs (the machine is shared)."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - began)
    return best


def parse_json(documents: list[str]) -> list[object]:
    """The baseline: only parse the JSON."""
    return [json.loads(d) for d in documents]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--traces", type=int, default=20_000)
    n = parser.parse_args().traces
    traces = TraceSet(traces=n, db_failures=n * 27 // 200, inventory_failures=n * 3 // 200)
    with tempfile.TemporaryDirectory() as tmp:
        files = {
            "otlp": traces.write_otlp(Path(tmp) / "t.otlp.json"),
            "otlp-lines": traces.write_otlp(Path(tmp) / "t.otlp.jsonl", lines_of=100),
            "jaeger": traces.write_jaeger(Path(tmp) / "t.jaeger.json"),
        }
        print(f"{n} traces, {len(traces.spans)} spans")
        for name, path in files.items():
            text = path.read_text()
            mb = len(text) / 1e6
            lines = text.splitlines() if name == "otlp-lines" else [text]
            base = seconds(partial(parse_json, lines))
            spans, report = read_traces([path])
            read = seconds(partial(read_traces, [path]))
            analysis = seconds(partial(trace_summary, spans))
            print(
                f"{name:11} {mb:6.1f} MB  json {base:5.2f} s  read_traces {read:5.2f} s "
                f"({read / base:.1f}x json, {report.spans / read:,.0f} spans/s, "
                f"{mb / read:.1f} MB/s)  analysis {analysis:5.2f} s ({analysis / base:.1f}x json)"
            )


if __name__ == "__main__":
    main()
