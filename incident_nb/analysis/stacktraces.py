"""Stack traces in multi-line records: the exception, its message and the frames that matter.

Two records of the same failure differ in their numbers and in the values in their message, not
in where they were thrown. :func:`parse_trace` so reads a record with the frame and exception
rules of :data:`incident_nb.analysis.multiline.TRACE_SYNTAXES` (Java, Python, Go, .NET,
JavaScript, PHP/Laravel) into its exception type(s), the message of the exception, and its top
application frames (library and framework frames are skipped unless there are no others);
:mod:`incident_nb.analysis.signatures` builds the signature from those, with the message as a
template. :func:`trace_template` gives the template with the whole message as one wildcard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from incident_nb.analysis.masking import WILDCARD
from incident_nb.analysis.multiline import EXCEPTION_NAME, TRACE_SYNTAXES, TraceSyntax

TOP_FRAMES = 3
"""Application frames a signature keeps, from the top of the stack."""
NO_TYPE = "(no exception type)"

_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|\d+")
_ANY_EXCEPTION = re.compile(rf"(?:^|[\s:(])(?P<type>{EXCEPTION_NAME})\b(?:\(code: \d+\))?:? ?")
_GOROUTINE = re.compile(r"^goroutine \d+ \[")
# A quoted word in an exception's message is a value: the key of a KeyError, a missing name.
_QUOTED_WORD = re.compile(r"""(['"])[^'"\s]+\1""")
_SYNTAX = {syntax.language: syntax for syntax in TRACE_SYNTAXES}


@dataclass(frozen=True)
class Trace:
    """What a multi-line record's stack trace says."""

    types: tuple[str, ...]
    """Exception types, the one thrown first (a ``Caused by:`` chain gives several)."""
    message: str
    """The message of the first type (the record's first line when no type is named)."""
    frames: tuple[str, ...]
    """The top application frames, numbers masked, as printed."""

    def head(self) -> str:
        """The types joined by ``caused by`` (empty when the record names none)."""
        return "" if self.types == (NO_TYPE,) else " caused by ".join(self.types)


@dataclass(frozen=True)
class _Frame:
    text: str
    language: str
    application: bool


def _frame(line: str, languages: set[str]) -> _Frame | None:
    for syntax in TRACE_SYNTAXES:
        if syntax.language not in languages:
            continue
        if match := syntax.frame.match(line):
            where = " ".join(v for v in match.groupdict().values() if v)
            application = not any(marker in where for marker in syntax.framework)
            return _Frame(_NUMBER.sub(WILDCARD, line.strip()), syntax.language, application)
    return None


def _exception(line: str, syntaxes: list[TraceSyntax]) -> tuple[str, str] | None:
    """The exception type and message a line names, by the rules of the record's languages."""
    for syntax in syntaxes:
        if syntax.exception is not None and (match := syntax.exception.search(line)):
            return match.group("type"), (match.group("message") or "").strip()
    return None


def parse_trace(record: str) -> Trace | None:
    """The stack trace of a multi-line record, or None when the record has no frames."""
    if "\n" not in record:
        return None
    lines = record.splitlines()
    languages = {s.language for s in TRACE_SYNTAXES if s.language != "go"}
    if any(_GOROUTINE.match(line) for line in lines):
        languages.add("go")
    frames: list[_Frame] = []
    heads: list[tuple[int, str]] = []  # (index, line) of lines that may name an exception
    after_python_frame = False
    for i, line in enumerate(lines):
        if (frame := _frame(line, languages)) is not None:
            frames.append(frame)
            after_python_frame = frame.language == "python"
            continue
        if not after_python_frame:  # the source line Python prints under a frame is code
            heads.append((i, line))
        after_python_frame = False
    if not frames:
        return None
    present = {frame.language for frame in frames}
    syntaxes = [s for s in TRACE_SYNTAXES if s.language in present]
    python = present == {"python"}
    named = [
        found
        for i, line in heads
        if (found := _exception(line, syntaxes)) is not None
        and (not python or (i > 0 and not line[:1].isspace()))
    ]
    if not named:  # a header line naming the exception in its own words
        first = _ANY_EXCEPTION.search(lines[0])
        if first is not None:
            named = [(first.group("type"), lines[0][first.end() :].strip())]
    if python:
        named.reverse()  # Python prints the exception raised last at the bottom
    types = tuple(dict.fromkeys(t for t, _ in named)) or (NO_TYPE,)
    message = named[0][1] if named else lines[0].strip()
    ordered = frames[::-1] if python else frames
    chosen = [f for f in ordered if f.application][:TOP_FRAMES] or ordered[:TOP_FRAMES]
    if python:
        chosen.reverse()
    return Trace(types, message, tuple(f.text for f in chosen))


def mask_quoted(message: str) -> str:
    """An exception message with its quoted words as wildcards: ``'card'`` -> ``'<*>'``."""
    return _QUOTED_WORD.sub(rf"\1{WILDCARD}\1", message)


def render(types: str, message: str, frames: tuple[str, ...]) -> str:
    """A trace's signature template: ``types: message`` and one indented line per frame.

    Without types (a record whose trace names no exception), the message alone leads.
    """
    head = f"{types}: {message}".rstrip() if types else message
    return "\n".join([head, *(f"  {frame}" for frame in frames)])


def trace_template(message: str) -> str | None:
    r"""The signature template of a multi-line stack trace with its message as one wildcard.

    Example: ``"java.lang.IllegalStateException: pool 7 closed\n\tat a.B.c(B.java:42)"`` gives
    ``"java.lang.IllegalStateException: <*>\n  at a.B.c(B.java:<*>)"``; None when ``message``
    has no frames.
    """
    trace = parse_trace(message)
    return None if trace is None else render(trace.head(), WILDCARD, trace.frames)


__all__ = [
    "NO_TYPE",
    "TOP_FRAMES",
    "Trace",
    "mask_quoted",
    "parse_trace",
    "render",
    "trace_template",
]
