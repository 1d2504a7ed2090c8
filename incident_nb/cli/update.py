"""``incident-nb update``: draft a stakeholder update, and optionally send and record it."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from incident_nb.core.errors import DeliveryError
from incident_nb.core.models import utc
from incident_nb.sources.webhook import ENV_URL, webhook_url


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb update``."""
    parser.description = (
        "Draft a stakeholder update from the incident record and its notebook's evidence: "
        "severity, impact, trend, cause, what is being done and when the next update is due. "
        f"--send posts it to a Slack-compatible incoming webhook (URL from {ENV_URL}, "
        f"{ENV_URL}_FILE or --webhook-url-file) and records it; --mark-sent records an update "
        "you pasted yourself."
    )
    parser.add_argument("incident_dir", type=Path, metavar="INCIDENT_DIR")
    parser.add_argument("--markdown", action="store_true", help="print Markdown, not plain text")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--send", action="store_true", help="post to the webhook and record it")
    how.add_argument("--mark-sent", action="store_true", help="record it as sent by hand")
    parser.add_argument(
        "--webhook-url-file", type=Path, metavar="FILE", help="file holding the webhook URL"
    )


def run(args: argparse.Namespace, now: datetime | None = None) -> int:
    """Run ``incident-nb update``."""
    # The forms and the draft need pandas; the CLI's other commands start without them.
    from incident_nb.core.store import RecordStore  # noqa: PLC0415
    from incident_nb.updates.send import draft_now, send_update  # noqa: PLC0415

    moment = utc(now or datetime.now(UTC))
    folder: Path = args.incident_dir
    _record, draft = draft_now(folder, moment)
    print(f"incident-nb: {draft.cadence_line()}", file=sys.stderr)
    print(draft.markdown if args.markdown else draft.text, end="")
    if not (args.send or args.mark_sent):
        return 0
    url = None
    if args.send:
        url = webhook_url(args.webhook_url_file)
        if url is None:
            raise DeliveryError(
                f"no webhook configured: set {ENV_URL} (or {ENV_URL}_FILE), or give "
                "--webhook-url-file; or paste the text yourself and use --mark-sent"
            )
    result = send_update(RecordStore(folder), draft, url)
    if not result.delivered:
        print(f"incident-nb: error: {result.problem}", file=sys.stderr)
        return 1
    how = "posted to the webhook" if url else "recorded as sent"
    print(f"incident-nb: update {how}; text kept in {result.draft_path}", file=sys.stderr)
    return 0
