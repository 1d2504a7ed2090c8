"""The ``incident-nb`` command line: one subcommand per library entry point.

``main(argv)`` returns the exit status: 0 on success, 1 when the work failed (the message says
why and what to do), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from incident_nb import (
    cli_analyze,
    cli_changes,
    cli_metrics,
    cli_report,
    cli_serve,
    cli_signatures,
    cli_update,
)
from incident_nb.core.errors import AlertError, ExportError, IncidentNbError, NotebookExecutionError
from incident_nb.sources.logs.formats import FORMAT_NAMES

if TYPE_CHECKING:
    from incident_nb.core.models import Alert

DEFAULT_ROOT = Path("notebooks")
ALERT_SOURCES = ("alertmanager", "generic", "grafana", "pagerduty")
"""The payload formats ``new --source`` reads (the parsers of :mod:`incident_nb.alerts`).

Named here so the command line starts without loading the parsers' validation library."""


@dataclass(frozen=True)
class Subcommand:
    """One ``incident-nb`` subcommand: its arguments and what it runs."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _new_arguments(new: argparse.ArgumentParser) -> None:
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
    new.add_argument(
        "--logs",
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="log files: local paths, https:// or http:// URLs, or s3://bucket/key URIs (the "
        "remote extra); with --engine spark also s3a://, gs://, hdfs://",
    )
    new.add_argument(
        "--traces",
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="trace files (OTLP/JSON or Jaeger JSON)",
    )
    new.add_argument(
        "--repo", action="append", default=[], metavar="GIT_DIR", help="git repository"
    )
    new.add_argument(
        "--root", type=Path, default=DEFAULT_ROOT, help="where incidents/ is (default: notebooks)"
    )
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
    new.add_argument(
        "--timeout", type=int, default=600, metavar="S", help="per-cell timeout with --execute"
    )


def _export_arguments(export: argparse.ArgumentParser) -> None:
    export.add_argument("incident_dir", type=Path, metavar="INCIDENT_DIR")
    export.add_argument(
        "--to", action="append", choices=["pdf"], default=[], help="also write postmortem.pdf"
    )
    export.add_argument("--strict", action="store_true", help="refuse to export on check findings")
    export.add_argument(
        "--redact",
        default="",
        metavar="RULES",
        help="extra redaction rules, comma-separated: email, ip, tenant",
    )
    export.add_argument(
        "--docs-root",
        type=Path,
        default=Path(),
        help="where docs/spec/.llm/completed/ is (default: .)",
    )


def _demo_arguments(demo: argparse.ArgumentParser) -> None:
    demo.add_argument(
        "--root", type=Path, default=DEFAULT_ROOT, help="where demo data and incidents/ go"
    )
    demo.add_argument(
        "--docs-root", type=Path, default=Path(), help="where the Markdown post-mortem goes"
    )


def _alert_from_args(args: argparse.Namespace) -> Alert:
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


def _cmd_new(args: argparse.Namespace) -> int:
    from incident_nb.incidents import create_incident, execute_incident  # noqa: PLC0415

    alert = _alert_from_args(args)
    try:
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
        )
    except FileNotFoundError as exc:
        raise AlertError(f"{exc}; check the path") from None
    print(folder)
    if args.execute:
        try:
            execute_incident(folder, timeout=args.timeout)
        except NotebookExecutionError as exc:
            print(f"incident-nb: notebook failed: {exc}", file=sys.stderr)
            return 1
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from incident_nb.postmortem.export import export_postmortem  # noqa: PLC0415 - heavy import

    rules = [r.strip() for r in args.redact.split(",") if r.strip()]
    try:
        result = export_postmortem(
            args.incident_dir,
            args.docs_root,
            pdf="pdf" in args.to,
            strict=args.strict,
            redact=rules,
        )
    except ValueError as exc:  # an unknown redaction rule
        raise ExportError(f"--redact: {exc}") from None
    print(result.html)
    print(result.markdown)
    if result.pdf:
        print(result.pdf)
    for finding in result.findings:
        print(f"incident-nb: warning: {finding.where}: {finding.message}", file=sys.stderr)
    redacted = ", ".join(f"{rule} {count}" for rule, count in result.redactions.items())
    print(f"incident-nb: redacted: {redacted or 'nothing'}", file=sys.stderr)
    return 0


def _check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument("incident_dir", type=Path, metavar="INCIDENT_DIR")
    check.add_argument("--strict", action="store_true", help="exit 1 when anything is found")


def _cmd_check(args: argparse.Namespace) -> int:
    from incident_nb.core.record import read_record  # noqa: PLC0415
    from incident_nb.postmortem.check import check_postmortem  # noqa: PLC0415

    findings = check_postmortem(read_record(args.incident_dir))
    level = "error" if args.strict else "warning"
    for finding in findings:
        print(f"{level}: [{finding.kind}] {finding.where}: {finding.message}")
    print(f"{len(findings)} finding(s)" if findings else "no findings: blameless and complete")
    return 1 if args.strict and findings else 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from incident_nb.demo.run import run_demo  # noqa: PLC0415 - heavy import

    print("Generating the demo incident and running its investigation ...", file=sys.stderr)
    result = run_demo(args.root, args.docs_root)
    print(f"Investigation notebook: {result.notebook}")
    print(f"Post-mortem (HTML):     {result.exports.html}")
    print(f"Post-mortem (Markdown): {result.exports.markdown}")
    print(f"Demo evidence:          {result.data.logs.parent}")
    return 0


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("new", "create the investigation of an alert", _new_arguments, _cmd_new),
    Subcommand("export", "export the post-mortem (HTML, Markdown)", _export_arguments, _cmd_export),
    Subcommand("check", "blameless and completeness check", _check_arguments, _cmd_check),
    Subcommand("demo", "run the whole job on built-in demo data", _demo_arguments, _cmd_demo),
    Subcommand(
        "analyze",
        "analyse log files: impact, onset, trend, endpoints, signatures",
        cli_analyze.add_arguments,
        cli_analyze.run,
    ),
    Subcommand(
        "signatures",
        "group the messages of a log into error signatures",
        cli_signatures.add_arguments,
        cli_signatures.run,
    ),
    Subcommand(
        "changes",
        "recent changes, deploys and suspect changes before an onset",
        cli_changes.add_arguments,
        cli_changes.run,
    ),
    Subcommand(
        "metrics",
        "a service's metrics (Prometheus or a file) and the onset",
        cli_metrics.add_arguments,
        cli_metrics.run,
    ),
    Subcommand(
        "update",
        "draft a stakeholder status update; send it to a webhook and record it",
        cli_update.add_arguments,
        cli_update.run,
    ),
    Subcommand(
        "report",
        "the incident review across incidents: timings, causes, action items (text, HTML)",
        cli_report.add_arguments,
        cli_report.run,
    ),
    Subcommand(
        "serve",
        "receive alert webhooks and run their investigations",
        cli_serve.add_arguments,
        cli_serve.run,
    ),
    Subcommand(
        "retry",
        "execute an investigation's notebook again",
        cli_serve.add_retry_arguments,
        cli_serve.run_retry,
    ),
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incident-nb",
        description="From an alert to an investigation notebook, and from it to a post-mortem.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in SUBCOMMANDS:
        command.add_arguments(sub.add_parser(command.name, help=command.help, allow_abbrev=False))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = _parser().parse_args(argv)
    try:
        command = next(c for c in SUBCOMMANDS if c.name == args.command)
        return command.run(args)
    except IncidentNbError as exc:
        print(f"incident-nb: error: {exc}", file=sys.stderr)
        return 1


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


__all__ = ["main", "run"]
