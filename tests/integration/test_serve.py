"""``incident-nb serve`` really started: auth, limits, rejections, bursts, SIGKILL, retry.

Notebooks are generated from a cheap template (the real parameters cell and one cell) so the
kernels start and finish quickly; everything else is the real path.
"""

import asyncio
import copy
import json
import statistics
import time
from pathlib import Path

import httpx
import nbformat
import pytest

from incident_nb.alerts.pagerduty import pagerduty_signature
from incident_nb.cli import main
from incident_nb.core.record import read_record
from tests.serve_support import (
    FAIL_FLAG,
    KILL_TITLE,
    TOKEN,
    Server,
    am_payload,
    auth,
    cheap_template,
    metric,
)

pytestmark = pytest.mark.integration

PD_SECRET = "pd-signing-secret"
EVIL_TITLE = 'Checkout "down"\'; import os; os.system("touch PWNED")#\n../../etc/passwd ${HOME}'


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return cheap_template(tmp_path_factory.mktemp("template"))


def leftovers(root: Path) -> list[Path]:
    """Half-made things: staging folders, partial runs, temporary queue files."""
    return sorted(
        p
        for p in root.rglob(".*")
        if p.name.startswith((".new-", ".running-")) or p.name.endswith(".tmp")
    )


def test_auth_limits_rejections_and_sources(tmp_path, template, shared_data):
    root = tmp_path / "root"
    server = Server(
        root,
        "--template", str(template), "--max-body", "65536", "--workers", "2",
        env={"INCIDENT_NB_PAGERDUTY_SECRET": PD_SECRET},
    )  # fmt: skip
    try:
        hook = f"{server.url}/alerts"
        good = am_payload("Err", [("a", "firing", "2026-11-28T17:00:00Z")])
        assert httpx.post(f"{hook}/alertmanager", json=good).status_code == 401
        assert httpx.get(f"{server.url}/incidents").status_code == 401  # the listing too
        assert httpx.get(f"{server.url}/healthz").status_code == 200  # probes need no token
        wrong = {"Authorization": "Bearer not-the-token"}
        assert httpx.post(f"{hook}/alertmanager", json=good, headers=wrong).status_code == 401
        assert (
            httpx.post(
                f"{hook}/alertmanager", json=good, headers={"Authorization": TOKEN}
            ).status_code
            == 401
        )
        big = b'{"pad": "' + b"x" * 70_000 + b'"}'
        assert httpx.post(f"{hook}/alertmanager", content=big, headers=auth()).status_code == 413
        streamed = httpx.post(
            f"{hook}/generic", content=iter([big[:40_000], big[40_000:]]), headers=auth()
        )
        assert streamed.status_code == 413
        assert not (root / "incidents").exists() and list((root / "rejected").iterdir()) == []

        bad = httpx.post(f"{hook}/alertmanager", content=b"{not json", headers=auth())
        assert bad.status_code == 400 and "body is not JSON" in bad.json()["error"]
        nogroup = {k: v for k, v in good.items() if k != "groupKey"}
        body = json.dumps(nogroup).encode()
        invalid = httpx.post(f"{hook}/alertmanager", content=body, headers=auth())
        assert invalid.status_code == 422
        assert "groupKey: Field required" in invalid.json()["error"]
        kept = sorted((root / "rejected").glob("*.body"))
        assert [p.read_bytes() for p in kept] == [b"{not json", body]
        reasons = sorted((root / "rejected").glob("*.reason.txt"))
        assert "groupKey: Field required" in reasons[1].read_text()

        ignored = (
            shared_data / "alerts" / "pagerduty_v3_doc_example_incident_priority_updated.json"
        ).read_bytes()
        signed = {**auth(), "X-PagerDuty-Signature": pagerduty_signature(ignored, PD_SECRET)}
        answer = httpx.post(f"{hook}/pagerduty", content=ignored, headers=signed)
        assert answer.status_code == 200 and answer.json()["status"] == "ignored"
        triggered = (
            shared_data / "alerts" / "zulip_pagerduty_v3_incident_triggered.json"
        ).read_bytes()
        unsigned = httpx.post(f"{hook}/pagerduty", content=triggered, headers=auth())
        assert unsigned.status_code == 401
        rotated = f"v1={'0' * 64},{pagerduty_signature(triggered, PD_SECRET)}"
        headers = {**auth(), "X-PagerDuty-Signature": rotated}
        assert (
            httpx.post(f"{hook}/pagerduty", content=triggered, headers=headers).status_code == 202
        )

        evil = {
            "title": EVIL_TITLE,
            "service": "../../../tmp/svc",
            "started_at": "2026-11-20T14:11:12Z",
            "labels": {"code": '"); __import__("os").system("touch PWNED_LABEL"); ("'},
        }
        assert httpx.post(f"{hook}/generic", json=evil, headers=auth()).status_code == 202
        listing = server.wait_idle(2)
        assert sorted((i["source"], i["notebook"]) for i in listing) == [
            ("generic", "executed"),
            ("pagerduty", "executed"),
        ]
        metrics = server.get("/metrics")
    finally:
        server.stop()
    assert metric(metrics, "incident_nb_alerts_received_total") == 11
    assert metric(metrics, "incident_nb_alerts_rejected_total") == 8
    assert 'reason="unauthorized",source="alertmanager"} 3.0' in metrics
    assert 'reason="too_large",source="alertmanager"} 1.0' in metrics
    assert 'reason="signature",source="pagerduty"} 1.0' in metrics
    assert metric(metrics, "incident_nb_alerts_queued_total") == 2
    assert metric(metrics, "incident_nb_alerts_ignored_total") == 1
    assert metric(metrics, "incident_nb_notebooks_executed_total") == 2

    folders = sorted((root / "incidents").iterdir())
    assert [f.name for f in folders] == [
        "2021-06-04-test-incident-3",
        "2026-11-20-checkout-down-import-os-os-system-touch-pwned",
    ]
    record = read_record(folders[1])
    assert record.title == EVIL_TITLE and record.service == "../../../tmp/svc"
    assert not list(tmp_path.rglob("PWNED*"))
    for folder in folders:
        nb = nbformat.read(folder / "investigation.ipynb", as_version=4)
        assert nb.cells[-1].outputs[0]["text"].startswith(read_record(folder).title)
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert TOKEN.encode() not in data and PD_SECRET.encode() not in data, path
    assert leftovers(root) == []


