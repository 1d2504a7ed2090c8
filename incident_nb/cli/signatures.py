"""``incident-nb signatures``: group the messages of a log into signatures and print them."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from incident_nb.cli.args import add_files
from incident_nb.core.errors import EvidenceError
from incident_nb.sources.messages import FORMATS, read_message_files, write_assignments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb signatures``."""
    parser.description = (
        "Group the messages of a log into signatures (templates with <*> for the variable "
        "parts) and print them, most frequent first."
    )
    add_files(parser, "--logs", "log files", required=True)
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="auto",
        help="text: each line is a message; multiline: text whose records span lines (stack "
        "traces of Java, Python, Go, .NET, JavaScript and PHP, and lines without the timestamp "
        "that starts each record, join the record above); json: JSON lines (message and time "
        "fields); auto (default): json when the file looks like JSON lines, else multiline",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON document")
    parser.add_argument(
        "--assignments",
        type=Path,
        metavar="OUT.csv",
        help="write each line's signature as CSV: line, signature_id, template",
    )


def _iso(value: Any) -> str | None:
    import pandas as pd  # noqa: PLC0415 - the CLI starts without pandas

    return None if pd.isna(value) else pd.Timestamp(value).isoformat()


def _indent(text: str, prefix: str) -> str:
    return text.replace("\n", "\n" + prefix)


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb signatures``; return the exit status."""
    from incident_nb.analysis.signature_tables import grouping_frame  # noqa: PLC0415 - heavy
    from incident_nb.analysis.signatures import group_messages  # noqa: PLC0415 - heavy

    if args.assignments is not None and len(args.logs) > 1:
        raise EvidenceError(
            f"--assignments numbers the lines of one log file; {len(args.logs)} were given"
        )
    log = read_message_files(args.logs, args.format)
    grouping = group_messages(log.messages)
    table = grouping_frame(grouping, log.timestamps)
    if args.assignments is not None:
        ids = [s.id for s in grouping.signatures]
        templates = [s.template for s in grouping.signatures]
        labels = [int(grouping.labels[m]) for m in log.message_of_lines()]
        write_assignments(
            args.assignments, [ids[i] for i in labels], [templates[i] for i in labels]
        )
    rows = [{str(k): v for k, v in row.items()} for row in table.to_dict("records")]
    if args.json:
        document = {
            "signatures": [
                {
                    "id": row["id"],
                    "template": row["template"],
                    "count": int(row["count"]),
                    "first_seen": _iso(row["first_seen"]),
                    "last_seen": _iso(row["last_seen"]),
                    "example": row["example"],
                }
                for row in rows
            ],
            "lines": {**asdict(log.lines), "messages": len(log.messages)},
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    print(
        f"{len(rows)} signatures in {len(log.messages)} messages "
        f"({log.lines.total} lines) of {', '.join(map(str, args.logs))}"
    )
    for row in rows:
        template = str(row["template"]) or "(empty message)"
        print(f"\n{int(row['count']):>9}  {row['id']}  {_indent(template, ' ' * 25)}")
        if (first := _iso(row["first_seen"])) is not None:
            print(f"{'':>9}  first seen {first}, last seen {_iso(row['last_seen'])}")
        print(f"{'':>9}  e.g. {_indent(str(row['example']), ' ' * 16)}")
    return 0
