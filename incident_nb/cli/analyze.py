"""The ``incident-nb analyze`` subcommand: analyse log files and print the summary.

``--json`` prints one JSON document (the keys of :meth:`Assessment.summary`); without it, a
readable summary. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incident_nb.cli.args import add_files, add_logs, add_map, parse_mapping
from incident_nb.core.errors import EvidenceError
from incident_nb.core.models import AnalyzeRequest
from incident_nb.sources.logs.engines import parse_engine
from incident_nb.sources.logs.formats import FORMAT_NAMES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb analyze``."""
    parser.description = (
        "Analyse service logs (onset, error rates, latency, tenants, signatures) "
        "and traces (where failing requests fail)."
    )
    add_logs(parser)
    add_files(parser, "--traces", "trace files (OTLP/JSON or Jaeger JSON): where requests fail")
    parser.add_argument(
        "--format",
        default="auto",
        choices=FORMAT_NAMES,
        help="format of every log file (default: recognised per file)",
    )
    parser.add_argument(
        "--engine",
        default="duckdb",
        metavar="ENGINE",
        help="where the queries run: duckdb (default, embedded), spark (local), "
        "spark://HOST:PORT (a cluster) or sc://HOST:PORT (Spark Connect)",
    )
    add_map(parser)
    parser.add_argument("--window", metavar="START,END", help="ISO-8601 times; either may be empty")
    parser.add_argument(
        "--tz",
        default="UTC",
        help="IANA time zone of timestamps written without an offset, in the logs and --window",
    )
    parser.add_argument(
        "--year",
        type=_year,
        metavar="YYYY",
        help="the year of timestamps written without one (syslog RFC 3164, glog, logcat): the "
        "year of the logs' first line; default: each file's modification year",
    )
    parser.add_argument(
        "--snapshot", type=Path, metavar="DIR", help="write the evidence as Parquet into DIR"
    )
    parser.add_argument(
        "--from-snapshot", type=Path, metavar="DIR", help="re-analyse a snapshot instead of logs"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")


def _year(text: str) -> int:
    """A ``--year`` value: a year the log reader accepts."""
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}; write e.g. 2025") from None
    if not 1971 <= year <= 2099:
        raise argparse.ArgumentTypeError(f"--year {year}: use a year from 1971 to 2099")
    return year


