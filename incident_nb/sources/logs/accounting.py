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
from typing import IO, Any, BinaryIO, cast

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


def count_lines(location: str | Path, blank_lines: bool = True) -> int:
    """Count the lines of ``location``; without blank lines unless ``blank_lines`` is False.

    Reads into one reused buffer, and counts its newlines with NumPy (three times quicker than
    ``bytes.count``, and without the GIL, beside DuckDB's parse); counting blank lines costs as
    much again, so callers first count newlines only and ask for the exact count when the
    totals disagree.
    """
    import numpy as np  # noqa: PLC0415 - only to count: the command line starts without it

    total = blank = 0
    newline = ord("\n")
    tail = newline
    buf = bytearray(1 << 22)
    view = np.frombuffer(buf, dtype=np.uint8)
    with open_bytes(location) as handle:
        reader = cast("io.BufferedIOBase", handle)  # every opener above reads into a buffer
        while n := reader.readinto(buf):
            total += int(np.count_nonzero(view[:n] == newline))
            if blank_lines:
                blank += buf.count(b"\n\n", 0, n) + buf.count(b"\n\r\n", 0, n)
                blank += tail == newline and buf[0] == newline
            tail = buf[n - 1]
    if tail != newline:
        total += 1
    return total - blank


@dataclass(frozen=True)
class ReadOptions:
    """What a reader is told besides the files: the format's variant and how to read times."""

    layout: str = ""
    """The text layout (:mod:`.layouts`) for the text-line reader."""
    envelope: str = ""
    """The container envelope (:mod:`.envelopes`) around each line, if any."""
    year: int | None = None
    """The year of timestamps that carry none (``--year``), else from the files' mtimes."""
    tz: str = "UTC"
    only: tuple[str, ...] = ()
    """Inside an envelope of interleaved programs: read only these programs' lines..."""
    besides: tuple[str, ...] = ()
    """...or every program's but these."""


@dataclass(frozen=True)
class RawInput:
    """One format's reading of some files: a DuckDB view of source columns, and its accounting.

    Attributes:
        view: name of the DuckDB view holding one row per record, columns named as in the
            source (nested fields by their dotted path).
        schema: column -> DuckDB type of that view.
        malformed: SQL predicate over the view's columns that marks a malformed record (a line
            the format could not parse); records the reader skipped entirely are counted from
            ``records`` instead.
        records: counts the records the input holds (non-blank lines, rows, or log records);
            run beside the parse, so it must not use the connection's ``parsed`` table.
        bad_lines: yields examples of malformed records and of records whose timestamp column
            (the argument) is unusable, with file and line number; only called when some are.
        located: for readers of lines, SQL giving the view's rows with their place
            (``_src`` index into ``files``, ``_line``, ``_text``), read in order: the examples
            of bad records come from it, by the very rules of the parse; and lines DuckDB
            skipped (over-long, not UTF-8) are counted as malformed.
    """

    view: str
    schema: dict[str, str]
    malformed: str
    records: Callable[[], int]
    bad_lines: Callable[[str], Iterator[BadLine]] = lambda _ts: iter(())
    exact_records: Callable[[], int] | None = None
    """When ``records`` is a fast estimate (newlines), the exact count of non-blank lines."""
    located: str | None = None
    records_are_rows: bool = False
    """Whether every record the files hold is a row of the view (a JSON array's elements)."""
    counts_lines: bool = True
    """Whether a ``located`` reader's rows may be other than its non-blank lines one for one
    (multi-line records, envelopes): the lines DuckDB read are then counted on their own."""
    fallback: Callable[[], RawInput] | None = None
    """Another reading of the same files into the same view, for when this one fails."""
    files: tuple[str, ...] = ()
    malformed_reason: Callable[[str], str] = lambda _text: "malformed record"
    """Why a malformed record's text is one (for the examples of ``located`` readers)."""
    hints: dict[str, str] = field(default_factory=dict)
    """Canonical field -> column the format names (a syslog line's ``pri`` is its level)."""
    time_fallback: str = ""
    """A column with the time of records that have none of their own (an envelope's)."""
    prefer_fallback: bool = False
    """Whether ``time_fallback`` is better than the record's own (which lacks its year)."""
    warnings: tuple[str, ...] = ()
    layout_fields: bool = False
    """Whether the columns come from a text layout: one left empty by every line is no field."""


def line_input(
    view: str, schema: dict[str, str], files: Sequence[str], located: str, **more: Any
) -> RawInput:
    """The reading of files of lines: a record a non-blank line, malformed where ``_malformed``.

    Its records are counted by newlines beside the parse, and exactly (blank lines told
    apart) only when the two counts disagree; ``more`` are further :class:`RawInput` fields.
    """
    return RawInput(
        view=view,
        schema=schema,
        malformed="_malformed",
        records=lambda: sum(count_lines(f, blank_lines=False) for f in files),
        exact_records=lambda: sum(count_lines(f) for f in files),
        located=located,
        files=tuple(files),
        **more,
    )
