"""The log formats incident-nb reads, as a table, and how a file's format is recognised.

Each format names its reader, the file suffixes that announce it, and how well a file's first
lines fit it (:class:`Fit`: how many start a record, or why none does). ``--format`` picks one
by name; ``auto`` recognises each file on its own, so one investigation can mix formats: a
container envelope (:mod:`.envelopes`) first, then a telling name, then the format that
explains most of the first lines, the more specific first. Plain text is CSV only under a
header line of field names. When nothing fits, the error says, for each format, why.
"""

from __future__ import annotations

import csv
import importlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from incident_nb.core.errors import EvidenceError
from incident_nb.core.redact import clip
from incident_nb.sources.logs.accounting import ReadOptions, open_bytes
from incident_nb.sources.logs.envelopes import Envelope, detect_envelope, unwrap_lines
from incident_nb.sources.logs.layouts import LAYOUTS, Layout
from incident_nb.sources.logs.lines import head_lines
from incident_nb.sources.logs.remote import basename, display

if TYPE_CHECKING:
    import duckdb

    from incident_nb.sources.logs.accounting import RawInput

    Reader = Callable[[duckdb.DuckDBPyConnection, Sequence[str], str, ReadOptions], RawInput]

SHARE = 0.5
"""The share of its first lines a single-line format must explain to be taken."""
LEAD = 5
"""A multi-line format's first record must start within this many lines (a file header)."""


@dataclass(frozen=True)
class Fit:
    """How a file's first lines fit a format: how many it explains, or why none."""

    score: int
    reason: str = ""


@dataclass(frozen=True)
class LogFormat:
    """One log format: its name, its reader, and how to recognise it."""

    name: str
    summary: str
    reader: str
    """``module:function`` of the reader in this package, imported on first use."""
    suffixes: tuple[str, ...]
    sniff: Callable[[Sequence[str]], Fit] | None
    """How well a file's first lines fit; None for a format only told by its name or bytes."""
    layout: str = ""
    wrapped: bool = True
    """Whether it may be the inner format of a container envelope."""

    def read(
        self,
        con: duckdb.DuckDBPyConnection,
        files: Sequence[str],
        view: str,
        options: ReadOptions | None = None,
    ) -> RawInput:
        """Create the DuckDB view ``view`` of ``files`` (local paths or URIs) in this format."""
        module, _, function = self.reader.partition(":")
        read = cast(
            "Reader",
            getattr(importlib.import_module(f"incident_nb.sources.logs.{module}"), function),
        )
        base = options or ReadOptions()
        return read(con, files, view, replace(base, layout=self.layout))


def _is_comment(line: str) -> bool:
    return line.startswith(("#", "//"))


def _json_fit(lines: Sequence[str]) -> Fit:
    head = " ".join(lines[:2])
    if head.startswith("[") and head[1:].lstrip().startswith("{"):
        return Fit(len(lines))  # one JSON array of records, as exports write them
    content = [(n, line) for n, line in enumerate(lines, start=1) if not _is_comment(line)]
    objects = 0
    first_bad = ""
    for number, line in content:
        try:
            ok = line.startswith("{") and isinstance(json.loads(line), dict)
        except ValueError:
            ok = False
        objects += ok
        if not ok and not first_bad:
            first_bad = f"line {number} is not a JSON object"
    if objects and objects >= SHARE * len(content):
        return Fit(objects)
    return Fit(0, first_bad or "no line is a JSON object")


def _otlp_fit(lines: Sequence[str]) -> Fit:
    if lines and lines[0].startswith("{") and any('"resourceLogs"' in x for x in lines):
        return Fit(len(lines))
    return Fit(0, "no OTLP resourceLogs document")


_LOGFMT_LINE = re.compile(r"^(?:[^\s=\"]+=(?:\"(?:[^\"\\]|\\.)*\"|\S*)\s*){2,}$")


def _logfmt_fit(lines: Sequence[str]) -> Fit:
    matched = [bool(_LOGFMT_LINE.match(line)) for line in lines]
    if sum(matched) and sum(matched) >= SHARE * len(lines):
        return Fit(sum(matched))
    first = next((n for n, ok in enumerate(matched, start=1) if not ok), 1)
    return Fit(0, f"line {first} is not key=value pairs")


