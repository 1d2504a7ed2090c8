"""``incident-nb new``: an alert (a webhook payload, or three fields) becomes an investigation."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from incident_nb.cli.args import add_files, add_logs, add_root, add_timeout
from incident_nb.core.errors import AlertError, NotebookExecutionError
from incident_nb.sources.logs.formats import FORMAT_NAMES

if TYPE_CHECKING:
    from incident_nb.core.models import Alert

ALERT_SOURCES = ("alertmanager", "generic", "grafana", "pagerduty")
"""The payload formats ``new --source`` reads (the parsers of :mod:`incident_nb.alerts`).

Named here so the command line starts without loading the parsers' validation library."""


def add_arguments(new: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb new``."""
    new.description = (
        "Create <root>/incidents/YYYY-MM-DD-<slug>/ with incident.json and investigation.ipynb."
    )
    source = new.add_argument_group("the alert (a webhook payload file, or the three fields)")
    source.add_argument("--alert", type=Path, metavar="FILE", help="alert webhook payload (JSON)")
    source.add_argument(
        "--source", default="alertmanager", choices=ALERT_SOURCES, help="payload format"
    )
    source.add_argument("--title", help="incident title")
    source.add_argument("--service", help="affected service")
    source.add_argument("--started-at", metavar="ISO8601", help="start time (UTC or with offset)")
    add_logs(new)
    add_files(
        new,
        "--traces",
        "trace files (OTLP/JSON, Jaeger JSON, or span tables in CSV/Parquet)",
    )
    add_files(
        new,
        "--metrics",
        "metric tables, one row per pod or service and time (CSV/Parquet): with the traces, "
        "they rank the services by how likely each is at fault",
    )
    new.add_argument(
        "--repo", action="append", default=[], metavar="GIT_DIR", help="git repository"
    )
    add_root(new)
    new.add_argument(
        "--prometheus",
        default="",
        metavar="URL",
        help="Prometheus-compatible server with the service's metrics (credentials from the "
        "environment, never the command line)",
    )
    new.add_argument(
        "--log-format",
        default="auto",
        choices=FORMAT_NAMES,
        help="format of every log file (default: recognised per file)",
    )
    new.add_argument(
        "--log-tz",
        default="UTC",
        metavar="TZ",
        help="IANA time zone of log timestamps written without an offset",
    )
    new.add_argument(
        "--engine",
        default="duckdb",
        help="where the notebook's log queries run: duckdb (default), spark, "
        "spark://HOST:PORT or sc://HOST:PORT",
    )
    new.add_argument("--execute", action="store_true", help="execute the notebook now")
    add_timeout(new)


def alert_from_args(args: argparse.Namespace) -> Alert:
    """The alert of ``new``: parsed from ``--alert FILE``, or made of the three fields.

    Raises:
        AlertError: both or neither were given, or the payload cannot be read or parsed.
    """
    from incident_nb.alerts import alert_from_fields, parse_alert  # noqa: PLC0415 - pydantic

    if args.alert is not None:
        if args.title or args.service or args.started_at:
            raise AlertError("give either --alert FILE or --title/--service/--started-at, not both")
        try:
            payload = json.loads(args.alert.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise AlertError(f"alert file not found: {args.alert}") from None
        except json.JSONDecodeError as exc:
            raise AlertError(f"{args.alert} is not JSON (line {exc.lineno}: {exc.msg})") from None
        return parse_alert(payload, args.source)
    missing = [
        f
        for f, v in (
            ("--title", args.title),
            ("--service", args.service),
            ("--started-at", args.started_at),
        )
        if not v
    ]
    if missing:
        raise AlertError(
            f"missing {', '.join(missing)}: "
            "give --alert FILE, or --title, --service and --started-at"
        )
    return alert_from_fields(args.title, args.service, args.started_at)


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb new``."""
    from incident_nb.incidents import create_incident, execute_incident  # noqa: PLC0415

    alert = alert_from_args(args)
    folder = create_incident(
        alert,
        args.root,
        logs=args.logs,
        repos=args.repo,
        prometheus=args.prometheus,
        log_format=args.log_format,
        log_tz=args.log_tz,
        engine=args.engine,
        traces=args.traces,
        metrics=args.metrics,
    )
    print(folder)
    if args.execute:
        try:
            execute_incident(folder, timeout=args.timeout)
        except NotebookExecutionError as exc:
            print(f"incident-nb: notebook failed: {exc}", file=sys.stderr)
            return 1
    return 0
