"""``incident-nb metrics``: a service's request rate, error rate and latency, and the onset."""

from __future__ import annotations

import argparse
import json
import math

from incident_nb.cli.args import parse_time
from incident_nb.core.errors import EvidenceError
from incident_nb.core.models import iso
from incident_nb.sources.promql import MetricNames


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb metrics``."""
    parser.description = (
        "Read a service's metrics over a window from a Prometheus-compatible server (or an "
        "exported CSV/Parquet file) and find the onset. Credentials come from "
        "INCIDENT_NB_PROMETHEUS_TOKEN(_FILE) or INCIDENT_NB_PROMETHEUS_USER/PASSWORD(_FILE)."
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--prometheus", metavar="URL", help="server base URL")
    source.add_argument("--metrics-file", metavar="FILE", help="exported metrics (CSV, Parquet)")
    parser.add_argument("--service", required=True, help="service label value")
    parser.add_argument("--start", required=True, metavar="ISO8601")
    parser.add_argument("--end", required=True, metavar="ISO8601")
    parser.add_argument("--step", type=int, default=60, metavar="S", help="seconds (default 60)")
    defaults = MetricNames()
    names = parser.add_argument_group("metric and label names")
    names.add_argument("--requests-metric", default=defaults.requests_counter)
    names.add_argument("--duration-metric", default=defaults.duration_histogram)
    names.add_argument("--service-label", default=defaults.service_label)
    names.add_argument("--code-label", default=defaults.code_label)
    names.add_argument("--route-label", default=defaults.route_label)
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb metrics``."""
    from incident_nb.analysis.metrics import SERIES_NAMES  # noqa: PLC0415 - heavy import
    from incident_nb.evidence.metrics import file_metrics_evidence, metrics_evidence  # noqa: PLC0415

    start, end = parse_time(args.start, "--start"), parse_time(args.end, "--end")
    if end <= start or args.step <= 0:
        raise EvidenceError("--end must be after --start, and --step positive")
    if args.metrics_file:
        evidence = file_metrics_evidence(args.metrics_file, args.service, step_seconds=args.step)
    else:
        names = MetricNames(
            requests_counter=args.requests_metric,
            duration_histogram=args.duration_metric,
            service_label=args.service_label,
            code_label=args.code_label,
            route_label=args.route_label,
        )
        evidence = metrics_evidence(
            args.prometheus, args.service, start, end, step_seconds=args.step, names=names
        )
    payload = evidence.as_json()
    if args.json:
        print(json.dumps(payload, indent=2))
        return 0
    onset = evidence.onset
    print(f"Service {args.service}, {iso(start)} to {iso(end)}, step {args.step}s")
    if onset is None:
        print("Onset: none detected")
    else:
        print(f"Onset: {iso(onset.at)} ({onset.signal}: {onset.before:.4g} -> {onset.after:.4g})")
    series = payload["series"]
    assert isinstance(series, dict)
    for name in SERIES_NAMES:
        values = [v for _, v in series[name] if v is not None and not math.isnan(v)]
        if values:
            print(
                f"  {name:<13} min {min(values):.4g}  max {max(values):.4g}  "
                f"last {values[-1]:.4g}  ({len(values)} points)"
            )
        else:
            print(f"  {name:<13} no data")
    for note in evidence.notes:
        print(f"  note: {note}")
    return 0