_FIELD_NAME = re.compile(r"[A-Za-z_@#$][\w@#$.:/()\[\] -]{0,63}")


def header_problem(names: Sequence[str], line: str) -> str:
    """Why ``names`` (a first line split at its delimiter) is no header of names, or ``""``."""
    if len(names) < 2:
        return f"line 1 ({clip(line, 60)!r}) has no delimiter"
    plausible = all(
        _FIELD_NAME.fullmatch(h) and h == h.strip() and not h[:1].isdigit() for h in names
    )
    if not plausible or len({h.lower() for h in names}) != len(names):
        return f"line 1 ({clip(line, 60)!r}) is not a header of field names"
    return ""


def _header_fit(delim: str) -> Callable[[Sequence[str]], Fit]:
    def fit(lines: Sequence[str]) -> Fit:
        try:
            rows = list(csv.reader(lines, delimiter=delim))
        except csv.Error as exc:
            return Fit(0, f"the first lines are not delimited text ({exc})")
        problem = header_problem(rows[0] if rows else [], lines[0] if lines else "")
        if problem:
            return Fit(0, problem)
        header = rows[0]
        data = rows[1:]
        same = sum(len(row) == len(header) for row in data)
        if data and same >= 0.8 * len(data):
            return Fit(1 + same)
        return Fit(0, "the lines after the header do not have its number of fields")

    return fit


def _layout_fit(layout: Layout) -> Callable[[Sequence[str]], Fit]:
    regex = layout.regex()

    def fit(lines: Sequence[str]) -> Fit:
        starts = [i for i, line in enumerate(lines) if regex.match(line)]
        if layout.multiline:
            ok = bool(starts) and starts[0] < LEAD
        else:
            ok = bool(starts) and len(starts) >= SHARE * len(lines)
        if ok:
            return Fit(len(starts))
        first = next((i for i in range(len(lines)) if i not in set(starts)), 0) + 1
        return Fit(0, f"line {first} is not {layout.expect!r}")

    return fit


def _layout_format(layout: Layout) -> LogFormat:
    return LogFormat(
        layout.name,
        layout.summary,
        "textlines:read_layout",
        (".access.log",) if layout.name == "access" else (),
        _layout_fit(layout) if layout.sniffed else None,
        layout=layout.name,
    )


_LAST = ("timestamped", "text")
FORMATS: tuple[LogFormat, ...] = (
    LogFormat(
        "otlp",
        "OpenTelemetry OTLP/JSON logs",
        "otlp:read_otlp",
        (".otlp.json",),
        _otlp_fit,
        "",
        False,
    ),
    LogFormat(
        "jsonl",
        "JSON lines, one object per line (nested fields by their dotted path)",
        "jsonlines:read_jsonl",
        (".jsonl", ".ndjson", ".json"),
        _json_fit,
    ),
    *(_layout_format(layout) for layout in LAYOUTS if layout.name not in _LAST),
    LogFormat(
        "logfmt", "logfmt key=value lines", "textlines:read_logfmt", (".logfmt",), _logfmt_fit
    ),
    LogFormat(
        "tsv",
        "tab-separated values with a header",
        "readers:read_tsv",
        (".tsv",),
        _header_fit("\t"),
        wrapped=False,
    ),
    LogFormat(
        "csv",
        "comma-separated values with a header",
        "readers:read_csv",
        (".csv",),
        _header_fit(","),
        wrapped=False,
    ),
    *(_layout_format(layout) for layout in LAYOUTS if layout.name in _LAST),
    LogFormat("parquet", "Apache Parquet", "readers:read_parquet", (".parquet",), None, "", False),
)
"""Known formats, in the order content sniffing prefers them when two explain as much."""

ALIASES = {
    "json": "jsonl",
    "ndjson": "jsonl",
    "combined": "access",
    "common": "access",
    "nginx": "access",
    "syslog5424": "rfc5424",
    "log4j2": "log4j",
    "klog": "glog",
}
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


def _magic(path: str | Path) -> bytes:
    with open_bytes(path, head=True) as handle:
        try:
            return handle.read(4)
        except EOFError:
            return b""


