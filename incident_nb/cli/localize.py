"""``incident-nb localize``: which service is at fault, from traces, logs and metrics."""

from __future__ import annotations

import argparse
import json

from incident_nb.cli.args import add_files, add_map, parse_mapping, parse_time
from incident_nb.core.errors import EvidenceError
from incident_nb.core.models import TimeWindow, iso


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb localize``."""
    parser.description = (
        "Rank the services of a system by how likely each is where a fault began: the incident "
        "window is compared with a healthy baseline on each service's own time, the time lost "
        "on its calls, its errors and error logs, the sequence of its log messages and calls, "
        "and its resource metrics. Traces: span tables (CSV/Parquet, gzip or not, columns "
        "recognised by name), OTLP/JSON or Jaeger JSON. Logs: container log tables (a Docker "
        "json-file envelope in a column is unwrapped). Metrics: wide tables, one row per pod or "
        "service and time."
    )
    add_files(parser, "--traces", "trace files of the incident", required=True)
    add_files(parser, "--logs", "log tables of the incident")
    add_files(parser, "--metrics", "metric tables covering the incident")
    parser.add_argument(
        "--window", required=True, metavar="START,END", help="the incident period (ISO-8601, UTC)"
    )
    base = parser.add_argument_group(
        "baseline", "a healthy period: a time range of the same files, or files of its own"
    )
    base.add_argument("--baseline", metavar="START,END", help="a healthy period in the same files")
    add_files(base, "--baseline-traces", "trace files of a healthy period")
    add_files(base, "--baseline-logs", "log tables of the healthy period")
    add_files(base, "--baseline-metrics", "metric tables covering the healthy period")
    add_map(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")


def _period(text: str, flag: str) -> TimeWindow:
    start, sep, end = text.partition(",")
    if not sep:
        raise EvidenceError(
            f"{flag} {text!r} is not START,END; write e.g. "
            "2023-01-29T08:43:04Z,2023-01-29T08:45:09Z"
        )
    first, last = parse_time(start, flag), parse_time(end, flag)
    if last <= first:
        raise EvidenceError(f"{flag} ends ({iso(last)}) before it starts ({iso(first)})")
    return TimeWindow(first, last)


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb localize``."""
    from incident_nb.evidence.localize import localize_files  # noqa: PLC0415 - heavy import

    window = _period(args.window, "--window")
    baseline = _period(args.baseline, "--baseline") if args.baseline else None
    if baseline is not None and (
        args.baseline_traces or args.baseline_logs or args.baseline_metrics
    ):
        raise EvidenceError(
            "give the baseline either as --baseline START,END (same files) or as "
            "--baseline-traces/--baseline-logs/--baseline-metrics files, not both"
        )
    if (args.baseline_logs or args.baseline_metrics) and not args.baseline_traces:
        raise EvidenceError("--baseline-logs and --baseline-metrics need --baseline-traces")
    result = localize_files(
        args.traces,
        window,
        logs=args.logs,
        metrics=args.metrics,
        baseline=baseline,
        baseline_traces=args.baseline_traces,
        baseline_logs=args.baseline_logs,
        baseline_metrics=args.baseline_metrics,
        mapping=parse_mapping(args.map),
    )
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
        return 0
    print(
        f"Window {iso(result.window.start)} to {iso(result.window.end)}, "
        f"baseline {iso(result.baseline.start)} to {iso(result.baseline.end)}"
    )
    for number, rank in enumerate(result.services[:10], 1):
        print(f"{number:2}. {rank.service}  score {rank.score:.2f}")
        for evidence in rank.evidence[:3]:
            print(f"      [{evidence.signal}] {evidence.summary}")
    rest = len(result.services) - 10
    if rest > 0:
        print(f"    ... and {rest} more services with less evidence (--json lists them all)")
    for note in result.notes:
        print(f"note: {note}")
    return 0
