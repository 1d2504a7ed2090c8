"""``incident-nb check``: the blameless and completeness check of an incident's record."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(check: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb check``."""
    check.add_argument("incident_dir", type=Path, metavar="INCIDENT_DIR")
    check.add_argument("--strict", action="store_true", help="exit 1 when anything is found")


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb check``."""
    from incident_nb.core.record import read_record  # noqa: PLC0415
    from incident_nb.postmortem.check import check_postmortem  # noqa: PLC0415

    findings = check_postmortem(read_record(args.incident_dir))
    level = "error" if args.strict else "warning"
    for finding in findings:
        print(f"{level}: [{finding.kind}] {finding.where}: {finding.message}")
    print(f"{len(findings)} finding(s)" if findings else "no findings: blameless and complete")
    return 1 if args.strict and findings else 0
