"""Text from people, alerts and logs made safe for Markdown, and validation errors in words.

Everything a person or a log wrote is escaped before it reaches a rendered document, so that
text such as ``<script>`` or a ``javascript:`` link shows as text and never runs.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


def text(value: str) -> str:
    """Escape user or log text for Markdown: HTML and links are shown, never interpreted.

    Markdown emphasis and lists still work; link and image syntax does not, since a link in a
    shared document could carry a ``javascript:`` URL.
    """
    escaped = html.escape(value.strip(), quote=False)
    return escaped.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def cell(value: str) -> str:
    """Escape text for a Markdown table cell (pipes and line breaks too)."""
    return text(value).replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")


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
