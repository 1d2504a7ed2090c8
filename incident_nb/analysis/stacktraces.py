"""Multi-line stack traces: their signature is the exception type and the frames it went through.

Two traces of the same failure differ in their message text and line numbers, not in where they
were thrown; :func:`trace_template` so keys a trace by its exception type(s) and its frames with
numbers masked, and ignores the free text. Java/Kotlin (``at pkg.Class.method(File.java:12)``,
``Caused by:``), Python (``File "x.py", line 3, in f``), Go (``/src/x.go:12``), JavaScript and
.NET frames are recognised.
"""

from __future__ import annotations

import re

from incident_nb.analysis.masking import WILDCARD

_FRAME = re.compile(
    r"^\s*(?:at\s+\S|File\s+\"[^\"]*\",\s+line\s+\d|\S+\.go:\d+|\S+\.(?:py|rb|php|js|ts):\d+)"
)
_EXCEPTION = re.compile(
    r"(?:^|[\s:(])((?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$][\w$]*"
    r"(?:Exception|Error|Exit|Interrupt|Throwable|Panic|Failure|Fault|Warning))\b"
)
_GO_PANIC = re.compile(r"^(panic|fatal error):")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|\d+")
_OMITTED = re.compile(r"^\s*\.\.\.\s*\d+\s+more\s*$")


def _exception_types(lines: list[str]) -> list[str]:
    """Exception types named outside the frames, in order (a ``Caused by:`` chain gives several)."""
    found: list[str] = []
    after_python_frame = False
    for line in lines:
        # The source line Python prints under a frame is code, not an exception being thrown.
        skip = after_python_frame or bool(_FRAME.match(line) or _OMITTED.match(line))
        after_python_frame = line.lstrip().startswith('File "')
        if skip:
            continue
        if panic := _GO_PANIC.match(line.strip()):
            found.append(panic.group(1))
        elif match := _EXCEPTION.search(line):
            found.append(match.group(1))
    return found


def trace_template(message: str) -> str | None:
    r"""The signature template of a multi-line stack trace, or None when ``message`` is not one.

    Example: ``"java.lang.IllegalStateException: pool 7 closed\n\tat a.B.c(B.java:42)"`` gives
    ``"java.lang.IllegalStateException: <*>\n  at a.B.c(B.java:<*>)"``.
    """
    if "\n" not in message:
        return None
    lines = message.splitlines()
    frames = [_NUMBER.sub(WILDCARD, line.strip()) for line in lines if _FRAME.match(line)]
    if not frames:
        return None
    types = _exception_types(lines) or ["(no exception type)"]
    head = " caused by ".join(dict.fromkeys(types))
    return "\n".join([f"{head}: {WILDCARD}", *(f"  {frame}" for frame in frames)])
