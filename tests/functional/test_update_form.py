"""The stakeholder-update form, exercised without a browser against a real local webhook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incident_nb.alerts import alert_from_fields
from incident_nb.core.record import read_record
from incident_nb.forms import RecordStore, StatusUpdateForm
from incident_nb.incidents import create_incident
from incident_nb.sources.webhook import ENV_URL
from tests.webhook_server import Hook

CREATED = datetime(2026, 11, 20, 14, 15, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.delenv(f"{ENV_URL}_FILE", raising=False)
    folder = create_incident(
        alert_from_fields("Checkout failing", "shop", "2026-11-20T14:11:00Z"), tmp_path, now=CREATED
    )
    RecordStore(folder, who="alice").update(
        "severity", {"level": "SEV-1", "reason": "service down"}
    )
    return folder


def test_form_flags_the_overdue_update_drafts_and_records_a_pasted_one(folder):
    clock = Clock(CREATED + timedelta(minutes=20))
    form = StatusUpdateForm(RecordStore(folder, who="alice"), None, clock)
    assert "OVERDUE: the update due at 14:30 UTC is 5 min late" in form.due_line.value
    assert "#c62828" in form.due_line.value and form.send_button.disabled
    draft = form.make_draft()
    assert form.text.value == draft.text
    assert form.text.value.startswith("[SEV-1] Checkout failing (shop): investigating\n")
    assert "Next update: by 14:50 UTC (SEV-1: updates every 15 min)" in form.text.value
    form.format.value = "Markdown"
    assert form.text.value == draft.markdown
    form.format.value = "Plain text"
    form.text.value = draft.text.replace("investigating", "investigating the database")
    form.mark_button.click()
    (update,) = read_record(folder).updates
    assert update.channel == "manual" and update.who == "alice"
    assert "investigating the database" in update.text  # the edited text is what was sent
    assert "Next update due at 14:50 UTC, in 15 min" in form.due_line.value
    assert "recorded as sent" in form.message.value
    assert "2026-11-20 14:35 UTC, manual (SEV-1)" in form.static_markdown()
    clock.now += timedelta(minutes=16)
    form.refresh()
    assert "OVERDUE: the update due at 14:50 UTC is 1 min late" in form.due_line.value


def test_form_sends_to_the_webhook_and_keeps_the_text_when_it_fails(folder, monkeypatch):
    clock = Clock(CREATED + timedelta(minutes=5))
    failing = Hook(500)
    try:
        monkeypatch.setenv(ENV_URL, failing.url)
        form = StatusUpdateForm(RecordStore(folder, who="bob"), None, clock)
        assert not form.send_button.disabled
        form.make_draft()
        form.send_button.click()
        assert "HTTP 500" in form.message.value and "the draft is kept in" in form.message.value
        assert read_record(folder).updates == []
        (kept,) = (folder / "updates").glob("*.txt")
        assert kept.read_text() == form.text.value
    finally:
        failing.close()
    ok = Hook(200)
    try:
        monkeypatch.setenv(ENV_URL, ok.url)
        form.send_button.click()
        assert ok.received == [{"text": form.draft.text if form.draft else kept.read_text()}]
        (update,) = read_record(folder).updates
        assert update.channel == "webhook" and update.who == "bob"
        assert read_record(folder).timeline[-1].kind == "update"
        assert "posted to the webhook" in form.message.value
    finally:
        ok.close()
