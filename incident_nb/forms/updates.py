"""The stakeholder-update form: when the next update is due, a drafted update, sending it.

The cadence line flags an overdue update; "Draft update" fills the text box from the record
and the evidence (it can be edited before sending); "Mark as sent" records an update pasted by
hand; "Send to webhook" posts it when a webhook URL is configured in the environment (never a
notebook parameter). The text is saved in ``updates/`` before it is sent, so a failed delivery
loses nothing.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable
from datetime import UTC, datetime

import ipywidgets as widgets

from incident_nb.core.errors import IncidentNbError
from incident_nb.core.models import utc
from incident_nb.core.record import StatusUpdate
from incident_nb.core.severity import UpdateDue, next_update
from incident_nb.core.store import RecordStore
from incident_nb.core.summary import AnalysisSummary
from incident_nb.forms.base import (
    Form,
    RecordEvents,
    button,
    message_widget,
    show_message,
    text_box,
)
from incident_nb.sources.webhook import ENV_URL, webhook_url
from incident_nb.updates.draft import Draft, draft_update, severity_of
from incident_nb.updates.send import send_update


def _now() -> datetime:
    return datetime.now(UTC)


class StatusUpdateForm(Form):
    """Draft, send and record stakeholder updates; shows when the next one is due."""

    title = "Stakeholder updates"

    def __init__(
        self,
        store: RecordStore,
        summary: AnalysisSummary | None = None,
        clock: Callable[[], datetime] = _now,
        events: RecordEvents | None = None,
    ) -> None:
        super().__init__(store, events)
        self.summary = summary
        self.clock = clock
        self.draft: Draft | None = None
        self.due_line = widgets.HTML()
        self.format = widgets.ToggleButtons(
            options=["Plain text", "Markdown"], value="Plain text", style={"button_width": "auto"}
        )
        self.text = text_box("", "press Draft update", "40rem", area=True)
        self.text.layout.height = "12rem"
        self.draft_button = button("Draft update", "pencil")
        self.mark_button = button("Mark as sent", "check")
        self.send_button = button("Send to webhook", "paper-plane")
        self.send_button.add_class("inb-send")
        self.message = message_widget()
        self.draft_button.on_click(lambda _b: self.make_draft())
        self.mark_button.on_click(lambda _b: self.send(webhook=False))
        self.send_button.on_click(lambda _b: self.send(webhook=True))
        self.format.observe(lambda _c: self._show_draft(), names="value")
        self.refresh()
        self.events.subscribe(self._on_change)
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<b>{self.title}</b>: severity, impact, cause, what is being done."),
                self.due_line,
                widgets.HBox([self.draft_button, self.format]),
                self.text,
                widgets.HBox([self.mark_button, self.send_button, self.message]),
                self.status,
            ]
        )

    def due(self) -> UpdateDue | None:
        """When the next update is due now (``None`` while the severity is undecided)."""
        r = self.record
        level = severity_of(r, self.summary)
        if level is None:
            return None
        resolved = utc(r.resolved_at) if r.resolved_at else None
        sent = [utc(u.time) for u in r.updates]
        return next_update(level, utc(r.created_at), sent, utc(self.clock()), resolved)

    def refresh(self) -> None:
        """Re-read the record and update the cadence line."""
        self.record = self.store.read()
        due = self.due()
        if due is None:
            text, color = "Decide the severity to see when updates are due.", "#555"
        else:
            text = due.describe(utc(self.clock()))
            color = "#c62828" if due.overdue else "#2a7a2a"
        self.due_line.value = f'<span style="color:{color}">{html.escape(text)}</span>'
        self.send_button.disabled = webhook_url() is None
        self.send_button.tooltip = (
            "post the update to the webhook" if not self.send_button.disabled else f"set {ENV_URL}"
        )

    def _on_change(self, field: str) -> None:
        """Another form saved: the severity (and so the cadence) may have changed."""
        if field in {"severity", "updates", "timeline", "status", "resolved_at"}:
            self.refresh()

    def make_draft(self) -> Draft:
        """Draft the update from the record as it is now and show it."""
        self.record = self.store.read()
        self.draft = draft_update(self.record, self.summary, self.clock())
        self._show_draft()
        show_message(self.message, "")
        return self.draft

    def _show_draft(self) -> None:
        if self.draft is not None:
            markdown = self.format.value == "Markdown"
            self.text.value = self.draft.markdown if markdown else self.draft.text

    def _edited(self) -> Draft:
        draft = self.draft or self.make_draft()
        edited = self.text.value if self.text.value.endswith("\n") else self.text.value + "\n"
        if self.format.value == "Markdown":
            return dataclasses.replace(draft, markdown=edited)
        return dataclasses.replace(draft, text=edited)

    def send(self, webhook: bool) -> bool:
        """Record the update as sent (by hand, or posted to the webhook); report problems."""
        try:
            url = webhook_url() if webhook else None
            if webhook and url is None:
                show_message(self.message, f"no webhook configured: set {ENV_URL}")
                return False
            result = send_update(self.store, self._edited(), url)
        except IncidentNbError as exc:
            show_message(self.message, str(exc))
            return False
        if not result.delivered:
            show_message(self.message, result.problem)
            return False
        how = "posted to the webhook" if url else "recorded as sent"
        show_message(self.message, f"{how}; text kept in updates/{result.draft_path.name}", ok=True)
        self.draft = None
        self.refresh()
        return True

    @property
    def value(self) -> list[StatusUpdate]:
        """The updates sent so far."""
        return list(self.record.updates)

    def static_markdown(self) -> str:
        """The cadence and the updates sent, as Markdown."""
        due = self.due()
        lines = [f"**{self.title}**", ""]
        if due is not None:
            lines += [html.escape(due.describe(utc(self.clock()))), ""]
        sent = [
            f"- {utc(u.time):%Y-%m-%d %H:%M} UTC, {u.channel}"
            + (f" ({u.severity.value})" if u.severity else "")
            for u in self.record.updates
        ]
        return "\n".join(lines + (sent or ["_No update sent yet._"]))
