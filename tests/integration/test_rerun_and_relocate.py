"""Re-running an investigation as people do, and moving it: same analysis, nothing lost.

- Run All twice in one kernel (and re-running one section) gives the same Step 1 summary and
  charts, with no error: the parameters do not depend on what an earlier run left behind.
- A root cloned elsewhere finds its evidence (kept relative to the incident folder) and
  re-executes with ``incident-nb retry``; evidence outside the root keeps its absolute path, and
  once it is gone the notebook says so and uses the evidence snapshot.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from incident_nb.alerts import alert_from_fields
from incident_nb.cli import main
from incident_nb.core.folder import SUMMARY_MIMETYPE, IncidentFolder, published_summary
from incident_nb.core.record import read_record
from incident_nb.demo.scenario import Scenario, generate_logs
from incident_nb.incidents import create_incident, execute_incident

pytestmark = pytest.mark.integration

SCENARIO = Scenario(lines=20_000)
ALERT = alert_from_fields("Checkout errors", "shop-api", "2026-11-20T14:11:00Z")
PLOTLY = "application/vnd.plotly.v1+json"


def _outputs(nb: Any) -> list[Any]:
    """What each code cell shows: its data outputs and errors (no execution counts)."""
    shown = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                kept.append(("error", o.get("ename"), o.get("evalue")))
            elif "data" in o:
                data = {
                    k: v
                    for k, v in o["data"].items()
                    if k != "application/vnd.jupyter.widget-view+json"
                }
                kept.append(("data", json.dumps(data, sort_keys=True, default=str)))
        shown.append(kept)
    return shown


def _errors(nb: Any) -> list[str]:
    return [
        f"{o.get('ename')}: {o.get('evalue')}"
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]


def test_run_all_twice_and_a_section_again_in_one_kernel(tmp_path: Path) -> None:
    logs = generate_logs(SCENARIO, tmp_path / "root" / "data" / "shop-api.jsonl")
    folder = create_incident(ALERT, tmp_path / "root", logs=[logs])
    nb = nbformat.read(IncidentFolder(folder).notebook, as_version=4)
    client = NotebookClient(
        nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(folder)}}
    )
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        first = copy.deepcopy(nb)
        assert _errors(first) == []
        summary = published_summary(first)
        assert summary is not None and summary["onset"] is not None
        for index, cell in enumerate(nb.cells):  # Run All again, same kernel
            client.execute_cell(cell, index)
        assert _errors(nb) == []
        assert _outputs(nb) == _outputs(first)
        # One section again (the charts), cell by cell.
        charts = next(i for i, c in enumerate(nb.cells) if "metrics_section" in c.source)
        before = copy.deepcopy(nb.cells[charts].outputs)
        client.execute_cell(nb.cells[charts], charts)
        assert [
            o["data"][PLOTLY] for o in nb.cells[charts].outputs if PLOTLY in o.get("data", {})
        ] == [o["data"][PLOTLY] for o in before if PLOTLY in o.get("data", {})]
    assert published_summary(nb) == summary


def test_a_cloned_root_finds_its_evidence_and_re_executes(tmp_path: Path) -> None:
    root = tmp_path / "root"
    logs = generate_logs(SCENARIO, root / "data" / "shop-api.jsonl")
    folder = create_incident(ALERT, root, logs=[logs])
    record = read_record(folder)
    assert record.evidence.logs == ["../../data/shop-api.jsonl"]
    execute_incident(folder)
    original = published_summary(nbformat.read(IncidentFolder(folder).notebook, as_version=4))

    clone = tmp_path / "elsewhere" / "clone"
    shutil.copytree(root, clone)
    shutil.rmtree(root)
    moved = clone / "incidents" / folder.name
    assert main(["retry", str(moved)]) == 0
    nb = nbformat.read(IncidentFolder(moved).notebook, as_version=4)
    assert _errors(nb) == []
    again = published_summary(nb)
    assert again == original
    assert read_record(moved).notebook.state == "executed"


def test_evidence_outside_the_root_stays_absolute_and_falls_back_to_the_snapshot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = generate_logs(SCENARIO, tmp_path / "var-log" / "shop-api.jsonl")
    root = tmp_path / "root"
    folder = create_incident(ALERT, root, logs=[logs])
    assert read_record(folder).evidence.logs == [str(logs.resolve())]
    execute_incident(folder)
    original = published_summary(nbformat.read(IncidentFolder(folder).notebook, as_version=4))

    clone = tmp_path / "clone"
    shutil.copytree(root, clone)
    logs.unlink()  # the log rotated away; the clone still has the evidence snapshot
    moved = clone / "incidents" / folder.name
    assert main(["retry", str(moved)]) == 0
    nb = nbformat.read(IncidentFolder(moved).notebook, as_version=4)
    assert _errors(nb) == []
    text = json.dumps([o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])])
    assert "shop-api.jsonl no longer there: using the evidence snapshot" in text
    again = published_summary(nb)
    assert again is not None and original is not None
    assert {k: v for k, v in again.items() if k != "lines"} == {
        k: v for k, v in original.items() if k != "lines"
    }
    assert SUMMARY_MIMETYPE in text
