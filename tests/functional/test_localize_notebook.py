"""Which service is at fault, in an investigation: ``new --traces/--metrics`` to Step 2 and the
5 Whys.

One trace file and one metric table hold a healthy stretch and then a fault in ``stock``; the
alert fires when the fault starts. The investigation carries the files, ranks ``stock`` first
against the time before, shows its evidence, and offers it as the first answer of the 5 Whys.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from incident_nb.cli import main
from incident_nb.core.models import TimeWindow, iso
from incident_nb.core.record import read_record
from incident_nb.notebook.params import NotebookParams
from incident_nb.notebook.session import Investigation
from tests.localize_scenario import BASELINE_START, Fault, PeriodData, period, write_files

FAULT_AT = BASELINE_START + timedelta(minutes=5)


@pytest.fixture(scope="module")
def incident(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("localize-notebook")
    healthy = period(BASELINE_START, minutes=5, seed=11)
    faulty = period(FAULT_AT, minutes=3, fault=Fault(error="stock", slow={"stock": 3.0}), seed=12)
    both = PeriodData(
        TimeWindow(healthy.window.start, faulty.window.end),
        pd.concat([healthy.spans, faulty.spans], ignore_index=True),
        pd.concat([healthy.logs, faulty.logs], ignore_index=True),
        pd.concat([healthy.metrics, faulty.metrics], ignore_index=True),
    )
    files = write_files(both, folder / "root" / "telemetry", "all")
    args = ["new", "--title", "Checkout slow", "--service", "gateway"]
    args += ["--started-at", iso(FAULT_AT), "--root", str(folder / "root")]
    args += ["--traces", str(files["traces"]), "--metrics", str(files["metrics"])]
    assert main(args) == 0
    (created,) = (folder / "root" / "incidents").iterdir()
    return created


def _open(folder: Path) -> Investigation:
    record = read_record(folder)
    params = NotebookParams(
        incident_dir=str(folder),
        title=record.title,
        service=record.service,
        alert_started_at=record.alert.started_at.isoformat(),
        traces=record.evidence.traces,
        metrics=record.evidence.metrics,
    )
    return Investigation.open(params)


def test_the_record_carries_the_trace_and_metric_files(incident: Path) -> None:
    evidence = read_record(incident).evidence
    assert evidence.traces == ["../../telemetry/all_trace.csv.gz"]
    assert evidence.metrics == ["../../telemetry/all_metric.csv"]


def test_step_2_ranks_the_faulty_service_with_its_evidence(incident: Path) -> None:
    inv = _open(incident)
    assert inv.localization is not None, inv.localization_problem
    assert inv.localization.services[0].service == "stock"
    assert inv.localization.window.start == FAULT_AT
    items = inv.localization_section()
    assert "Which service is at fault" in items[0].data
    table = items[2]
    assert table.to_text().index("stock") < table.to_text().index("gateway")
    assert items[3].name == "localization"


def test_the_top_service_is_offered_as_the_first_answer(incident: Path) -> None:
    inv = _open(incident)
    offers = dict(inv.first_hypotheses())
    assert offers["Service most likely at fault"].startswith("stock is failing: ")
    form = inv.five_whys_form()
    shown = [o.children[0].value for o in form.hypothesis.children]
    assert any("Service most likely at fault" in s and "stock" in s for s in shown)


def test_without_traces_the_section_is_one_line(tmp_path: Path) -> None:
    root = tmp_path / "root"
    args = ["new", "--title", "t", "--service", "s", "--started-at", iso(FAULT_AT)]
    assert main([*args, "--root", str(root)]) == 0
    (folder,) = (root / "incidents").iterdir()
    (line,) = _open(folder).localization_section()
    assert "no trace files were given" in line.data


@pytest.mark.integration
def test_the_executed_notebook_shows_the_ranking(incident: Path) -> None:
    import nbformat

    from incident_nb.incidents import execute_incident

    execute_incident(incident)
    nb = nbformat.read(incident / "investigation.ipynb", as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert [o for o in outputs if o.get("output_type") == "error"] == []
    text = "\n".join(str(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert "### Which service is at fault" in text
    plain = "\n".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "stock" in plain
