"""Log messages read line by line from a file, for grouping into signatures; and assignments out.

A file is either plain text (each line is one message with ``text``; by default records span
lines, stack traces and other continuation lines joining the record above, by the rules of
:mod:`incident_nb.analysis.multiline`) or JSON lines (the message and time are
read from the fields named in :data:`incident_nb.sources.logs.fields.FIELD_CANDIDATES`). Every line
of the input belongs to exactly one message, so line numbers survive: a JSON line that does not
parse, or has no message field, keeps its raw text as its message and is counted in
:class:`MessageLines`.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from incident_nb.analysis.multiline import join_records
from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs.fields import FIELD_CANDIDATES

if TYPE_CHECKING:
    import pandas as pd

Format = Literal["auto", "text", "multiline", "json"]
FORMATS: tuple[str, ...] = ("auto", "text", "multiline", "json")
ASSIGNMENT_COLUMNS = ("line", "signature_id", "template")
# Epoch numbers: their magnitude tells the unit.
_EPOCH_UNITS: tuple[tuple[Literal["s", "ms", "us", "ns"], float, float], ...] = (
    ("s", 0.0, 1e11),
    ("ms", 1e11, 1e14),
    ("us", 1e14, 1e17),
    ("ns", 1e17, float("inf")),
)


@dataclass(frozen=True)
class MessageLines:
    """How every input line became a message: nothing is dropped without being counted."""

    total: int
    format: str
    not_json: int = 0
    """JSON-lines input only: lines that are not a JSON object (their text is the message)."""
    without_message: int = 0
    """JSON-lines input only: objects with no message field (their text is the message)."""
    without_timestamp: int = 0
    """Lines with no usable time (they count, but not for first and last seen)."""


@dataclass(frozen=True)
class MessageLog:
    """The messages of a log file, with their times when the lines have any."""

    messages: pd.Series
    timestamps: pd.Series | None
    lines: MessageLines
    line_messages: tuple[int, ...] | None = None
    """For each input line, the index of its message; None when each line is one message."""

    def message_of_lines(self) -> list[int]:
        """For each input line (in order), the index of the message it belongs to."""
        if self.line_messages is None:
            return list(range(len(self.messages)))
        return list(self.line_messages)


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def _read_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise EvidenceError(f"log file not found: {path}; check the path")
    with _open_text(path) as handle:
        return [line.rstrip("\r\n") for line in handle]


def _looks_like_json_lines(lines: Sequence[str]) -> bool:
    first = next((line.strip() for line in lines if line.strip()), "")
    if not first.startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return False


def _field(obj: dict[str, Any], candidates: tuple[str, ...]) -> Any:
    lowered = {key.lower(): key for key in obj}
    for name in candidates:
        key = lowered.get(name.lower())
        if key is not None and obj[key] not in (None, ""):
            return obj[key]
    return None


def _timestamps(values: list[Any]) -> pd.Series:
    import numpy as np  # noqa: PLC0415 - the CLI starts without pandas
    import pandas as pd  # noqa: PLC0415

    """Times of the lines as aware UTC (NaT where missing); epoch numbers by their magnitude."""
    out = pd.Series(pd.NaT, index=range(len(values)), dtype="datetime64[ns, UTC]")
    texts = [i for i, v in enumerate(values) if isinstance(v, str)]
    if texts:
        parsed = pd.to_datetime(
            pd.Series([values[i] for i in texts]), utc=True, errors="coerce", format="ISO8601"
        )
        out.iloc[texts] = parsed.to_numpy()
    numbers = [
        i for i, v in enumerate(values) if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    if numbers:
        epochs = pd.Series([values[i] for i in numbers], dtype=object)
        size = epochs.abs().astype(float)
        for unit, low, high in _EPOCH_UNITS:
            pick = ((size >= low) & (size < high)).to_numpy()
            if pick.any():
                chosen: list[float] = epochs[pick].tolist()
                times = pd.to_datetime(chosen, unit=unit, utc=True, errors="coerce")
                out.iloc[np.asarray(numbers)[pick]] = times.to_numpy()
    return out


def read_messages(path: str | Path, fmt: Format = "auto") -> MessageLog:
    """Read one message per line of ``path`` (plain or ``.gz``).

    Args:
        path: the log file.
        fmt: ``text`` (each line is a message), ``multiline`` (text whose records may span
            lines: stack traces and other continuation lines join the record above, see
            :func:`incident_nb.analysis.multiline.join_records`), ``json`` (JSON lines, whose
            messages may hold whole records) or ``auto`` (JSON lines when the first non-blank
            line is a JSON object, else multiline).

    Raises:
        EvidenceError: the file is missing or empty, or the format is unknown.
    """
    import pandas as pd  # noqa: PLC0415 - the CLI starts without pandas

    file = Path(path)
    if fmt not in FORMATS:
        raise EvidenceError(f"unknown log format {fmt!r}; use one of {', '.join(FORMATS)}")
    lines = _read_lines(file)
    if not any(line.strip() for line in lines):
        raise EvidenceError(f"log file is empty: {file}; check the path or the export")
    if fmt == "text":
        messages = pd.Series(lines, dtype=object)
        return MessageLog(messages, None, MessageLines(total=len(lines), format="text"))
    if fmt == "multiline" or not _looks_like_json_lines(lines):
        joined, owners = join_records(lines)
        # Auto-detected text where no record spans lines is plain text.
        kind = "multiline" if fmt == "multiline" or len(joined) < len(lines) else "text"
        counts = MessageLines(total=len(lines), format=kind)
        return MessageLog(pd.Series(joined, dtype=object), None, counts, owners)
    texts: list[str] = []
    times: list[Any] = []
    not_json = without_message = 0
    for line in lines:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            obj = None
        if not isinstance(obj, dict):
            not_json += 1
            texts.append(line)
            times.append(None)
            continue
        message = _field(obj, FIELD_CANDIDATES["message"])
        if message is None:
            without_message += 1
        texts.append(line if message is None else str(message))
        times.append(_field(obj, FIELD_CANDIDATES["ts"]))
    timestamps = _timestamps(times)
    counts = MessageLines(
        total=len(lines),
        format="json",
        not_json=not_json,
        without_message=without_message,
        without_timestamp=int(timestamps.isna().sum()),
    )
    return MessageLog(pd.Series(texts, dtype=object), timestamps, counts)


def read_message_files(paths: Sequence[str | Path], fmt: Format = "auto") -> MessageLog:
    """The messages of several files, in the order given (see :func:`read_messages`).

    Raises:
        EvidenceError: a file is missing or empty, or the format is unknown.
    """
    import pandas as pd  # noqa: PLC0415 - the CLI starts without pandas

    logs = [read_messages(path, fmt) for path in paths]
    if len(logs) == 1:
        return logs[0]
    if not logs:
        raise EvidenceError("no log files given; pass at least one with --logs FILE")
    messages = pd.concat([log.messages for log in logs], ignore_index=True)
    timestamps = None
    if any(log.timestamps is not None for log in logs):
        timestamps = pd.concat(
            [
                log.timestamps
                if log.timestamps is not None
                else pd.Series(pd.NaT, index=log.messages.index, dtype="datetime64[ns, UTC]")
                for log in logs
            ],
            ignore_index=True,
        )
    owners: list[int] = []
    for offset, log in zip(
        itertools.accumulate((len(log.messages) for log in logs), initial=0), logs, strict=False
    ):
        owners += [offset + i for i in log.message_of_lines()]
    formats = sorted({log.lines.format for log in logs})
    counts = MessageLines(
        total=sum(log.lines.total for log in logs),
        format=formats[0] if len(formats) == 1 else "mixed",
        not_json=sum(log.lines.not_json for log in logs),
        without_message=sum(log.lines.without_message for log in logs),
        without_timestamp=sum(log.lines.without_timestamp for log in logs),
    )
    return MessageLog(messages, timestamps, counts, tuple(owners))


def write_assignments(
    path: str | Path, signature_ids: Sequence[str], templates: Sequence[str]
) -> None:
    """Write one CSV row per input line: ``line`` (1-based), ``signature_id``, ``template``.

    Raises:
        EvidenceError: the file cannot be written.
    """
    try:
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(ASSIGNMENT_COLUMNS)
            rows = zip(signature_ids, templates, strict=True)
            writer.writerows(
                (number, sid, template) for number, (sid, template) in enumerate(rows, 1)
            )
    except OSError as exc:
        raise EvidenceError(
            f"cannot write {path}: {exc.strerror}; check that its folder exists and is writable"
        ) from None
