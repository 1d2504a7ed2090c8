"""The ``incident-nb analyze`` subcommand: analyse log files and print the summary.

``--json`` prints one JSON document (the keys of :meth:`Assessment.summary`); without it, a
readable summary. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incident_nb.cli.args import add_files, add_logs, add_map, parse_mapping
from incident_nb.core.errors import EvidenceError
from incident_nb.core.humanize import percent
from incident_nb.core.models import iso
from incident_nb.evidence.request import AnalyzeRequest
from incident_nb.sources.logs.engines import parse_engine
from incident_nb.sources.logs.formats import FORMAT_NAMES

if TYPE_CHECKING:
    from incident_nb.core.summary import AnalysisSummary


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


def _percent(value: float | None) -> str:
    return "n/a" if value is None else percent(value)


def _when(value: datetime | None) -> str:
    return iso(value) if value is not None else "none"


def _trend(summary: AnalysisSummary) -> str:
    trend = summary.trend
    if not trend.minutes:
        return f"{trend.direction} (no error-rate evidence)"
    return trend.text()


def _readable(summary: AnalysisSummary) -> str:
    lines, rate = summary.lines, summary.error_rate
    first, last = summary.first_error, summary.last_error
    out = [
        f"Window:      {_when(summary.window_start)} .. {_when(summary.window_end)}",
        f"Lines:       {lines.total} total, {lines.parsed} parsed, {lines.malformed} malformed",
        f"Onset:       {_when(summary.onset) if summary.onset else 'none detected'}",
        *(
            [f"             {summary.onset_note.sentence}"]
            if summary.onset_note and summary.onset_note.sentence
            else []
        ),
        f"Errors:      first {_when(first.ts if first else None)}, "
        f"last {_when(last.ts if last else None)}",
        f"Error rate:  overall {_percent(rate.overall)}, peak {_percent(rate.peak)} "
        f"at {_when(rate.peak_at)}",
        f"Trend:       {_trend(summary)}",
        f"Severity:    {summary.severity_suggestion.text()}",
        "Fields:      "
        + ", ".join(f"{role} <- {source}" for role, source in summary.fields.items() if source),
        *(f"Warning:     {w}" for w in summary.warnings),
        "Endpoints:",
    ]
    out += [
        f"  {e.endpoint}: {e.requests} req, {'?' if e.errors is None else e.errors} err "
        f"({_percent(e.error_rate)}), "
        f"p99 {'-' if e.p99_ms is None else f'{e.p99_ms:.1f}'} ms"
        for e in summary.endpoints[:10]
    ]
    out.append("Affected tenants:")
    out += [
        f"  {t.tenant}: {'?' if t.errors is None else t.errors}/{t.requests} "
        f"({_percent(t.error_rate)})"
        for t in summary.affected_tenants[:10]
    ]
    out.append("Signatures:")
    out += [
        f"  {s.count:>7}  {'NEW ' if s.new_since_onset else ''}{s.template}"
        for s in summary.signatures[:10]
    ]
    out += [f"Malformed:   {b.path}:{b.line}: {b.reason}" for b in lines.examples]
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb analyze``."""
    began = time.monotonic()

    def progress(message: str) -> None:
        print(f"[{time.monotonic() - began:6.1f}s] {message}", file=sys.stderr)

    request = _request(args)
    from incident_nb.evidence.analysis import analyze  # noqa: PLC0415 - heavy import

    analysis = analyze(request, progress)
    if args.json:
        print(json.dumps(analysis.to_json(), indent=2))
    else:
        parts = [_readable(analysis.logs)] if analysis.logs else []
        if analysis.traces is not None:
            parts.append(_readable_traces(analysis.traces))
        print("\n".join(parts))
    return 0


def _readable_traces(traces: Mapping[str, Any]) -> str:
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
