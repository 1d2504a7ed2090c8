"""Hostile alert content becomes a safe folder name and data, never code or a path."""

import json
import re

import nbformat
import pytest

from incident_nb.cli import main
from incident_nb.core.record import read_record

pytestmark = pytest.mark.integration

EVIL_TITLE = 'Checkout "down"\'; import os; os.system("touch PWNED")#\n../../etc/passwd — ünïcødé 🚨 ${HOME} `id`'
EVIL_LABEL = '"); __import__("os").system("touch PWNED_LABEL"); ("'


def test_hostile_alert_is_data_not_code(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    payload = {
        "version": "4",
        "groupKey": '{}:{alertname="x\\"; rm -rf /"}',
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "Evil", "service": "../../../tmp/svc", "code": EVIL_LABEL},
                "annotations": {"summary": EVIL_TITLE, "description": "<script>alert(1)</script>"},
                "startsAt": "2026-11-20T14:11:12.5Z",
                "endsAt": "0001-01-01T00:00:00Z",
            }
        ],
    }
    alert = tmp_path / "alert.json"
    alert.write_text(json.dumps(payload))
    root = tmp_path / "root"
    assert main(["new", "--alert", str(alert), "--root", str(root), "--execute"]) == 0
    folder = root / "incidents" / capsys.readouterr().out.strip().split("/")[-1]
    assert folder.parent == root / "incidents"
    assert re.fullmatch(r"2026-11-20-[a-z0-9-]+", folder.name)
    assert list((root / "incidents").iterdir()) == [folder]
    record = read_record(folder)
    assert record.title == EVIL_TITLE and record.alert.labels["code"] == EVIL_LABEL
    assert record.service == "../../../tmp/svc"
    assert not list(tmp_path.rglob("PWNED*"))
    nb = nbformat.read(folder / "investigation.ipynb", as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    (header_cell,) = [c for c in nb.cells if "remove-input" in c.metadata.get("tags", [])]
    header = header_cell.outputs[0].data["text/markdown"]
    assert 'Checkout "down"\'; import os; os.system("touch PWNED")#' in header
    assert "ünïcødé 🚨 ${HOME} `id`" in header
    assert main(["export", str(folder), "--docs-root", str(tmp_path)]) == 0
    assert not list(tmp_path.rglob("PWNED*"))
