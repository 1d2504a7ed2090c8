"""Log files as lines, in DuckDB with their file and line number, and read in Python.

DuckDB relations of every line, and the bounded Python reading of lines for sniffing and for
examples of bad ones. DuckDB's CSV reader, told that lines have one column and no quoting,
reads any text file (plain or gzip, local or remote) in parallel; numbered, it reads each file
in order in one thread. A line longer than :data:`MAX_LINE` or not UTF-8 is skipped by DuckDB:
those are found again here, in Python, only when some were skipped, and reported as malformed
with their line numbers. Python never holds more than :data:`TEXT_CAP` characters of one line,
whatever its length.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import cast

from incident_nb.sources.logs import remote
from incident_nb.sources.logs.accounting import QUOTE_READ, BadLine, open_bytes

MAX_LINE = 8 << 20
"""The longest line DuckDB reads (8 MiB); a longer one is one malformed line."""
TEXT_CAP = 1 << 16
"""How much of a line Python keeps (to quote or sniff it)."""
ANSI = "\\x1b\\[[0-9;?]*[A-Za-z]"
"""Terminal colour codes (zap's development console, ``docker compose logs`` to a terminal)."""


def quote(text: str) -> str:
    """``text`` as the inside of a single-quoted SQL string."""
    return str(text).replace("'", "''")


def literal(value: object) -> str:
    """``value`` as a SQL string literal."""
    return f"'{quote(str(value))}'"


def listing(files: Sequence[str]) -> str:
    """A DuckDB list literal of file names."""
    return "[" + ", ".join(map(literal, files)) + "]"


def _read(file: str) -> str:
    return (
        f"read_csv({literal(file)}, columns={{'line': 'VARCHAR'}}, header=false, "
        "delim=E'\\x1e', quote='', escape='', auto_detect=false, strict_mode=false, "
        f"ignore_errors=true, max_line_size={MAX_LINE})"
    )


def clean(line: str) -> str:
    """SQL: the text of a line without terminal colour codes."""
    return (
        f"CASE WHEN contains({line}, chr(27)) THEN regexp_replace({line}, '{ANSI}', '', 'g') "
        f"ELSE {line} END"
    )


def lines_sql(files: Sequence[str], numbered: bool = True) -> str:
    """SQL relation ``(src, line_no, line)``: every non-blank line, ``src`` the file's index.

    Numbered lines are read in order, one thread per file; without, in parallel (``line_no``
    NULL).
    """
    parts = []
    for index, file in enumerate(files):
        number = "row_number() OVER ()" if numbered else "NULL::BIGINT"
        parts.append(
            f"SELECT {index} AS src, line_no, {clean('line')} AS line FROM "
            f"(SELECT {number} AS line_no, line FROM {_read(file)}) "
            "WHERE line IS NOT NULL AND trim(line) <> ''"
        )
    return " UNION ALL ".join(parts)


@dataclass(frozen=True)
class Line:
    """One line as Python reads it: number, text (at most :data:`TEXT_CAP`), and flaws."""

    number: int
    text: str
    length: int
    """Bytes, without the line end."""
    utf8: bool


def read_lines(location: str, max_bytes: int | None = None) -> Iterator[Line]:
    """The lines of ``location`` (blank ones too), each kept to :data:`TEXT_CAP` characters.

    ``max_bytes`` reads only the head of the file (a line it cuts is the last one given).
    """
    ranged = max_bytes is not None and max_bytes <= remote.HEAD_BYTES
    with open_bytes(location, head=ranged) as handle:
        reader = cast("io.BufferedIOBase", handle)
        number, head, length, seen = 0, bytearray(), 0, 0
        while max_bytes is None or seen < max_bytes:
            try:
                chunk = reader.read(1 << 20 if max_bytes is None else min(1 << 20, max_bytes))
            except EOFError:  # the head of a remote .gz file ends mid-stream
                chunk = b""
            if not chunk:
                break
            seen += len(chunk)
            start = 0
            while (end := chunk.find(b"\n", start)) >= 0:
                piece = chunk[start:end]
                if len(head) < TEXT_CAP:
                    head += piece[: TEXT_CAP - len(head)]
                number += 1
                yield _line(number, bytes(head), length + len(piece))
                head, length, start = bytearray(), 0, end + 1
            rest = chunk[start:]
            if len(head) < TEXT_CAP:
                head += rest[: TEXT_CAP - len(head)]
            length += len(rest)
        if length:
            yield _line(number + 1, bytes(head), length)


def _line(number: int, raw: bytes, length: int) -> Line:
    raw = raw.removesuffix(b"\r")
    if number == 1:
        raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark (Windows tools)
    try:
        text = raw.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the cap is not a flaw of the line.
        utf8 = len(raw) >= TEXT_CAP and exc.start >= len(raw) - 3
        text = raw.decode("utf-8", errors="replace")
    return Line(number, text, length, utf8)


def numbered_lines(files: Sequence[str]) -> Iterator[tuple[str, int, str]]:
    """(file as shown, line number, stripped text) of every non-blank line of ``files``."""
    for location in files:
        shown = remote.display(location)
        for line in read_lines(location):
            if text := line.text.strip():
                yield shown, line.number, text


def skipped_lines(files: Sequence[str]) -> Iterator[BadLine]:
    """The lines DuckDB's line reader skips: longer than :data:`MAX_LINE`, or not UTF-8."""
    for location in files:
        shown = remote.display(location)
        for line in read_lines(location):
            if line.length > MAX_LINE:
                reason = f"line of {line.length:,} bytes, over the reader's limit of {MAX_LINE:,}"
                yield BadLine(shown, line.number, reason, line.text[:QUOTE_READ])
            elif not line.utf8:
                yield BadLine(shown, line.number, "not UTF-8 text", line.text[:QUOTE_READ])


def head_lines(location: str, count: int = 40, size: int = remote.HEAD_BYTES) -> list[str]:
    """The first ``count`` non-blank lines of ``location`` within its first ``size`` bytes.

    A line cut by the end of the head is left out unless it is the only one.
    """
    found: list[str] = []
    lines = list(read_lines(location, max_bytes=size))
    cut = sum(line.length + 1 for line in lines) >= size
    whole = lines[:-1] if cut and len(lines) > 1 else lines
    for line in whole:
        if text := line.text.strip():
            found.append(text)
            if len(found) >= count:
                break
    return found
