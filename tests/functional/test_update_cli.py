"""``incident-nb update`` against a real local HTTP server standing in for a Slack webhook."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_nb.cli import main
from incident_nb.core.models import Severity
from incident_nb.core.record import (
    AlertRecord,
    IncidentRecord,
    SeverityDecision,
    read_record,
    write_record,
)
from incident_nb.sources.webhook import ENV_URL
from tests.webhook_server import Hook


@pytest.fixture
def hook_ok() -> Iterator[Hook]:
    hook = Hook(200)
    yield hook
    hook.close()


@pytest.fixture
def hook_500() -> Iterator[Hook]:
    hook = Hook(500)
    yield hook
    hook.close()


@pytest.fixture
def incident(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(ENV_URL, raising=False)
    monkeypatch.delenv(f"{ENV_URL}_FILE", raising=False)
    monkeypatch.setenv("JUPYTERHUB_USER", "ana")
    opened = datetime.now(UTC) - timedelta(minutes=20)
    alert = AlertRecord(
        source="manual", key="k", title="Checkout fails", service="shop-api", started_at=opened
    )
    record = IncidentRecord(
        id="checkout", title="Checkout fails", service="shop-api", created_at=opened, alert=alert
    )
    record.severity = SeverityDecision(level=Severity.SEV1, reason="service down")
    folder = tmp_path / "incidents" / "checkout"
    folder.mkdir(parents=True)
    write_record(folder, record)
    return folder


def url_file(tmp_path: Path, url: str) -> str:
    path = tmp_path / "webhook-url"
    path.write_text(url + "\n")
    return str(path)


def test_draft_only_prints_and_flags_the_overdue_update(incident, capsys):
    before = (incident / "incident.json").read_text()
    assert main(["update", str(incident)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("[SEV-1] Checkout fails (shop-api): investigating\nUpdate 1, ")
    assert "OVERDUE: the update due at" in err and "min late (SEV-1: updates every 15 min)" in err
    assert (incident / "incident.json").read_text() == before  # nothing recorded
    assert not (incident / "updates").exists()
    assert main(["update", str(incident), "--markdown"]) == 0
    assert capsys.readouterr().out.startswith("**\\[SEV-1\\] Checkout fails")


def test_send_posts_to_the_webhook_and_records_the_update(incident, hook_ok, tmp_path, capsys):
    args = [
        "update",
        str(incident),
        "--send",
        "--webhook-url-file",
        url_file(tmp_path, hook_ok.url),
    ]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert hook_ok.received == [{"text": out}]  # nothing to escape in this text
    record = read_record(incident)
    (update,) = record.updates
    assert update.channel == "webhook" and update.who == "ana" and update.text == out
    assert update.severity is Severity.SEV1
    event = record.timeline[-1]
    assert event.kind == "update" and event.time == update.time
    assert event.event == "Status update posted to the webhook (SEV-1)"
    assert {c.field for c in record.changes} == {"updates", "timeline"}
    (saved,) = sorted((incident / "updates").glob("*.txt"))
    assert saved.read_text() == out and saved.with_suffix(".md").is_file()
    assert "posted to the webhook" in err and "secret" not in err  # the URL is never printed
    # the next run counts the sent update: 15 minutes from it, not overdue
    assert main(["update", str(incident)]) == 0
    out, err = capsys.readouterr()
    assert "This update is due at" in err
    next_due = re.search(r"the next is due by (\d\d:\d\d) UTC", err).group(1)
    assert f"Next update: by {next_due} UTC" in out  # one time, said the same twice


def test_failing_webhook_keeps_the_draft_and_records_nothing(
    incident, hook_500, monkeypatch, capsys
):
    monkeypatch.setenv(ENV_URL, hook_500.url)
    assert main(["update", str(incident), "--send"]) == 1
    out, err = capsys.readouterr()
    assert len(hook_500.received) == 1
    (saved,) = sorted((incident / "updates").glob("*.txt"))
    assert saved.read_text() == out
    assert "answered HTTP 500 (internal_error)" in err and str(saved) in err
    assert "secret" not in err
    record = read_record(incident)
    assert record.updates == [] and all(e.kind != "update" for e in record.timeline)


def test_unreachable_webhook_is_reported(incident, tmp_path, capsys):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = ["update", str(incident), "--send", "--webhook-url-file"]
    assert main([*args, url_file(tmp_path, f"http://127.0.0.1:{port}/hook")]) == 1
    err = capsys.readouterr().err
    assert "could not be reached (ConnectError)" in err and "the draft is kept in" in err
    assert read_record(incident).updates == []


def test_send_without_a_webhook_says_how_and_mark_sent_records_a_manual_update(
    incident, tmp_path, capsys
):
    assert main(["update", str(incident), "--send"]) == 1
    assert f"no webhook configured: set {ENV_URL}" in capsys.readouterr().err
    bad = tmp_path / "bad-url"
    bad.write_text("hooks.example.com/x")
    assert main(["update", str(incident), "--send", "--webhook-url-file", str(bad)]) == 1
    assert "does not hold an http(s) URL" in capsys.readouterr().err
    assert read_record(incident).updates == []
    assert main(["update", str(incident), "--mark-sent"]) == 0
    (update,) = read_record(incident).updates
    assert update.channel == "manual"
    assert read_record(incident).timeline[-1].event == "Status update sent (SEV-1)"


def test_slack_reserved_characters_are_escaped_in_the_payload(incident, hook_ok, monkeypatch):
    record = read_record(incident)
    record.five_whys.root_cause = "a <script> & more"
    write_record(incident, record)
    monkeypatch.setenv(ENV_URL, hook_ok.url)
    assert main(["update", str(incident), "--send"]) == 0
    (payload,) = hook_ok.received
    assert "Cause: a &lt;script&gt; &amp; more" in str(payload["text"])
