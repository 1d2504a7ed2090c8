"""``incident-nb report``: the incident review across every incident under a root."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from incident_nb.cli.args import add_root
from incident_nb.core.errors import RecordError


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb report``."""
    parser.description = (
        "Read every <root>/incidents/*/incident.json and report incidents per severity and "
        "month, time to detect, mitigate and resolve, the status-update cadence kept, root "
        "causes, action items, how concentrated the work is, and missing post-mortems."
    )
    add_root(parser)
    parser.add_argument(
        "--since", type=_day, metavar="DATE", help="only incidents that started on or after it"
    )
    parser.add_argument("--html", type=Path, metavar="FILE", help="also write the HTML report")
    parser.add_argument(
        "--as-of",
        type=_day,
        metavar="DATE",
        help="the day action items are judged overdue against (default: today, UTC)",
    )


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb report``."""
    from incident_nb.core.durable import write_atomic  # noqa: PLC0415
    from incident_nb.core.folder import incidents_dir  # noqa: PLC0415
    from incident_nb.review.report import build_review, summary_text  # noqa: PLC0415 - pandas
    from incident_nb.sources.records import load_records  # noqa: PLC0415

    items, problems = load_records(args.root)
    for problem in problems:
        print(f"incident-nb: warning: skipped {problem.path}: {problem.message}", file=sys.stderr)
    if not items and not incidents_dir(args.root).is_dir():
        raise RecordError(
            f"no readable incident records under {incidents_dir(args.root)}; "
            "give --root the folder that holds incidents/"
        )
    review = build_review(
        items,
        args.as_of or datetime.now(UTC).date(),
        since=args.since,
        skipped=[(str(p.path), p.message) for p in problems],
        migrated=dict(Counter(i.read_version for i in items if i.read_version < 2)),
    )
    print(summary_text(review), end="")
    if args.html is not None:
        from incident_nb.review.html import render_html  # noqa: PLC0415 - plotly

        write_atomic(args.html, render_html(review, args.html))
        print(f"incident-nb: HTML report: {args.html}", file=sys.stderr)
    return 0
