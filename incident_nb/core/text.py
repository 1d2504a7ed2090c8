"""Text from people, alerts and logs made safe for Markdown, and validation errors in words.

Everything a person or a log wrote is escaped before it reaches a rendered document, so that
text such as ``<script>`` or a ``javascript:`` link shows as text and never runs.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


BLOCK_MARKUP = re.compile(r"^([ \t]{0,3})(?=#{1,6}(?:[ \t]|$)|[=*_-][=*_ \t-]*$|```|~~~|\|)", re.M)
"""A line start that would open a block of its own: a heading (ATX ``#`` or a setext
underline), a thematic break, a code fence or a table row."""


def text(value: str) -> str:
    """Escape user or log text for Markdown: HTML, links and block structure are shown as text.

    Emphasis, lists and line breaks still work; link and image syntax does not, since a link in
    a shared document could carry a ``javascript:`` URL; nor does anything that would open a
    block of its own at the start of a line (``### Root Cause``, ``---``, a code fence), so a
    person's or an alert's text never adds a section to a document or closes one.
    """
    escaped = html.escape(value.strip(), quote=False)
    escaped = escaped.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return BLOCK_MARKUP.sub(lambda m: m.group(1) + "\\", escaped.replace("\r\n", "\n"))


def inline(value: str) -> str:
    """Escape text for a place that holds one line (a title, a bullet, a field after a label)."""
    return text(" ".join(value.split()))


def cell(value: str) -> str:
    """Escape text for a Markdown table cell (pipes and line breaks too)."""
    return text(value).replace("|", "\\|").replace("\n", "<br>")


def describe_validation_error(exc: ValidationError, limit: int = 3) -> str:
    """Summarise a pydantic error as ``field.path: message`` items."""
    parts = []
    for err in exc.errors()[:limit]:
        where = ".".join(str(p) for p in err["loc"]) or "(top level)"
        parts.append(f"{where}: {err['msg']}")
    more = len(exc.errors()) - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)
