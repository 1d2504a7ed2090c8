"""``incident-nb analyze``: the Step 1 and Step 2 analysis of log files, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from incident_nb.errors import EvidenceError
from incident_nb.models import TimeWindow, parse_utc
from incident_nb.notebook.loading import analyze_logs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb analyze``."""
    parser.add_argument("--logs", action="append", required=True, type=Path, metavar="FILE")
    parser.add_argument(
        "--window",
        metavar="START,END",
        help="only events in this ISO-8601 window (UTC or with offsets)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def _window(text: str | None) -> TimeWindow | None:
    if not text:
        return None
    try:
        start, end = (parse_utc(part) for part in text.split(",", 1))
        return TimeWindow(start, end)
    except ValueError as exc:
        raise EvidenceError(f"--window {text!r}: {exc}; use START,END in ISO-8601") from None


def run(args: argparse.Namespace) -> int:
    """Analyse the logs and print the summary."""
    started = time.perf_counter()
    print(f"analysing {', '.join(map(str, args.logs))} ...", file=sys.stderr)
    assessment = analyze_logs(args.logs, window=_window(args.window))
    summary = assessment.summary()
    print(f"done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    rate = summary["error_rate"]
    lines = summary["lines"]
    out = [
        f"window     {summary['window']['start']} .. {summary['window']['end']}",
        f"lines      {lines['total']:,} read, {lines['malformed']:,} malformed, "
        f"{lines['bad_timestamp']:,} without a parsable timestamp",
        f"onset      {summary['onset'] or 'none found'}",
        f"errors     {rate['overall']:.2%} overall, {rate['since_onset']:.2%} since the onset, "
        f"peak {rate['peak']:.2%} at {rate['peak_at']}",
        f"trend      {summary['trend']['direction']} "
        f"({summary['trend']['slope_per_min'] * 100:+.2f} points/min over the last 15 min)",
        f"severity   {summary['severity_suggestion']['level']}: "
        + "; ".join(summary["severity_suggestion"]["reasons"]),
        "affected   "
        + (", ".join(t["tenant"] for t in summary["affected_tenants"]) or "no tenant"),
        "endpoints",
    ]
    for e in summary["endpoints"]:
        flag = "*" if e["affected"] else " "
        out.append(
            f"  {flag} {e['endpoint']:<32} {e['requests']:>9,} req {e['error_rate']:>7.2%} errors "
            f"p50 {e['p50_ms'] or 0:.0f} p95 {e['p95_ms'] or 0:.0f} p99 {e['p99_ms'] or 0:.0f} ms"
        )
    out.append("signatures")
    for s in summary["signatures"][:10]:
        new = " (new since onset)" if s["new_since_onset"] else ""
        out.append(f"  {s['count']:>8,}  {s['template']}{new}")
    print("\n".join(out))
    return 0
