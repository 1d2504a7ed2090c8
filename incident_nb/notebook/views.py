"""The notebook's tables: which columns of each evidence frame people see, and how.

Pure: frames in, :class:`~incident_nb.notebook.tables.Table` out. Each table's columns are
data (a list of :class:`~incident_nb.notebook.tables.Col`), so a header or a format is changed
in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from incident_nb.analysis.localize import ServiceRank
from incident_nb.notebook.tables import Col, Table

IMPACT_COLUMNS = (Col("question", "Question"), Col("answer", "Answer"))
TENANT_COLUMNS = (
    Col("tenant", "Tenant"),
    Col("requests", "Requests", "int"),
    Col("errors", "Errors", "int"),
    Col("error_rate", "Error rate since the onset", "percent"),
    Col("baseline_error_rate", "Error rate before", "percent"),
    Col("affected", "Affected", "flag"),
)
ERROR_COLUMNS = (
    Col("which", "Error"),
    Col("ts", "Time (UTC)", "time"),
    Col("request_id", "Request ID", "code"),
    Col("tenant", "Tenant"),
    Col("endpoint", "Endpoint"),
    Col("status", "Status", "int"),
    Col("message", "Message"),
)
SIGNATURE_COLUMNS = (
    Col("new_since_onset", "New since the onset", "new"),
    Col("template", "Error signature (variable parts as <*>)", hover="example"),
    Col("count", "Count", "int"),
    Col("first_seen", "First seen (UTC)", "time"),
    Col("last_seen", "Last seen (UTC)", "time"),
    Col("tenants", "Tenants", "int"),
    Col("endpoints", "Endpoints", "list"),
)
REQUEST_COLUMNS = ERROR_COLUMNS[1:]
CHANGE_COLUMNS = (
    Col("time", "Time", "moment"),
    Col("type", "Type"),
    Col("short_sha", "Commit", "code"),
    Col("subject", "Subject"),
    Col("author", "Author"),
    Col("kinds", "Kinds", "list"),
    Col("files", "Files", "list"),
)
SUSPECT_COLUMNS = (
    Col("rank", "Rank", "int"),
    Col("short_sha", "Commit", "code"),
    Col("subject", "Change"),
    Col("live_at", "Live since", "moment"),
    Col("deploy", "Deploy"),
    Col("reasons", "Why it is suspected", "lines"),
    Col("score", "Score", "number"),
)
MAX_FILES = 6


def impact_answers(questions: Sequence[str], answers: Sequence[str]) -> Table:
    """The workflow's impact questions with their answers."""
    frame = pd.DataFrame({"question": list(questions), "answer": list(answers)})
    return Table(frame, IMPACT_COLUMNS)


def tenants(frame: pd.DataFrame) -> Table:
    """Requests and errors per tenant since the onset; affected tenants highlighted."""
    return Table(frame, TENANT_COLUMNS, highlight="affected", empty="No tenant field in the logs.")


def first_and_last(first: dict[str, Any] | None, last: dict[str, Any] | None) -> Table:
    """The first error since the onset and the most recent one, full messages."""
    rows = [
        {**event, "which": label}
        for label, event in (("First since the onset", first), ("Most recent", last))
        if event
    ]
    return Table(pd.DataFrame(rows), ERROR_COLUMNS, empty="No errors in the logs.")


def signatures(frame: pd.DataFrame) -> Table:
    """Error signatures, most frequent first; new ones marked and highlighted."""
    return Table(
        frame,
        SIGNATURE_COLUMNS,
        highlight="new_since_onset",
        empty="No error messages in the logs.",
    )


def failing_requests(frame: pd.DataFrame) -> Table:
    """Recent failing requests with their ids."""
    return Table(frame, REQUEST_COLUMNS, empty="No failing requests since the onset.")


def _short(items: Any) -> list[str]:
    listed = [str(i) for i in items]
    return listed[:MAX_FILES] + (
        [f"and {len(listed) - MAX_FILES} more"] if len(listed) > MAX_FILES else []
    )


def changes(frame: pd.DataFrame) -> Table:
    """Commits, merges and tags of the look-back window, newest first."""
    shown = frame.assign(files=frame["files"].map(_short)) if "files" in frame else frame
    return Table(shown, CHANGE_COLUMNS, empty="No commits in the look-back window.")


def suspects(frame: pd.DataFrame) -> Table:
    """Suspect changes, best first, each with its reasons as a list."""
    return Table(frame, SUSPECT_COLUMNS, empty="No suspect changes before the onset.")


def generic(frame: pd.DataFrame, empty: str = "No rows.") -> Table:
    """Any other frame (traces, metrics, verification) with readable headers and values."""
    return Table(frame, empty=empty)


SERVICE_COLUMNS = (
    Col("rank", "Rank", "int"),
    Col("service", "Service"),
    Col("score", "Score", "number"),
    Col("evidence", "What changed against the baseline", "lines"),
)


def services(ranking: Sequence[ServiceRank], top: int = 5, reasons: int = 3) -> Table:
    """The services most likely at fault, best first, each with its strongest evidence."""
    frame = pd.DataFrame(
        [
            {
                "rank": rank,
                "service": s.service,
                "score": s.score,
                "evidence": [f"{e.signal}: {e.summary}" for e in s.evidence[:reasons]],
            }
            for rank, s in enumerate(ranking[:top], start=1)
        ],
        columns=[c.key for c in SERVICE_COLUMNS],
    )
    return Table(frame, SERVICE_COLUMNS, empty="No service changed against the baseline.")
