"""Line accounting of log input: what happened to every line, and examples of the bad ones.

Nothing is dropped without being counted: every record the input holds is parsed, malformed,
or parsed without a usable timestamp, and a few examples of the unusable ones keep their file
and line number so a person can look at them. Files are local paths or remote URIs
(:mod:`.remote`), plain or gzip-compressed, opened here for every reader.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO, cast

from incident_nb.core.redact import clip
from incident_nb.sources.logs import remote

MAX_EXAMPLES = 5
QUOTE_CHARS = 200
"""How much of a bad line an example shows."""
QUOTE_READ = 1000
"""How much of a bad line a reader keeps for its example: more than is shown, so that a secret
crossing the cut is whole when it is redacted."""


@dataclass(frozen=True)
class BadLine:
    """One line that could not be used, with why.

    ``text`` is quoted redacted, then shortened to :data:`QUOTE_CHARS` (a secret cut first
    would no longer match its rule): readers pass up to :data:`QUOTE_READ` characters.
    """

    path: str
    line: int
    reason: str
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clip(self.text[:QUOTE_READ], QUOTE_CHARS))


@dataclass(frozen=True)
class LineReport:
    """What happened to every line of the input: nothing is dropped without being counted."""

    total: int
    parsed: int
    malformed: int
    bad_timestamp: int
    examples: tuple[BadLine, ...] = field(default_factory=tuple)

    @property
    def used(self) -> int:
        """Lines that became events."""
        return self.parsed - self.bad_timestamp


@contextmanager
def open_bytes(location: str | Path, head: bool = False) -> Iterator[IO[bytes]]:
    """Open a local or remote log file for reading, decompressed when its name ends in .gz.

    ``head`` when only the first bytes will be read (a remote file then fetches little).
    """
    with ExitStack() as stack:
        if remote.is_remote(location):
            raw = stack.enter_context(remote.open_binary(str(location), head=head))
        else:
            raw = stack.enter_context(Path(location).open("rb"))
        if str(location).lower().endswith(".gz"):
            raw = stack.enter_context(cast("IO[bytes]", gzip.GzipFile(fileobj=raw, mode="rb")))
        yield raw


@contextmanager
def open_text(location: str | Path) -> Iterator[IO[str]]:
    """Open a (possibly gzip-compressed, possibly remote) text file, replacing bad bytes."""
    with open_bytes(location) as raw:
        yield io.TextIOWrapper(cast("BinaryIO", raw), encoding="utf-8", errors="replace")


def numbered_lines(files: Sequence[str]) -> Iterator[tuple[str, int, str]]:
    """(file as shown, line number, stripped text) of every non-blank line of ``files``."""
    for location in files:
        shown = remote.display(location)
        with open_text(location) as handle:
            for number, raw in enumerate(handle, start=1):
                if text := raw.strip():
                    yield shown, number, text


def count_lines(location: str | Path, blank_lines: bool = True) -> int:
    """Count the lines of ``location``; without blank lines unless ``blank_lines`` is False.

    Reads into one reused buffer; counting blank lines costs as much again, so callers first
    count newlines only and ask for the exact count when the totals disagree.
    """
    total = blank = 0
    newline = ord("\n")
    tail = newline
    buf = bytearray(1 << 22)
    with open_bytes(location) as handle:
        reader = cast("io.BufferedIOBase", handle)  # every opener above reads into a buffer
        while n := reader.readinto(buf):
            total += buf.count(b"\n", 0, n)
            if blank_lines:
                blank += buf.count(b"\n\n", 0, n) + (tail == newline and buf[0] == newline)
            tail = buf[n - 1]
    if tail != newline:
        total += 1
    return total - blank


@dataclass(frozen=True)
class RawInput:
    """One format's reading of some files: a DuckDB view of source columns, and its accounting.

    Attributes:
        view: name of the DuckDB view holding one row per record, columns named as in the source.
        schema: column -> DuckDB type of that view.
        malformed: SQL predicate over the view's columns that marks a malformed record (a line
            the format could not parse); records the reader skipped entirely are counted from
            ``records`` instead.
        records: counts the records the input holds (non-blank lines, rows, or log records);
            run beside the parse, so it must not use the connection's ``parsed`` table.
        bad_lines: yields examples of malformed records and of records whose timestamp column
            (the argument) is unusable, with file and line number; only called when some are.
    """

    view: str
    schema: dict[str, str]
    malformed: str
    records: Callable[[], int]
    bad_lines: Callable[[str], Iterator[BadLine]]
    exact_records: Callable[[], int] | None = None
    """When ``records`` is a fast estimate (newlines), the exact count of non-blank lines."""
