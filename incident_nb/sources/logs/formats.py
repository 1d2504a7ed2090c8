"""The log formats incident-nb reads, as a table, and how a file's format is recognised.

Each format names its reader, the file suffixes that announce it, and a test on the first
non-blank line for files whose name says nothing. ``--format`` picks one by name; ``auto``
recognises each file on its own, so one investigation can mix formats.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from incident_nb.core.errors import EvidenceError
from incident_nb.core.redact import clip
from incident_nb.sources.logs.accounting import open_bytes
from incident_nb.sources.logs.remote import HEAD_BYTES, basename, display

if TYPE_CHECKING:
    import duckdb

    from incident_nb.sources.logs.accounting import RawInput

    Reader = Callable[[duckdb.DuckDBPyConnection, Sequence[str], str], RawInput]


@dataclass(frozen=True)
class LogFormat:
    """One log format: its name, its reader, and how to recognise it."""

    name: str
    summary: str
    reader: str
    """``module:function`` of the reader in this package, imported on first use."""
    suffixes: tuple[str, ...]
    sniff: Callable[[str], bool]

    def read(self, con: duckdb.DuckDBPyConnection, files: Sequence[str], view: str) -> RawInput:
        """Create the DuckDB view ``view`` of ``files`` (local paths or URIs) in this format."""
        module, _, function = self.reader.partition(":")
        read = cast(
            "Reader",
            getattr(importlib.import_module(f"incident_nb.sources.logs.{module}"), function),
        )
        return read(con, files, view)


def _is_json_object(line: str) -> bool:
    return line.startswith("{")


def _is_otlp(line: str) -> bool:
    return line.startswith("{") and '"resourceLogs"' in line[:4096]


def _is_tsv(line: str) -> bool:
    return line.count("\t") >= 2


def _is_csv(line: str) -> bool:
    return line.count(",") >= 2 and not line.startswith(("{", "["))


_ACCESS_START = re.compile(r'^\S+ \S+ \S+ \[[^\]]+\] "')


def _is_access_line(line: str) -> bool:
    return _ACCESS_START.match(line) is not None


_LOGFMT_LINE = re.compile(r"^(?:[^\s=\"]+=(?:\"(?:[^\"\\]|\\.)*\"|\S*)\s*){2,}$")


def _is_logfmt(line: str) -> bool:
    return _LOGFMT_LINE.match(line) is not None


FORMATS: tuple[LogFormat, ...] = (
    LogFormat("otlp", "OpenTelemetry OTLP/JSON logs", "otlp:read_otlp", (".otlp.json",), _is_otlp),
    LogFormat(
        "jsonl",
        "JSON lines, one object per line",
        "readers:read_jsonl",
        (".jsonl", ".ndjson", ".json"),
        _is_json_object,
    ),
    LogFormat(
        "access",
        "Apache/nginx access log, common or combined",
        "textlines:read_access",
        (".access.log",),
        _is_access_line,
    ),
    LogFormat(
        "logfmt", "logfmt key=value lines", "textlines:read_logfmt", (".logfmt",), _is_logfmt
    ),
    LogFormat("tsv", "tab-separated values with a header", "readers:read_tsv", (".tsv",), _is_tsv),
    LogFormat(
        "csv", "comma-separated values with a header", "readers:read_csv", (".csv",), _is_csv
    ),
    LogFormat("parquet", "Apache Parquet", "readers:read_parquet", (".parquet",), lambda _: False),
)
"""Known formats, in the order content sniffing tries them."""

ALIASES = {"json": "jsonl", "ndjson": "jsonl", "combined": "access", "common": "access"}
FORMAT_NAMES = ("auto", *(f.name for f in FORMATS), *ALIASES)


def get_format(name: str) -> LogFormat:
    """The format called ``name`` (or one of its aliases).

    Raises:
        EvidenceError: no such format; the message lists the known ones.
    """
    wanted = ALIASES.get(name, name)
    for fmt in FORMATS:
        if fmt.name == wanted:
            return fmt
    raise EvidenceError(f"unknown log format {name!r}; use one of {', '.join(FORMAT_NAMES)}")


def _first_line(location: str | Path) -> str:
    chunks: list[bytes] = []
    with open_bytes(location, head=True) as handle:
        try:
            while sum(map(len, chunks)) < HEAD_BYTES and (chunk := handle.read(1 << 13)):
                chunks.append(chunk)
        except EOFError:
            pass  # the head of a remote .gz file ends mid-stream: what came is enough
    head = b"".join(chunks)
    if head.startswith(b"PAR1"):
        return "PAR1"
    text = head.decode("utf-8", errors="replace")
    if text.lstrip().startswith("{") and '"resourceLogs"' in text:
        return text.lstrip()  # pretty-printed OTLP: the key is not on the first line
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def detect_format(path: str | Path) -> LogFormat:
    """Recognise the format of ``path`` (a local path or a URI) by its name, then its first line.

    Raises:
        EvidenceError: the format cannot be told; the message says how to name it.
    """
    line = _first_line(path)
    if _is_otlp(line):  # OTLP files are often named plain .json
        return get_format("otlp")
    name = basename(path).lower().removesuffix(".gz")
    for fmt in FORMATS:
        if name.endswith(fmt.suffixes):
            return fmt
    if line == "PAR1":
        return get_format("parquet")
    for fmt in FORMATS:
        if fmt.sniff(line):
            return fmt
    first = clip(line, 80)
    raise EvidenceError(
        f"cannot tell the format of {display(path)} from its name or first line ({first!r}); "
        f"name it with --format ({', '.join(f.name for f in FORMATS)})"
    )