def notifications(groups: int, per_group: int) -> list[dict]:
    """``per_group`` distinct notifications in each group, one new alert in each."""
    return [
        am_payload(f"Group{g:02d}", [(f"i{i:02d}", "firing", f"2026-11-28T17:{i:02d}:00Z")])
        for g in range(groups)
        for i in range(per_group)
    ]


async def post_all(url: str, payloads: list[dict], answered: list | None = None) -> list:
    """Post concurrently; return (payload index, status, seconds) of the answered requests."""
    answered = [] if answered is None else answered
    limits = httpx.Limits(max_connections=32)
    async with httpx.AsyncClient(limits=limits, timeout=30, headers=auth()) as client:
        semaphore = asyncio.Semaphore(32)

        async def one(i, payload):
            async with semaphore:
                start = time.perf_counter()
                try:
                    response = await client.post(f"{url}/alerts/alertmanager", json=payload)
                except httpx.TransportError:
                    return
                answered.append((i, response.status_code, time.perf_counter() - start))

        await asyncio.gather(*(one(i, p) for i, p in enumerate(payloads)))
    return answered


def check_groups(root: Path, groups: int, per_group: int) -> None:
    folders = sorted((root / "incidents").iterdir())
    assert len(folders) == groups
    for folder in folders:
        record = read_record(folder)
        assert record.notebook.state == "executed", folder
        assert record.intake is not None
        assert len(record.intake.deliveries) == len(set(record.intake.deliveries)) == per_group
        events = [e.event for e in record.timeline]
        assert events.count("Investigation started") == 1
        fired = sorted(e for e in events if e.startswith("Alert fired: "))
        group = record.alert.labels["alertname"]
        assert fired == [f"Alert fired: {group} (instance=i{i:02d})" for i in range(per_group)]
        nb = nbformat.read(folder / "investigation.ipynb", as_version=4)
        assert nb.cells[-1].outputs[0]["text"].startswith(record.title)
    assert leftovers(root) == []
    assert list((root / "queue" / "pending").iterdir()) == []


