"""``incident-nb export``: the post-mortem as HTML beside the notebook and Markdown in the docs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from incident_nb.core.errors import ExportError


def add_arguments(export: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb export``."""
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


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb export``."""
    from incident_nb.core.redact import check_rule_names  # noqa: PLC0415
    from incident_nb.postmortem.export import export_postmortem  # noqa: PLC0415 - heavy import

    rules = [r.strip() for r in args.redact.split(",") if r.strip()]
    try:
        check_rule_names(rules)
    except ValueError as exc:
        raise ExportError(f"--redact: {exc}") from None
    result = export_postmortem(
        args.incident_dir, args.docs_root, pdf="pdf" in args.to, strict=args.strict, redact=rules
    )
    print(result.html)
    print(result.markdown)
    if result.pdf:
        print(result.pdf)
    for finding in result.findings:
        print(f"incident-nb: warning: {finding.where}: {finding.message}", file=sys.stderr)
    redacted = ", ".join(f"{rule} {count}" for rule, count in result.redactions.items())
    print(f"incident-nb: redacted: {redacted or 'nothing'}", file=sys.stderr)
    return 0
