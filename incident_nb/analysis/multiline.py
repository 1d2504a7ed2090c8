"""Multi-line records: what starts a record, what continues one, what a stack frame looks like.

The rules are data: :data:`TRACE_SYNTAXES` holds, per language (Java and Kotlin, Python, Go,
.NET, JavaScript, PHP and Laravel), what a frame looks like and which library or framework its
file or function marks, which other lines continue a record (``Caused by:``, ``... 3 more``,
``Traceback (most recent call last):``, ``Stack trace:``, ``goroutine 1 [running]:``,
``--- End of inner exception stack trace ---``), and how the exception is named;
:data:`TIMESTAMP_STARTS` holds the timestamps that open a record (``2024-05-01 10:00:00``,
``[2023-05-15 18:19:32]``, ``May  1 10:00:00``).

:func:`join_records` turns the lines of a text log into records with these rules: a line
continues the record above when it is indented, is a frame or another continuation line of some
language, ends a Python traceback, or, in a log whose records start with a timestamp, has none.
The parsing of a joined record's trace for its signature is in
:mod:`incident_nb.analysis.stacktraces`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TraceSyntax:
    """How one language prints a stack trace."""

    language: str
    frame: re.Pattern[str]
    """A frame line; its ``where`` group names the function (and file) without line numbers."""
    framework: tuple[str, ...]
    """Text in a frame's ``where`` that marks a library or framework frame, not the app's."""
    continuations: tuple[re.Pattern[str], ...] = ()
    """Other lines that belong to the record above (headers, separators, omitted frames)."""
    exception: re.Pattern[str] | None = None
    """A line naming the exception: groups ``type`` and ``message``."""
    innermost_last: bool = False
    """Frames printed outermost first (Python), so the top of the stack is the last frame."""
    stanza: tuple[re.Pattern[str], ...] = field(default=())
    """Lines that continue a record only inside a trace of this language (Go's function lines,
    blank lines between goroutines, the exception line ending a Python traceback)."""


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# A qualified exception name: a dotted, ``$``- or ``\``-separated identifier ending in a suffix
# that names a failure.
EXCEPTION_NAME = (
    r"(?:[A-Za-z_$][\w$]*[.\\])*[\w$]*"
    r"(?:Exception|Error|Exit|Interrupt|Throwable|Panic|Failure|Fault|Warning)"
)

TRACE_SYNTAXES: tuple[TraceSyntax, ...] = (
    TraceSyntax(
        "javascript",
        _re(
            r"^\s+at (?:async )?(?:(?P<where>[^\s(]+(?: \[as [^\]]+\])?) "
            r"\((?P<file>[^()]*?)(?::\d+){1,2}\)|(?P<bare>[^\s()]+?)(?::\d+){1,2})\s*$"
        ),
        ("node_modules/", "node:internal", "internal/", "<anonymous>", "(native)"),
        exception=_re(rf"^(?:Uncaught )?(?P<type>{EXCEPTION_NAME}|Error)(?:: (?P<message>.*))?$"),
    ),
    TraceSyntax(
        "java",
        _re(
            r"^\s+at (?P<where>[\w$.<>/]+)\((?P<file>[^()]*"
            r"(?:\.java|\.kt|\.scala|\.groovy|Native Method|Unknown Source)[^()]*)\)"
        ),
        (
            "java.",
            "javax.",
            "jdk.",
            "sun.",
            "com.sun.",
            "kotlin.",
            "kotlinx.",
            "scala.",
            "org.springframework.",
            "org.apache.",
            "org.hibernate.",
            "org.eclipse.",
            "io.netty.",
            "reactor.",
            "io.grpc.",
            "com.google.",
            "org.junit.",
            "akka.",
            "com.fasterxml.",
        ),
        (
            _re(r"^Caused by: "),
            _re(r"^\s*\.\.\. \d+ (?:more|common frames omitted)"),
            _re(r"^\s*Suppressed: "),
        ),
        _re(
            r"^(?:Exception in thread \"[^\"]*\" |Caused by: |\s*Suppressed: )?"
            rf"(?P<type>{EXCEPTION_NAME}|[a-z][\w$]*(?:\.[\w$]+)+)(?:: (?P<message>.*))?$"
        ),
    ),
    TraceSyntax(
        "dotnet",
        _re(r"^\s+at (?P<where>[\w.`<>\[\],|+]+)\([^)]*\)(?: in (?P<file>.*?):line \d+)?\s*$"),
        ("System.", "Microsoft.", "Newtonsoft.", "Npgsql.", "Grpc."),
        (
            _re(
                r"^\s*--- End of (?:inner exception stack trace|stack trace from previous location)"
            ),
            _re(r"^\s*---> "),
        ),
        _re(rf"^(?:Unhandled exception\. |\s*---> )?(?P<type>{EXCEPTION_NAME}): (?P<message>.*)$"),
    ),
    TraceSyntax(
        "python",
        _re(r'^\s+File "(?P<file>[^"]+)", line \d+, in (?P<where>\S+)'),
        ("site-packages/", "dist-packages/", "/lib/python", "<frozen ", "\\lib\\"),
        (
            _re(r"^Traceback \(most recent call last\):"),
            _re(r"^During handling of the above exception, another exception occurred:"),
            _re(r"^The above exception was the direct cause of the following exception:"),
        ),
        _re(
            r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Iteration|[A-Z]\w*))"
            r"(?:: (?P<message>.*))?$"
        ),
        innermost_last=True,
    ),
    TraceSyntax(
        "go",
        _re(
            r"^(?P<where>(?:[\w.\-]+/)*[\w\-]+\.(?:\(\*?[\w\[\]]+\)\.)?[\w\[\].]+)"
            r"\(.*\)(?: \.\.\.)?$"
        ),
        ("runtime.", "net/http.", "testing.", "sync.", "reflect.", "syscall.", "internal/"),
        (
            _re(r"^goroutine \d+ \[[^\]]*\]:$"),
            _re(r"^\[signal "),
            _re(r"^\t.+\.go:\d+(?: \+0x[0-9a-f]+)?$"),
            _re(r"^created by "),
            _re(r"^exit status \d+$"),
        ),
        _re(r"^(?P<type>panic|fatal error): (?P<message>.*)$"),
        stanza=(_re(r"^$"),),
    ),
    TraceSyntax(
        "php",
        _re(
            r"^#\d+ (?:(?P<file>[^(]+)\(\d+\): (?P<where>.+)"
            r"|(?P<bare>\{main\}|\[internal function\]: .+))$"
        ),
        ("/vendor/", "{main}", "[internal function]"),
        (
            _re(r"^Stack trace:$"),
            _re(r"^\[stacktrace\]$"),
            _re(r"^\s*thrown in .+ on line \d+$"),
            _re(r'^"\}\s*$'),
            _re(r"^\[previous exception\] "),
            _re(r"^Next [\w\\]+(?:: |$)"),
        ),
        _re(
            rf"(?:Uncaught |\(|^Next )(?P<type>{EXCEPTION_NAME})"
            r"(?:\(code: \d+\))?: (?P<message>.*)$"
        ),
    ),
)

# Timestamps a record starts with, bracketed or not: ISO dates, syslog, Apache, slashed dates.
TIMESTAMP_STARTS: tuple[str, ...] = (
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}",
    r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}",
    r"\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}",
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}",
    r"[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}",
    r"\d{2}:\d{2}:\d{2}[.,]\d+",
    r"\d{6} \d{6}",
    r"\d{10}(?:\.\d+)?\s",
)
_TIMESTAMP = re.compile(r"^\[?(?:" + "|".join(TIMESTAMP_STARTS) + ")")
# Every frame and continuation rule in one expression (group names dropped): one match a line.
_CONTINUATION = re.compile(
    "|".join(
        "(?:" + re.sub(r"\(\?P<\w+>", "(?:", pattern.pattern) + ")"
        for syntax in TRACE_SYNTAXES
        for pattern in (syntax.frame, *syntax.continuations)
    )
)
_PYTHON_HEADER = TRACE_SYNTAXES[3].continuations[0]
_PYTHON_END = re.compile(r"^[A-Za-z_][\w.]*(?::|$)")
_GO_START = TRACE_SYNTAXES[4].exception
_GO_LINES = (TRACE_SYNTAXES[4].frame, *TRACE_SYNTAXES[4].stanza)
# A log is led by timestamps when its first line and half its possible record starts have one
# (and at least this many): lines without one then continue the record above.
_LED_SHARE = 0.5
_LED_MIN = 2


def starts_with_timestamp(line: str) -> bool:
    """Whether ``line`` opens with a timestamp of :data:`TIMESTAMP_STARTS`."""
    return bool(_TIMESTAMP.match(line))


def _shape_continues(line: str) -> bool:
    """Whether a line continues the record above by its own shape, in any language."""
    if line[:1] in (" ", "\t") and line.strip():
        return True
    return bool(_CONTINUATION.match(line))


def _continuations(lines: Sequence[str], stamps: list[bool]) -> list[bool]:
    """For each line, whether it continues the record above by its shape or its trace.

    Besides the shapes of :func:`_shape_continues`: the exception line that ends a Python
    traceback, the function lines and blank lines of a Go panic's goroutine dump, and blank
    lines followed by a continuation (between chained Python tracebacks).
    """
    out = [False] * len(lines)
    python = go = False
    for i, line in enumerate(lines):
        cont = not stamps[i] and _shape_continues(line)
        if not cont and python and line.strip() and _PYTHON_END.match(line):
            cont, python = True, False
        elif not cont and go and any(pattern.match(line) for pattern in _GO_LINES):
            cont = True
        if not cont:
            python = go = False
        python = python or bool(_PYTHON_HEADER.match(line))
        go = go or bool(_GO_START is not None and _GO_START.match(line))
        out[i] = cont and i > 0
    following = False  # whether the next non-blank line continues its record
    for i in range(len(lines) - 1, 0, -1):
        if lines[i].strip():
            following = out[i]
        elif following:
            out[i] = True
    return out


def _led_by_timestamps(lines: Sequence[str], stamps: list[bool], continues: list[bool]) -> bool:
    """Whether the records of a log start with a timestamp.

    They do when its first line has one, and so do half the lines that could start a record.

    A line followed by a continuation (an exception line heading its frames) is left out: it is
    printed after its record's first line, or on its own.
    """
    starts = stamped = 0
    for i, line in enumerate(lines):
        if continues[i] or not line.strip():
            continue
        has_time = stamps[i]
        if not has_time and i + 1 < len(lines) and continues[i + 1]:
            continue
        starts += 1
        stamped += has_time
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    return first is not None and stamps[first] and stamped >= max(_LED_MIN, _LED_SHARE * starts)


def join_records(lines: Sequence[str]) -> tuple[list[str], tuple[int, ...]]:
    """Records of a text log whose records may span lines, and each line's record index.

    A line continues the record above when it is indented, is a frame or another continuation
    line of :data:`TRACE_SYNTAXES`, is the exception line ending a Python traceback, is part of
    a Go panic's goroutine dump, or (in a log whose records start with a timestamp) has none.
    Trailing blank lines of a record belong to it but are not part of its text.

    Returns:
        The records' texts and, for each input line, the index of its record.
    """
    stamps = [starts_with_timestamp(line) for line in lines]
    continues = _continuations(lines, stamps)
    led = _led_by_timestamps(lines, stamps, continues)
    records: list[list[str]] = []
    owners: list[int] = []
    for i, line in enumerate(lines):
        if records and (continues[i] or (led and not stamps[i])):
            records[-1].append(line)
        else:
            records.append([line])
        owners.append(len(records) - 1)
    texts = ["\n".join(record).rstrip() if len(record) > 1 else record[0] for record in records]
    return texts, tuple(owners)


__all__ = [
    "EXCEPTION_NAME",
    "TIMESTAMP_STARTS",
    "TRACE_SYNTAXES",
    "TraceSyntax",
    "join_records",
    "starts_with_timestamp",
]
