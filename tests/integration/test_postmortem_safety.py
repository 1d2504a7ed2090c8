"""The shared post-mortem leaks no secret and runs no script found in the evidence, and every
way of exporting it works: the CLI, `jupyter nbconvert --to postmortem`, Markdown, PDF."""

import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from incident_nb.cli import main
from tests.conftest import ARTIFACTS
from tests.integration.test_export_browser import open_offline

pytestmark = pytest.mark.integration

SECRETS = {
    "aws_access_key": "AKIAIOSFODNN7EXAMPLE",
    "github_token": "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
    "password": "hunter2-prod",
    "url_password": "s3cr3t-dsn-pw",
}
HOSTILE = [
    "<script>alert('msg')</script>",
    '<img src=x onerror="alert(5)">',
    '<a href="javascript:alert(6)">x</a>',
]


@pytest.fixture(scope="module")
def hostile_incident(tmp_path_factory):
    """An executed incident whose log carries secrets and HTML/script in every text field."""
    tmp = tmp_path_factory.mktemp("hostile")
    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    lines = []
    for i in range(6000):
        ts = start + timedelta(seconds=i)
        failing = i >= 4000 and i % 2 == 0
        message = "ok"
        if failing:
            message = [
                f"db login failed password={SECRETS['password']} key {SECRETS['aws_access_key']}",
                f"push rejected for {SECRETS['github_token']}",
                f"cannot reach postgres://app:{SECRETS['url_password']}@db:5432/x",
                HOSTILE[i % 3],
            ][(i // 2) % 4]
        lines.append(
            json.dumps(
                {
                    "ts": ts.isoformat().replace("+00:00", "Z"),
                    "tenant_id": HOSTILE[1] if i % 3 == 0 else "acme",
                    "endpoint": HOSTILE[0] if i % 4 == 0 else "/api/v1/pay",
                    "status": 500 if failing else 200,
                    "latency_ms": 20 + (i % 7),
                    "message": message,
                    "request_id": f"r{i}",
                }
            )
        )
    log = tmp / "svc.jsonl"
    log.write_text("\n".join(lines) + "\n")
    args = [
        "new",
        "--title",
        "Payments failing " + HOSTILE[0],
        "--service",
        "pay",
        "--started-at",
        "2026-11-20T13:10:00Z",
    ]
    assert main([*args, "--logs", str(log), "--root", str(tmp / "root"), "--execute"]) == 0
    (folder,) = (tmp / "root" / "incidents").iterdir()
    return folder


def test_export_redacts_secrets_everywhere_and_reports_counts(hostile_incident, tmp_path, capsys):
    assert main(["export", str(hostile_incident), "--docs-root", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    html_path, md_path = (Path(p) for p in out.split())
    report = re.search(r"redacted: (.*)", err).group(1)
    for rule in SECRETS:
        assert re.search(rf"\b{rule} \d+", report), report
    exported = [html_path.read_text(), md_path.read_text()]
    for text in exported:
        for secret in SECRETS.values():
            assert secret[:10] not in text  # not even the beginning a table cell was cut to
    assert "[REDACTED:password]" in exported[0]
    for value in SECRETS.values():
        assert value not in report  # the report has counts, never values


def test_hostile_log_content_never_runs_in_the_browser(
    hostile_incident, tmp_path, chromium, capsys
):
    assert main(["export", str(hostile_incident), "--docs-root", str(tmp_path)]) == 0
    html = Path(capsys.readouterr().out.split()[0])
    seen = open_offline(chromium, html, "postmortem-hostile.png")
    assert seen["dialogs"] == [] and seen["page_errors"] == [] and seen["requests"] == []
    assert seen["plots"] == 5 and seen["drawn"] == 5  # 2 supporting the story, 3 in the details
    text = html.read_text()
    assert "<script>alert('msg')</script>" not in text
    assert '<img src=x onerror="alert(5)">' not in text


def test_nbconvert_entry_point(hostile_incident, tmp_path):
    copy = tmp_path / "incident"
    shutil.copytree(hostile_incident, copy)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "postmortem",
            str(copy / "investigation.ipynb"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    page = (copy / "investigation.html").read_text()
    assert 'class="incident-nb-badge"' in page and 'href="#Lessons-Learned"' in page
    assert page.count("plotly.js v") == 1
    for secret in SECRETS.values():
        assert secret not in page


def test_markdown_images_exist_and_pdf_prints(executed_demo, tmp_path, capsys, chromium):
    assert main(["export", str(executed_demo), "--docs-root", str(tmp_path), "--to", "pdf"]) == 0
    _html, md_path, pdf_path = (Path(p) for p in capsys.readouterr().out.split())
    rendered = MarkdownIt("commonmark").enable("table").render(md_path.read_text())
    images = re.findall(r'<img src="([^"]+)" alt="([^"]*)"', rendered)
    assert [alt for _, alt in images] == [  # the key charts, drawn without a browser
        "Error rate per minute (% of requests)",
        "Error rate per minute of the most affected tenants (% of requests)",
    ]
    for src, _ in images:
        image = md_path.parent / src
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image.stat().st_size > 10_000
    assert "<table>" in rendered and "Key number" in rendered
    assert pdf_path.read_bytes()[:5] == b"%PDF-" and pdf_path.stat().st_size > 50_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(pdf_path, ARTIFACTS / "postmortem-demo.pdf")


def test_check_command_and_strict_export(executed_demo, tmp_path, capsys):
    assert main(["check", str(executed_demo)]) == 0
    out = capsys.readouterr().out
    assert "warning: [missing] narrative.author: section is empty" in out
    assert main(["check", str(executed_demo), "--strict"]) == 1
    capsys.readouterr()
    assert main(["export", str(executed_demo), "--docs-root", str(tmp_path), "--strict"]) == 1
    assert "the post-mortem check found" in capsys.readouterr().err
    assert (
        main(["export", str(executed_demo), "--docs-root", str(tmp_path), "--redact", "phone"]) == 1
    )
    assert "--redact: unknown redaction rule 'phone'" in capsys.readouterr().err


@pytest.fixture(scope="module")
def every_secret_incident(tmp_path_factory):
    """An executed incident with every kind of secret in its log, its record and its title."""
    from incident_nb.core.record import TimelineEvent, read_record, write_record
    from tests.unit.test_redact import TRUE_POSITIVES

    tmp = tmp_path_factory.mktemp("secrets")
    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    lines = []
    for i in range(3000):
        failing = i >= 2000 and i % 2 == 0
        text = TRUE_POSITIVES[(i // 2) % len(TRUE_POSITIVES)][1] if failing else "ok"
        lines.append(
            json.dumps(
                {
                    "ts": (start + timedelta(seconds=i)).isoformat().replace("+00:00", "Z"),
                    "tenant_id": "acme",
                    "endpoint": "/api/v1/pay",
                    "status": 500 if failing else 200,
                    "latency_ms": 20,
                    "message": f"request failed after retry: {text}",
                    "request_id": f"r{i}",
                }
            )
        )
    log = tmp / "svc.jsonl"
    log.write_text("\n".join(lines) + "\n")
    title = "Keys leaked: AKIAIOSFODNN7EXAMPLE in payments"
    args = ["new", "--title", title, "--service", "pay", "--started-at", "2026-11-20T12:30:00Z"]
    assert main([*args, "--logs", str(log), "--root", str(tmp / "root"), "--execute"]) == 0
    (folder,) = (tmp / "root" / "incidents").iterdir()
    record = read_record(folder)
    record.narrative.summary = "\n".join(text for _, text, _ in TRUE_POSITIVES)
    record.timeline += [
        TimelineEvent(time=start, event=f"seen: {text}", source="person")
        for _, text, _ in TRUE_POSITIVES
    ]
    write_record(folder, record)
    return folder


def test_every_kind_of_secret_is_redacted_from_every_export(
    every_secret_incident, tmp_path, capsys
):
    from tests.unit.test_redact import TRUE_POSITIVES

    folder = every_secret_incident
    assert "akiaiosfodnn7example" not in folder.name and "redacted" in folder.name
    assert main(["export", str(folder), "--docs-root", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    html_path, md_path = (Path(p) for p in out.split())
    assert "akiaiosfodnn7example" not in md_path.name.lower()
    kinds = {rule for rule, _, _ in TRUE_POSITIVES}
    assert len(kinds) >= 39
    report = re.search(r"redacted: (.*)", err).group(1)
    for text in (html_path.read_text(), md_path.read_text()):
        for rule, _, secret in TRUE_POSITIVES:
            assert secret not in text, (rule, secret)
            assert len(secret) < 14 or secret[:12] not in text, (rule, secret)
    for rule in kinds:  # each kind was found (at least in the record) and counted
        assert re.search(rf"\b{rule} \d+", report), (rule, report)