@dataclass(frozen=True)
class Detected:
    """A file's format, and the container envelope around its lines if any.

    In an envelope of interleaved programs (``docker compose logs``), each program may log its
    own way: a file is then read once per format, ``only`` some programs' lines, or the lines of
    all ``besides`` those read in another format.
    """

    format: LogFormat
    envelope: Envelope | None = None
    only: tuple[str, ...] = ()
    besides: tuple[str, ...] = ()

    def options(self, year: int | None, tz: str) -> ReadOptions:
        """What the reader of this format is told."""
        envelope = self.envelope.name if self.envelope else ""
        return ReadOptions(self.format.layout, envelope, year, tz, self.only, self.besides)


def sniff(lines: Sequence[str], wrapped: bool = False) -> tuple[LogFormat | None, list[str]]:
    """The format that best explains ``lines``, or None and, per format, why not."""
    best: tuple[int, LogFormat] | None = None
    reasons: list[str] = []
    for fmt in FORMATS:
        if fmt.sniff is None or (wrapped and not fmt.wrapped):
            continue
        fit = fmt.sniff(lines)
        if fit.score and (best is None or fit.score > best[0]):
            best = (fit.score, fmt)
        elif not fit.score:
            reasons.append(f"{fmt.name}: {fit.reason}")
    return (best[1] if best else None), reasons


def _by_program(path: str | Path, envelope: Envelope) -> list[Detected] | None:
    """One detection per format of the programs interleaved in ``path``, or None for one."""
    programs: dict[str, list[str]] = {}
    for line in head_lines(str(path), count=2000, size=1 << 20):
        key = envelope.key_of(line)
        if key is not None:
            programs.setdefault(key, []).append(line)
    found: dict[str, tuple[LogFormat, list[str], int]] = {}
    for key, lines in programs.items():
        inner = unwrap_lines(envelope, lines)
        fmt = sniff(inner, wrapped=True)[0] or get_format("text")
        _, keys, count = found.get(fmt.name, (fmt, [], 0))
        found[fmt.name] = (fmt, [*keys, key], count + len(lines))
    if len(found) < 2:
        return None
    ranked = sorted(found.values(), key=lambda f: -f[2])
    # The most common format also reads the programs first seen further down the file.
    others = tuple(k for _, keys, _ in ranked[1:] for k in keys)
    first = Detected(ranked[0][0], envelope, besides=others)
    return [first, *(Detected(fmt, envelope, only=tuple(keys)) for fmt, keys, _ in ranked[1:])]


def detect_all(path: str | Path, fmt: str = "auto") -> list[Detected]:
    """How to read ``path``: as :func:`detect` says, or once per format of its programs."""
    found = detect(path, fmt)
    if fmt == "auto" and found.envelope is not None and found.envelope.key:
        return _by_program(path, found.envelope) or [found]
    return [found]


def detect(path: str | Path, fmt: str = "auto") -> Detected:
    """The format of ``path`` (a local path or a URI): ``fmt`` unless ``auto``, its envelope.

    Raises:
        EvidenceError: the format cannot be told; the message says why each format did not fit.
    """
    if _magic(path) == b"PAR1":
        return Detected(get_format("parquet" if fmt == "auto" else fmt))
    head = head_lines(str(path))
    if fmt == "auto" and _otlp_fit(head).score:
        return Detected(get_format("otlp"))
    envelope = detect_envelope(head)
    if fmt != "auto":
        named = get_format(fmt)
        return Detected(named, envelope if named.wrapped else None)
    lines = unwrap_lines(envelope, head) if envelope else head
    if envelope is None:
        name = basename(path).lower().removesuffix(".gz")
        for known in FORMATS:
            if name.endswith(known.suffixes):
                return Detected(known)
    found, reasons = sniff(lines, wrapped=envelope is not None)
    if found is not None:
        return Detected(found, envelope)
    if envelope is not None and lines:
        return Detected(get_format("text"), envelope)
    inside = f" (inside a {envelope.name} envelope)" if envelope else ""
    first = repr(clip(lines[0], 80)) if lines else "no text"
    raise EvidenceError(
        f"cannot tell the format of {display(path)} from its name or first lines{inside} "
        f"(line 1: {first}); name it with --format ({', '.join(f.name for f in FORMATS)}). "
        f"Why each did not fit: {'; '.join(reasons)}"
    )


def detect_format(path: str | Path) -> LogFormat:
    """Recognise the format of ``path`` (a local path or a URI) by its name, then its lines.

    Raises:
        EvidenceError: the format cannot be told; the message says how to name it.
    """
    return detect(path).format
