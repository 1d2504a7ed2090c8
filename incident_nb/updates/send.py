"""Saving, sending and recording stakeholder updates of one incident folder.

The drafted text is written to ``<incident>/updates/`` before anything is sent, so a failed
delivery never loses it. A sent update is appended to the record's ``updates`` (for the cadence
and its SLA) and to its timeline, in one locked write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from incident_nb.core.durable import write_atomic
from incident_nb.core.errors import DeliveryError
from incident_nb.core.folder import IncidentFolder
from incident_nb.core.record import (
    IncidentRecord,
    StatusUpdate,
    TimelineEvent,
    read_record,
)
from incident_nb.core.store import RecordStore
from incident_nb.core.summary import AnalysisSummary
from incident_nb.sources.records import read_summary
from incident_nb.sources.webhook import post_message
from incident_nb.updates.draft import Draft, draft_update

UPDATES_DIR = "updates"


def save_draft(folder: Path, draft: Draft) -> Path:
    """Write the draft as ``updates/<time>.txt`` and ``.md``; return the text file's path."""
    stem = folder / UPDATES_DIR / f"{draft.created_at:%Y%m%dT%H%M%SZ}"
    write_atomic(stem.with_suffix(".md"), draft.markdown)
    text = stem.with_suffix(".txt")
    write_atomic(text, draft.text)
    return text


def record_sent(
    store: RecordStore, draft: Draft, channel: Literal["manual", "webhook"]
) -> IncidentRecord:
    """Append the sent update to the record's ``updates`` and timeline."""
    update = StatusUpdate(
        time=draft.created_at,
        severity=draft.level,
        channel=channel,
        who=store.who,
        text=draft.text,
    )
    how = "posted to the webhook" if channel == "webhook" else "sent"
    sev = f" ({draft.level.value})" if draft.level else ""
    event = TimelineEvent(
        time=draft.created_at,
        event=f"Status update {how}{sev}",
        source="person",
        kind="update",
    )

    def append(record: IncidentRecord) -> IncidentRecord:
        record.updates = [*record.updates, update]
        record.timeline = [*record.timeline, event]
        return record

    return store.modify(["updates", "timeline"], append)


@dataclass(frozen=True)
class SendResult:
    """What happened to one update: where its text is, and whether it was delivered."""

    draft_path: Path
    delivered: bool
    problem: str = ""


def send_update(store: RecordStore, draft: Draft, url: str | None, **post: Any) -> SendResult:
    """Save the draft, post it to the webhook ``url`` (when given) and record it as sent.

    Without a URL the update counts as sent by hand (pasted by the person). A delivery failure
    is returned, not raised: the draft stays in ``updates/`` and nothing is recorded as sent.
    ``post`` is passed to :func:`~incident_nb.sources.webhook.post_message` (a transport).
    """
    path = save_draft(store.folder, draft)
    if url:
        try:
            post_message(url, draft.text, **post)
        except DeliveryError as exc:
            return SendResult(path, False, f"{exc}; the draft is kept in {path}")
    record_sent(store, draft, "webhook" if url else "manual")
    return SendResult(path, True)


def summary_of(folder: Path) -> AnalysisSummary | None:
    """The analysis summary the folder's executed notebook published, if any."""
    document = read_summary(IncidentFolder(folder).notebook)
    return AnalysisSummary.from_json(document) if document else None


def draft_now(folder: Path, now: datetime) -> tuple[IncidentRecord, Draft]:
    """The folder's record and the update drafted from it and its notebook's evidence at ``now``."""
    record = read_record(folder)
    return record, draft_update(record, summary_of(folder), now)
