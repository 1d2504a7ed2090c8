"""What a real-shaped log sample is, and how its text is written.

Each sample is written by hand from the format's own documentation (its layout, field names,
level names and numbers, time formats), not copied from any project; its expectations are
counted by hand from the text: records (a continuation line is no record), malformed ones,
errors (a 5xx status, else a level of error or worse), the endpoints, the window (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sample:
    """One log file and what reading it must give."""

    name: str
    file: str
    text: str
    fmt: str
    records: int
    errors: int
    window: tuple[str, str]
    endpoints: tuple[str, ...] = ()
    malformed: int = 0
    bad_timestamp: int = 0
    envelope: str = ""
    year: int | None = None
    mtime: str = ""
    """ISO time to give the file as its modification time (year-less layouts)."""
    errors_known: bool = True
    fields: dict[str, str | None] = field(default_factory=dict)
    """Roles whose source field is checked (the others are not)."""


def lines(*rows: str) -> str:
    """The text of a file of ``rows``."""
    return "".join(row + "\n" for row in rows)


W = "2025-03-12T10:00:00+00:00"
"""The start of most samples' windows."""
