"""The real Prometheus Alertmanager notifies ``incident-nb serve``: two groups, an update, a resolve.

Alertmanager runs on 127.0.0.1 with clustering disabled and its own temporary storage; its
webhook receiver sends the bearer token from a credentials file. Alerts are fired and resolved
through its API v2; the investigations are generated and executed (from a cheap template, as
the other receiver tests do, to keep the suite fast).
"""

import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta

import httpx
import nbformat
import pytest

from incident_nb.core.models import iso
from incident_nb.core.record import read_record
from tests.conftest import need
from tests.serve_support import TOKEN, Server, cheap_template, free_port

pytestmark = pytest.mark.integration

CONFIG = """\
route:
  receiver: incident-nb
  group_by: ['alertname', 'service']
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 4h
receivers:
  - name: incident-nb
    webhook_configs:
      - url: '{url}/alerts/alertmanager'
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials_file: '{token}'
"""


def stamp(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def alert(name: str, service: str, instance: str, starts: datetime, ends: datetime | None = None):
    body = {
        "labels": {"alertname": name, "service": service, "instance": instance},
        "annotations": {"summary": f"{name} on {service}"},
        "startsAt": stamp(starts),
    }
    if ends is not None:
        body["endsAt"] = stamp(ends)
    return body


def wait_for(check, what: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def alertmanager(tmp_path):
    binary = shutil.which("prometheus-alertmanager")
    need(
        binary is not None,
        "prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)",
    )
    assert binary is not None

    def start(receiver_url: str) -> str:
        token = tmp_path / "am-token"
        token.write_text(TOKEN)
        config = tmp_path / "alertmanager.yml"
        config.write_text(CONFIG.format(url=receiver_url, token=token))
        port = free_port()
        log = (tmp_path / "alertmanager.log").open("wb")
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.path={tmp_path / 'am-data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        url = f"http://127.0.0.1:{port}"

        def ready():
            try:
                return httpx.get(f"{url}/-/ready", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(ready, "Alertmanager to be ready", 30)
        return url

    started: list[subprocess.Popen] = []
    yield start
    for process in started:
        process.terminate()
        process.wait(10)


def test_real_alertmanager_groups_updates_and_resolve(tmp_path, alertmanager):
    root = tmp_path / "root"
    template = cheap_template(tmp_path)
    server = Server(root, "--workers", "2", "--template", str(template))
    try:
        am = alertmanager(server.url)
        now = datetime.now(UTC).replace(microsecond=0)
        a1 = alert(
            "CheckoutHighErrorRate", "checkout", "checkout-1:8080", now - timedelta(minutes=3)
        )
        b1 = alert("DiskAlmostFull", "db", "db-1:9100", now - timedelta(minutes=2))
        assert httpx.post(f"{am}/api/v2/alerts", json=[a1, b1]).status_code == 200

        def incidents(count):
            found = server.get("/incidents")["incidents"]
            return found if len(found) >= count else None

        wait_for(lambda: incidents(2), "two investigations")
        a2 = alert(
            "CheckoutHighErrorRate", "checkout", "checkout-2:8080", now - timedelta(minutes=1)
        )
        assert httpx.post(f"{am}/api/v2/alerts", json=[a2]).status_code == 200

        def key_of(name):
            return next(i for i in server.get("/incidents")["incidents"] if name in i["key"])

        wait_for(lambda: key_of("Checkout")["deliveries"] == 2, "the second alert of the group")
        ended = datetime.now(UTC) - timedelta(seconds=1)
        resolve = [{**a, "endsAt": stamp(ended)} for a in (a1, a2)]
        assert httpx.post(f"{am}/api/v2/alerts", json=resolve).status_code == 200
        wait_for(lambda: key_of("Checkout")["alert_status"] == "resolved", "the resolve")
        listing = server.wait_idle(2, timeout=120)
    finally:
        server.stop()

    assert sorted((i["title"], i["notebook"]) for i in listing) == [
        ("CheckoutHighErrorRate on checkout", "executed"),
        ("DiskAlmostFull on db", "executed"),
    ]
    day = now.strftime("%Y-%m-%d")
    checkout = read_record(root / "incidents" / f"{day}-checkouthigherrorrate-on-checkout")
    assert checkout.alert.key == '{}:{alertname="CheckoutHighErrorRate", service="checkout"}'
    assert checkout.alert.status == "resolved"
    assert checkout.intake is not None and len(checkout.intake.deliveries) == 3
    events = [e.event for e in checkout.timeline]
    resolved_at = checkout.alert.ends_at
    assert resolved_at is not None and abs(resolved_at - ended) < timedelta(seconds=2)
    assert [e for e in events if e.startswith("Alert")] == [
        "Alert fired: CheckoutHighErrorRate (instance=checkout-1:8080)",
        "Alert fired: CheckoutHighErrorRate (instance=checkout-2:8080)",
        f"Alert resolved at {iso(resolved_at)}: CheckoutHighErrorRate (instance=checkout-1:8080)",
        f"Alert resolved at {iso(resolved_at)}: CheckoutHighErrorRate (instance=checkout-2:8080)",
    ]
    disk = read_record(root / "incidents" / f"{day}-diskalmostfull-on-db")
    assert disk.alert.status == "firing" and disk.intake is not None
    assert disk.intake.deliveries == [disk.intake.deliveries[0]]
    for record in (checkout, disk):
        nb = nbformat.read(root / "incidents" / record.id / "investigation.ipynb", as_version=4)
        assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
        injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
        assert f'incident_id = "{record.id}"' in injected.source
        assert nb.cells[-1].outputs[0]["text"].startswith(record.title)
        assert TOKEN not in nbformat.writes(nb)
