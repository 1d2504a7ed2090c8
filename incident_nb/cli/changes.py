"""``incident-nb changes``: recent changes before an onset, deploys, and the ranked suspects."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from incident_nb.cli.args import parse_duration, parse_time
from incident_nb.core.models import iso

if TYPE_CHECKING:
    from incident_nb.evidence.changes import ChangeEvidence


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb changes``."""
    parser.description = (
        "List commits, merges and tags before the onset, the deploys around it, and the "
        "changes most likely to have caused the incident, best first, with the reasons."
    )
    parser.add_argument(
        "--repo", action="append", required=True, metavar="DIR", help="git repository (repeat)"
    )
    parser.add_argument("--onset", required=True, metavar="ISO8601", help="incident onset")
    parser.add_argument("--service", help="the failing service")
    parser.add_argument(
        "--endpoint", action="append", default=[], metavar="PATH", help="failing endpoint (repeat)"
    )
    parser.add_argument("--lookback", default="24h", help="window before the onset (default 24h)")
    parser.add_argument(
        "--deploy-log", metavar="FILE", help="deploy log (JSONL/CSV: time, service, version, sha)"
    )
    parser.add_argument(
        "--tag-pattern", default="*", help="release tags to read as deploys (glob, default *)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def _row_json(row: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd  # noqa: PLC0415 - heavy import, only when run

    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, pd.Timestamp):
            out[str(key)] = iso(value.to_pydatetime())
        elif hasattr(value, "tolist"):
            out[str(key)] = value.tolist()
        elif isinstance(value, list | tuple):
            out[str(key)] = [str(v) for v in value]
        else:
            out[str(key)] = value
    return out


def evidence_json(evidence: ChangeEvidence) -> dict[str, list[dict[str, Any]]]:
    """``{"changes": [...], "deploys": [...], "suspects": [...]}`` with ISO-8601 times."""
    return {
        name: [_row_json({str(k): v for k, v in r.items()}) for r in frame.to_dict("records")]
        for name, frame in (
            ("changes", evidence.changes),
            ("deploys", evidence.deploys),
            ("suspects", evidence.suspects),
        )
    }


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb changes``."""
    from incident_nb.evidence.changes import change_evidence  # noqa: PLC0415 - heavy import

    evidence = change_evidence(
        args.repo,
        parse_time(args.onset, "--onset"),
        args.service,
        lookback=parse_duration(args.lookback),
        deploy_log=args.deploy_log,
        tag_pattern=args.tag_pattern,
        endpoints=args.endpoint,
    )
    data = evidence_json(evidence)
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(format_text(data))
    return 0


def format_text(data: dict[str, list[dict[str, Any]]]) -> str:
    """The JSON evidence as readable text."""
    lines = [f"Changes before the onset ({len(data['changes'])}):"]
    lines += [
        f"  {c['time']}  {c['short_sha']}  {c['type']:<6}  {c['subject']}  "
        f"[{', '.join(c['kinds'])}]"
        for c in data["changes"]
    ]
    lines.append(f"Deploys ({len(data['deploys'])}):")
    lines += [
        f"  {d['time']}  {d['source']:<3}  {d['service']} {d['version']}  {d['sha']}"
        for d in data["deploys"]
    ]
    lines.append("Suspects, best first:")
    for s in data["suspects"]:
        lines.append(f"  {s['rank']}. [{s['score']:.3f}] {s['short_sha']} {s['subject']}")
        lines += [f"       - {reason}" for reason in s["reasons"]]
    return "\n".join(lines)