def _time(text: str, tz: ZoneInfo) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise EvidenceError(f"--window: {text!r} is not an ISO-8601 time") from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _request(args: argparse.Namespace) -> AnalyzeRequest:
    if not args.logs and args.from_snapshot is None and not args.traces:
        raise EvidenceError(
            "no logs given; pass --logs FILE (repeatable), --from-snapshot DIR or --traces FILE"
        )
    parse_engine(args.engine)  # an unknown engine fails before any work
    try:
        tz = ZoneInfo(args.tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise EvidenceError(f"unknown time zone {args.tz!r}; use an IANA name") from None
    start = end = None
    if args.window:
        first, sep, last = args.window.partition(",")
        if not sep:
            raise EvidenceError("--window takes START,END (either may be empty)")
        start, end = _time(first, tz), _time(last, tz)
    mapping = parse_mapping(args.map)
    return AnalyzeRequest(
        logs=tuple(args.logs),
        mapping=mapping,
        start=start,
        end=end,
        snapshot_from=args.from_snapshot,
        snapshot_to=args.snapshot,
        fmt=args.format,
        tz=args.tz,
        engine=args.engine,
        traces=tuple(Path(t) for t in args.traces),
        year=args.year,
    )


def _readable(summary: dict[str, Any]) -> str:
    lines = summary["lines"]
    rate = summary["error_rate"]
    out = [
        f"Window:      {summary['window']['start']} .. {summary['window']['end']}",
        f"Lines:       {lines['total']} total, {lines['parsed']} parsed, "
        f"{lines['malformed']} malformed",
        f"Onset:       {summary['onset'] or 'none detected'}",
        f"Errors:      first {summary['first_error_at']}, last {summary['last_error_at']}",
        f"Error rate:  overall {rate['overall']:.2%}, peak {rate['peak']:.2%} at {rate['peak_at']}",
        f"Trend:       {summary['trend']['direction']} "
        f"({summary['trend']['slope_per_min']:+.4f}/min)",
        f"Severity:    {summary['severity_suggestion']['level']}",
        "Endpoints:",
    ]
    out += [
        f"  {e['endpoint']}: {e['requests']} req, {e['errors']} err "
        f"({e['error_rate']:.2%}), p99 {e['p99_ms']} ms"
        for e in summary["endpoints"][:10]
    ]
    out.append("Affected tenants:")
    out += [
        f"  {t['tenant']}: {t['errors']}/{t['requests']} ({t['error_rate']:.2%})"
        for t in summary["affected_tenants"][:10]
    ]
    out.append("Signatures:")
    out += [
        f"  {s['count']:>7}  {'NEW ' if s['new_since_onset'] else ''}{s['template']}"
        for s in summary["signatures"][:10]
    ]
    for bad in lines.get("examples", []):
        out.append(f"Malformed:   {bad['path']}:{bad['line']}: {bad['reason']}")
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb analyze``."""
    began = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - began:6.1f}s] {message}", file=sys.stderr)

    request = _request(args)
    if not request.logs or request.engine != "duckdb":
        from incident_nb.analyze import analyze_evidence  # noqa: PLC0415 - heavy import

        summary = analyze_evidence(request, progress)
    else:
        from incident_nb.sources.logs.loader import load_events  # noqa: PLC0415 - DuckDB only

        progress(f"parsing {len(request.logs)} log file(s)")
        with ThreadPoolExecutor(max_workers=1) as pool:
            parsing = pool.submit(
                load_events,
                list(request.logs),
                dict(request.mapping),
                request.fmt,
                request.tz,
                request.year,
            )
            # pandas and the analysis load while DuckDB parses (it does not hold the GIL).
            from incident_nb.analyze import analyze_evidence  # noqa: PLC0415 - heavy import
            from incident_nb.sources.logs.store import LogStore  # noqa: PLC0415

            store = LogStore(*parsing.result())
        summary = analyze_evidence(request, progress, store=store)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        parts = [_readable(summary)] if "lines" in summary else []
        if "traces" in summary:
            parts.append(_readable_traces(summary["traces"]))
        print("\n".join(parts))
    return 0


def _readable_traces(traces: dict[str, Any]) -> str:
    window = traces.get("window") or {}
    out = [
        f"Traces:      {traces['traces']} traces, {traces['failing_traces']} failing, "
        f"{traces['spans']} spans, {traces['malformed']} malformed"
        + (f" ({window.get('start')} .. {window.get('end')})" if window else ""),
        f"             {traces['headline']}",
        "Failures originate in:",
    ]
    out += [
        f"  {o['service']} {o['operation']}: {o['failing_traces']} failing traces "
        f"({o['share']:.0%})"
        for o in traces["failure_origins"][:10]
    ]
    out.append("Services (failing vs successful traces):")

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    out += [
        f"  {s['service']}: {s['spans_failing']} vs {s['spans_ok']} spans, "
        f"p95 {ms(s['p95_ms_failing'])} vs {ms(s['p95_ms_ok'])} ms, {s['errors']} errors"
        for s in traces["services"][:10]
    ]
    path = ", ".join(
        f"{c['service']} {ms(c['critical_ms_failing'])} vs {ms(c['critical_ms_ok'])}"
        for c in traces.get("critical_path", [])[:5]
    )
    out.append(f"Critical path (mean ms per trace, failing vs successful): {path or '-'}")
    for bad in traces.get("examples", []):
        out.append(f"Malformed:   {bad['path']}: {bad['where']}: {bad['reason']}")
    return "\n".join(out)
