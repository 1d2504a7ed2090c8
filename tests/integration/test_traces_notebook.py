"""An investigation created with trace files executes and shows where failing requests fail."""

import json

import nbformat
import pytest

from incident_nb.cli import main
from incident_nb.core.record import read_record
from tests.trace_scenario import TraceSet

pytestmark = pytest.mark.integration


def test_executed_notebook_shows_the_traces_section(tmp_path, capsys):
    traces = TraceSet().write_jaeger(tmp_path / "traces.json")
    args = ["new", "--title", "Checkout failing", "--service", "checkout"]
    args += ["--started-at", "2026-03-14T09:05:00Z", "--root", str(tmp_path / "root")]
    assert main([*args, "--traces", str(traces), "--execute"]) == 0
    (folder,) = (tmp_path / "root" / "incidents").iterdir()
    assert read_record(folder).notebook.state == "executed"
    nb = nbformat.read(folder / "investigation.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    (cell,) = [c for c in nb.cells if "inv.traces_section()" in c.source]
    data = [o.get("data", {}) for o in cell.outputs]
    texts = [d.get("text/markdown", "") for d in data]
    assert texts[0] == "### Traces"
    assert texts[1].startswith("Failing requests fail in payments-db `SELECT` (90% of failing")
    figures = [
        d["application/vnd.plotly.v1+json"] for d in data if "application/vnd.plotly.v1+json" in d
    ]
    assert len(figures) == 1
    assert [t["name"] for t in figures[0]["data"]] == ["failing traces", "successful"]
    charts = [o.metadata["incident_nb"]["chart"] for o in cell.outputs if o.get("metadata")]
    assert charts == ["traces"]
    assert "payments-db" in json.dumps(figures[0]["data"][0]["y"])
