"""``incident-nb serve`` under attack: bad files in its root, dead workers, idle and slow
clients, values out of range, huge notifications, and its secrets in the environment.

Every test starts the real server in a subprocess (its own process group, as under systemd)
and talks to it over real sockets.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path

import httpx
import nbformat
import pytest

from incident_nb.core.record import dump_record, read_record, write_record
from incident_nb.server.limits import ALERTS_PER_NOTIFICATION
from tests.corrupt_records import CORRUPT_SHAPES
from tests.integration.test_serve import children
from tests.serve_support import TOKEN, Server, am_payload, auth, cheap_template, metric
from tests.unit.test_record import make_record

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return cheap_template(tmp_path_factory.mktemp("template"))


def post(server: Server, source: str, payload) -> httpx.Response:
    return httpx.post(f"{server.url}/alerts/{source}", json=payload, headers=auth(), timeout=10)


def test_corrupt_records_in_the_root_are_listed_and_never_stop_the_receiver(tmp_path, template):
    root = tmp_path / "root"
    base = root / "incidents"
    valid = dump_record(make_record())
    for i, (make, _) in enumerate(CORRUPT_SHAPES.values()):
        (base / f"2026-01-0{i + 1}-bad").mkdir(parents=True)
        make(base / f"2026-01-0{i + 1}-bad", valid)
    server = Server(root, "--template", str(template), "--workers", "2")  # start-up succeeds
    try:
        listing = server.get("/incidents")["incidents"]
        for i, (_, words) in enumerate(CORRUPT_SHAPES.values()):
            entry = next(e for e in listing if e["id"] == f"2026-01-0{i + 1}-bad")
            assert words in entry["error"], entry
            assert str(base / f"2026-01-0{i + 1}-bad" / "incident.json") in entry["error"]

        first = am_payload("First", [("a", "firing", "2026-11-28T17:00:00Z")])
        assert post(server, "alertmanager", first).status_code == 202
        (done,) = [i for i in server.wait_idle(1) if i.get("notebook")]
        assert done["notebook"] == "executed"

        # The new incident's record goes bad while the receiver runs: its group's update
        # waits for a person to repair it, and every other group goes on.
        folder = base / done["id"]
        good = (folder / "incident.json").read_bytes()
        (folder / "incident.json").write_bytes(b"\xff" + good)
        update = am_payload(
            "First",
            [("a", "firing", "2026-11-28T17:00:00Z"), ("b", "firing", "2026-11-28T17:01:00Z")],
        )
        assert post(server, "alertmanager", update).status_code == 202
        for g in range(3):
            other = am_payload(f"Other{g}", [("a", "firing", "2026-11-28T17:02:00Z")])
            assert post(server, "alertmanager", other).status_code == 202
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            listing = server.get("/incidents")
            executed = [i for i in listing["incidents"] if i.get("notebook") == "executed"]
            if len(executed) == 3:
                break
            time.sleep(0.2)
        assert sorted(i["title"] for i in executed) == [f"Other{g} on shop" for g in range(3)]
        assert listing["queue_depth"] == 1  # the update of the broken incident waits
        broken = next(i for i in listing["incidents"] if i["id"] == done["id"])
        assert "not UTF-8" in broken["error"]
        metrics = server.get("/metrics")
        assert metric(metrics, "incident_nb_workers_alive") == 2
        errors = next(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith('incident_nb_worker_events_total{event="error"}')
        )
        assert 1 <= errors <= 6  # retried with a growing delay, not in a tight loop

        (folder / "incident.json").write_bytes(good)  # a person repairs it: the update applies
        deadline = time.monotonic() + 90
        while len(read_record(folder).intake.deliveries) < 2:
            assert time.monotonic() < deadline, "the repaired incident was not updated"
            time.sleep(0.5)
        assert server.get("/incidents")["queue_depth"] in (0, 1)
    finally:
        server.stop()
    assert len([p for p in base.iterdir() if p.name.startswith("2026-11-28-first")]) == 1
    assert "Traceback" not in server.log.read_text()


@pytest.mark.parametrize("target", ["server", "group"])
def test_sigterm_after_a_worker_was_killed_stops_everything_and_frees_the_root(
    tmp_path, template, target
):
    root = tmp_path / "root"
    server = Server(root, "--template", str(template), "--workers", "2")
    workers = children(server.process.pid)
    assert len(workers) == 2
    os.kill(workers[0], signal.SIGKILL)  # as the OOM killer would, at any moment
    time.sleep(0.3)
    started = time.monotonic()
    if target == "group":
        os.killpg(server.process.pid, signal.SIGTERM)  # systemd's and timeout's way
    else:
        server.process.send_signal(signal.SIGTERM)
    server.process.wait(15)
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if Path(f"/proc/{pid}/status").exists()]
    again = Server(root, "--template", str(template))  # the root's lock was released
    again.stop()


def test_workers_start_with_a_clean_environment(tmp_path, template):
    secret_file = tmp_path / "pd-secret"
    secret_file.write_text("pd-secret-value")
    server = Server(
        tmp_path / "root",
        "--template", str(template),
        env={"INCIDENT_NB_PAGERDUTY_SECRET_FILE": str(secret_file), "KEEP_ME": "yes"},
    )  # fmt: skip
    try:
        (worker,) = children(server.process.pid)
        environ = Path(f"/proc/{worker}/environ").read_bytes().split(b"\0")
    finally:
        server.stop()
    assert not [v for v in environ if TOKEN.encode() in v]
    assert not [v for v in environ if v.startswith(b"INCIDENT_NB_")]
    assert b"KEEP_ME=yes" in environ  # the rest of the environment is kept


def test_idle_and_slow_clients_cannot_starve_healthz(tmp_path, template):
    server = Server(
        tmp_path / "root",
        "--template", str(template), "--header-timeout", "3", "--body-timeout", "2",
        max_fds=128,
    )  # fmt: skip
    idle, slow = [], []
    try:
        for _ in range(160):  # more idle connections than the server has file descriptors
            idle.append(socket.create_connection(("127.0.0.1", server.port)))
        for _ in range(10):  # headers a byte at a time, without a token
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(b"POST /alerts/generic HTTP/1.1\r\nHost: x\r\n")
            slow.append(sock)
        started = time.monotonic()
        health = httpx.get(f"{server.url}/healthz", timeout=5)
        assert health.status_code == 200 and time.monotonic() - started < 3
        for sock in slow[:3]:
            sock.sendall(b"X")
        # The deadline closes connections whose headers never came (a trickle does not help).
        time.sleep(3.5)
        for sock in [*idle[-20:], *slow]:
            sock.settimeout(2)
            answer = sock.recv(1024)
            assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer
        # A body that stops arriving gets 408 once its own deadline passes.
        body = json.dumps({"title": "t", "service": "s", "started_at": "2026-11-28T17:00:00Z"})
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(
                f"POST /alerts/generic HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body[:10].encode()
            )
            sock.settimeout(10)
            assert sock.recv(1024).startswith(b"HTTP/1.1 408")
        assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
    finally:
        for sock in idle + slow:
            sock.close()
        server.stop()


def test_values_out_of_range_get_422_naming_the_field_and_are_kept(tmp_path, template):
    root = tmp_path / "root"
    server = Server(root, "--template", str(template))
    generic = {"title": "t", "service": "s", "started_at": "2026-11-28T17:00:00Z"}
    early = am_payload("G", [("a", "firing", "0001-01-01T00:00:00+05:00")])
    late = am_payload("G", [("a", "firing", "9999-12-31T23:59:59-05:00")])
    bodies = [
        (
            "generic",
            json.dumps({**generic, "started_at": "0001-01-01T00:00:00+01:00"}),
            "started_at",
        ),
        (
            "generic",
            json.dumps(generic)[:-1] + ', "labels": {"n": ' + "7" * 5000 + "}}",
            "labels.n",
        ),
        ("alertmanager", json.dumps(early), "startsAt"),
        ("alertmanager", json.dumps(late), "startsAt"),
    ]
    try:
        for source, body, field in bodies:
            answer = httpx.post(
                f"{server.url}/alerts/{source}", content=body.encode(), headers=auth(), timeout=10
            )
            assert answer.status_code == 422, answer.text
            assert field in answer.json()["error"] and "kept as rejected/" in answer.json()["error"]
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    finally:
        server.stop()
    kept = sorted((root / "rejected").glob("*.body"))
    assert sorted(p.read_bytes() for p in kept) == sorted(b.encode() for _, b, _ in bodies)
    assert "Traceback" not in server.log.read_text()


def test_ten_thousand_alerts_in_one_notification_stay_small_and_quick(tmp_path):
    """The real investigation template, as the probe ran it: bounded record, notebook, time."""
    root = tmp_path / "root"
    payload = am_payload("Crash", [])
    payload["alerts"] = [
        {
            "status": "firing",
            "labels": {"alertname": "Crash", "pod": f"p{i:05d}"},
            "startsAt": "2026-11-28T17:00:00Z",
        }
        for i in range(10_000)
    ]
    body = json.dumps(payload, separators=(",", ":")).encode()
    assert 900_000 < len(body) < 1024 * 1024
    server = Server(root, "--workers", "1")
    try:
        started = time.monotonic()
        answer = httpx.post(
            f"{server.url}/alerts/alertmanager", content=body, headers=auth(), timeout=30
        )
        assert answer.status_code == 202
        (done,) = server.wait_idle(1, timeout=240)
        took = time.monotonic() - started
    finally:
        server.stop()
    assert done["notebook"] == "executed"
    folder = root / "incidents" / done["id"]
    record = read_record(folder)
    assert (folder / "incident.json").stat().st_size < 100_000
    assert (folder / "investigation.ipynb").stat().st_size < 5_000_000
    assert len(record.timeline) <= ALERTS_PER_NOTIFICATION + 3
    summary = [e.event for e in record.timeline if "more alerts" in e.event]
    assert summary == [
        f"{10_000 - ALERTS_PER_NOTIFICATION:,} more alerts of the group, not listed one by one "
        f"({10_000 - ALERTS_PER_NOTIFICATION:,} firing); by label: alertname=Crash: "
        f"{10_000 - ALERTS_PER_NOTIFICATION:,}, pod: {10_000 - ALERTS_PER_NOTIFICATION:,} values"
    ]
    nb = nbformat.read(folder / "investigation.ipynb", as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert took < 90, took
    write_record(folder, record)  # still an ordinary record
