"""What the log loader is given, checked, and its failures in words.

The files (there and not empty, local or remote), the time zone, the files grouped by how each
is read, the fields chosen (a timestamp among them), and DuckDB's errors named with the files
and format they came from, so that no raw DuckDB error or traceback reaches the user.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs import remote
from incident_nb.sources.logs.accounting import RawInput
from incident_nb.sources.logs.fields import FIELD_CANDIDATES, Choice, choose_fields
from incident_nb.sources.logs.formats import Detected, LogFormat, detect_all


def check_files(paths: Sequence[str | Path]) -> list[str]:
    """The files as local paths or URIs, each checked to be there and not empty."""
    if not paths:
        raise EvidenceError("no log files given; pass at least one with --logs FILE")
    files: list[str] = []
    for given in paths:
        if remote.scheme(given):
            remote.check(str(given))
            files.append(str(given))
            continue
        file = Path(given)
        if not file.is_file():
            raise EvidenceError(f"log file not found: {file}")
        if file.stat().st_size == 0:
            raise EvidenceError(f"log file is empty: {file}; check the path or the export")
        files.append(str(file))
    return files


def check_tz(tz: str) -> str:
    """``tz`` if it names a time zone; otherwise an error saying what to pass."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise EvidenceError(
            f"unknown time zone {tz!r} for --tz; use an IANA name such as Europe/Berlin or UTC"
        ) from None
    return tz


def format_groups(files: list[str], fmt: str) -> list[tuple[Detected, list[str]]]:
    """Files grouped by how they are read (format, envelope, programs), in the order given."""
    grouped: dict[tuple[object, ...], tuple[Detected, list[str]]] = {}
    for file in files:
        for found in detect_all(file, fmt):
            envelope = found.envelope.name if found.envelope else ""
            key = (found.format.name, envelope, found.only, found.besides)
            grouped.setdefault(key, (found, []))[1].append(file)
    return list(grouped.values())


def choose_checked(raw: RawInput, files: list[str], mapping: dict[str, str]) -> Choice:
    """The fields of ``raw`` to use; an error naming the fields found when no time is among them."""
    choice = choose_fields(raw.schema, mapping, raw.hints)
    if choice.first("ts") is None and not raw.time_fallback:
        shown = sorted(raw.schema)
        more = f" and {len(shown) - 60} more" if len(shown) > 60 else ""
        raise EvidenceError(
            f"no timestamp field in {', '.join(map(remote.display, files))}: looked for "
            f"{', '.join(FIELD_CANDIDATES['ts'])}; found fields {', '.join(shown[:60])}{more}; "
            "name it with --map timestamp=FIELD"
        )
    return choice


def first_line(exc: duckdb.Error) -> str:
    """What DuckDB said, in one line without its error class."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.split(" Error: ", 1)[-1][:300]


def named_error(exc: duckdb.Error, form: LogFormat, group: list[str]) -> EvidenceError:
    """A reader's failure, named with its files and format."""
    return EvidenceError(
        f"could not read {', '.join(map(remote.display, group))} as {form.name} "
        f"({form.summary}): {first_line(exc)}; check the format, or name it with --format"
    )


def explained(exc: Exception, files: list[str]) -> Exception:
    """``exc`` as the user should read it: named with the files, never a traceback."""
    far = [f for f in files if remote.is_remote(f)]
    if far and not isinstance(exc, EvidenceError):
        # A connection lost or access revoked midway: name the files, not a traceback.
        return remote.read_failed(exc, far)
    if isinstance(exc, duckdb.Error):
        return EvidenceError(
            f"could not read {', '.join(map(remote.display, files))}: {first_line(exc)}; "
            "check the format, or name it with --format"
        )
    return exc
