"""Arguments and values shared by several subcommands, spelled once.

``--root``, ``--logs``, ``--timeout`` and the time, duration and ``--map`` parsers mean the same
in every subcommand that takes them.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from incident_nb.core.errors import EvidenceError
from incident_nb.core.models import parse_utc
from incident_nb.notebook.params import CELL_TIMEOUT_S

DEFAULT_ROOT = Path("notebooks")
"""Where ``incidents/`` is when ``--root`` is not given."""
LOG_LOCATIONS = (
    "local paths, https:// or http:// URLs, or s3://bucket/key URIs (the remote extra: "
    "pip install 'incident-nb[remote]'); with --engine spark also s3a://, gs://, hdfs://"
)


def add_root(parser: argparse.ArgumentParser, help_text: str = "") -> None:
    """``--root DIR``: the folder holding ``incidents/`` (default ``notebooks``)."""
    parser.add_argument(
        "--root",
        type=Path,
        default=DEFAULT_ROOT,
        help=help_text or f"where incidents/ is (default: {DEFAULT_ROOT})",
    )


def add_files(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    flag: str,
    help_text: str,
    *,
    required: bool = False,
    metavar: str = "FILE",
) -> None:
    """A file-list flag such as ``--logs``: given any number of times, each with one or more."""
    parser.add_argument(
        flag,
        nargs="+",
        action="extend",
        default=[],
        required=required,
        metavar=metavar,
        help=f"{help_text} (one or more; the flag may be repeated)",
    )


def add_logs(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """``--logs FILE [FILE ...]``, repeatable: log files, local or remote."""
    add_files(parser, "--logs", f"log files: {LOG_LOCATIONS}", required=required)


def add_timeout(parser: argparse.ArgumentParser) -> None:
    """``--timeout S``: how long one notebook cell may run."""
    parser.add_argument(
        "--timeout",
        type=int,
        default=CELL_TIMEOUT_S,
        metavar="S",
        help=f"per-cell execution timeout in seconds (default {CELL_TIMEOUT_S})",
    )


def parse_time(text: str, flag: str) -> datetime:
    """An ISO-8601 command-line time as aware UTC.

    Raises:
        EvidenceError: the text is not ISO-8601.
    """
    try:
        return parse_utc(text)
    except ValueError:
        raise EvidenceError(
            f"{flag} {text!r} is not an ISO-8601 time; write e.g. 2026-11-20T14:07:00Z"
        ) from None


def parse_duration(text: str) -> timedelta:
    """A positive duration such as ``24h``, ``90m`` or ``2d``.

    Raises:
        EvidenceError: the text is not a positive duration.
    """
    import pandas as pd  # noqa: PLC0415 - heavy import, only when run

    try:
        value = pd.Timedelta(text)
    except ValueError:
        value = pd.Timedelta(0)
    if pd.isna(value) or value <= pd.Timedelta(0):
        raise EvidenceError(f"not a positive duration: {text!r}; write e.g. 24h, 90m or 2d")
    return value.to_pytimedelta()


def parse_mapping(text: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``["timestamp=@timestamp,tenant=org.id"]`` -> ``(("timestamp", "@timestamp"), ...)``.

    Raises:
        EvidenceError: an entry is not ``canonical=source``.
    """
    pairs: list[tuple[str, str]] = []
    for chunk in text:
        for item in filter(None, (p.strip() for p in chunk.split(","))):
            key, sep, value = item.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise EvidenceError(f"bad --map entry {item!r}; write canonical=source_field")
            pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def add_map(parser: argparse.ArgumentParser) -> None:
    """``--map FIELD=SOURCE,...``: which source field is the timestamp, tenant, ..."""
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=SOURCE,...",
        help="field overrides, e.g. timestamp=@timestamp,tenant=organization.id (dotted paths "
        "reach into nested objects)",
    )