def test_burst_of_300_alerts_in_20_groups_with_duplicates(tmp_path, template):
    payloads = notifications(20, 15)
    duplicates = [copy.deepcopy(payloads[i]) for i in range(0, 300, 5)]
    for d in duplicates:
        d["receiver"] = "retried"  # a re-send differs in form, not in content
    root = tmp_path / "root"
    server = Server(root, "--template", str(template), "--workers", "2")
    try:
        answered = asyncio.run(post_all(server.url, payloads + duplicates))
        statuses = sorted(status for _, status, _ in answered)
        assert statuses == [200] * 60 + [202] * 300
        latencies = [seconds for _, _, seconds in answered]
        server.wait_idle(20, timeout=150)
        metrics = server.get("/metrics")
    finally:
        server.stop()
    assert statistics.median(latencies) < 1.0, statistics.median(latencies)
    assert metric(metrics, "incident_nb_alerts_received_total") == 360
    assert metric(metrics, "incident_nb_alerts_queued_total") == 300
    assert metric(metrics, "incident_nb_alerts_duplicate_total") == 60
    assert metric(metrics, "incident_nb_notebooks_generated_total") == 20
    assert metric(metrics, "incident_nb_notebooks_executed_total") == 20
    assert 'incident_nb_worker_events_total{event="updated"} 280.0' in metrics
    assert metric(metrics, "incident_nb_queue_depth") == 0
    check_groups(root, 20, 15)


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_sigkill_mid_burst_then_restart_loses_and_duplicates_nothing(tmp_path, template):
    payloads = notifications(20, 8)
    root = tmp_path / "root"
    server = Server(root, "--template", str(template), "--workers", "2")
    workers = children(server.process.pid)
    assert len(workers) >= 2

    async def burst_and_kill():
        # Wave 1 opens the groups; wave 2 is cut by the kill while workers run notebooks.
        first = await post_all(server.url, payloads[:80])
        while (
            metric(
                await asyncio.to_thread(server.get, "/metrics"),
                "incident_nb_notebooks_generated_total",
            )
            < 2
        ):
            await asyncio.sleep(0.05)
        second: list = []
        task = asyncio.create_task(post_all(server.url, payloads[80:], second))
        while len(second) < 20:
            await asyncio.sleep(0.001)
        server.kill()
        await task
        return first + [(i + 80, status, t) for i, status, t in second]

    answered = asyncio.run(burst_and_kill())
    acknowledged = {i for i, status, _ in answered if status == 202}
    assert 80 < len(acknowledged) < len(payloads)
    assert list((root / "queue" / "pending").iterdir())  # acknowledged work was still queued
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # died with the server

    restarted = Server(root, "--template", str(template), "--workers", "2")
    try:
        # Senders retry what was not acknowledged, and some of what was (lost answers).
        again = [i for i in range(len(payloads)) if i not in acknowledged or i % 7 == 0]
        answered = asyncio.run(post_all(restarted.url, [payloads[i] for i in again]))
        assert all(status in (200, 202) for _, status, _ in answered)
        assert len(answered) == len(again)
        restarted.wait_idle(20, timeout=150)
    finally:
        restarted.stop()
    check_groups(root, 20, 8)


def test_failed_notebook_is_kept_listed_and_retried(tmp_path, template, capsys):
    root = tmp_path / "root"
    root.mkdir()
    (root / FAIL_FLAG).touch()
    server = Server(root, "--template", str(template))
    try:
        hook = f"{server.url}/alerts/generic"
        alert = {"title": "Disk full", "service": "db", "started_at": "2026-11-28T10:00:00Z"}
        assert httpx.post(hook, json=alert, headers=auth()).status_code == 202
        dying = {**alert, "title": KILL_TITLE}
        assert httpx.post(hook, json=dying, headers=auth()).status_code == 202
        listed, dead = sorted(server.wait_idle(2), key=lambda i: i["title"] == KILL_TITLE)
        metrics = server.get("/metrics")
    finally:
        server.stop()
    assert listed["notebook"] == "failed" and listed["failed_cell"] == 2
    assert dead["notebook"] == "failed"  # a dead kernel is a failure, not an endless retry
    assert "DeadKernelError" in read_record(root / "incidents" / dead["id"]).notebook.error
    assert metric(metrics, "incident_nb_notebooks_failed_total") == 2
    folder = root / "incidents" / listed["id"]
    assert "RuntimeError: failing on purpose" in read_record(folder).notebook.error
    nb = nbformat.read(folder / "investigation.ipynb", as_version=4)
    assert any(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))

    assert main(["retry", str(folder)]) == 1
    assert "failed again at cell 2" in capsys.readouterr().err
    (root / FAIL_FLAG).unlink()
    assert main(["retry", str(folder)]) == 0
    assert read_record(folder).notebook.state == "executed"
    assert leftovers(root) == []
