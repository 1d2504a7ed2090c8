"""A failing or timed-out cell leaves a saved notebook that shows the failure, and a clear exit."""

import nbformat
import pytest

from incident_nb.alerts import alert_from_fields
from incident_nb.cli import main
from incident_nb.core.errors import ExportError, NotebookExecutionError
from incident_nb.core.models import parse_utc
from incident_nb.incidents import create_incident, execute_incident
from incident_nb.postmortem.export import export_postmortem

pytestmark = pytest.mark.integration


def test_failing_cell_is_saved_named_and_blocks_export(tmp_path):
    folder = create_incident(
        alert_from_fields("Broken record", "svc", "2026-11-20T14:00:00Z"), tmp_path
    )
    (folder / "incident.json").write_text("{ not json")
    with pytest.raises(NotebookExecutionError) as caught:
        execute_incident(folder)
    err = caught.value
    assert err.ename == "RecordError" and "not valid JSON" in err.evalue
    assert f"cell {err.cell_index}" in str(err) and str(folder / "investigation.ipynb") in str(err)
    nb = nbformat.read(folder / "investigation.ipynb", as_version=4)
    assert nb.metadata.papermill.exception is True
    failed = [c for c in nb.cells if c.metadata.get("papermill", {}).get("status") == "failed"]
    assert len(failed) == 1 and failed[0].outputs[-1].output_type == "error"
    assert (
        "incident-nb new" in "".join(failed[0].outputs[-1].traceback)
        or failed[0].outputs[-1].ename == "RecordError"
    )
    with pytest.raises(ExportError, match="failed at cell"):
        export_postmortem(folder, tmp_path)


def test_timeout_is_marked_as_a_failure(demo_data, tmp_path, capsys):
    args = [
        "new",
        "--alert",
        str(demo_data.alert),
        "--logs",
        str(demo_data.logs),
        "--root",
        str(tmp_path),
    ]
    assert main([*args, "--execute", "--timeout", "1"]) == 1
    out, err = capsys.readouterr()
    folder = tmp_path / "incidents" / "2026-11-20-5xx-error-rate-above-2-on-shop-api"
    assert out.strip() == str(folder)
    assert "CellTimeoutError" in err and "timed out after 1 s" in err
    nb = nbformat.read(folder / "investigation.ipynb", as_version=4)
    assert nb.metadata.papermill.exception is True  # papermill leaves timeouts unmarked
    assert any(
        "timed out after 1 seconds" in c.source for c in nb.cells if c.cell_type == "markdown"
    )
    from incident_nb.core.record import read_record

    status = read_record(folder).notebook
    assert status.state == "failed" and "CellTimeoutError" in status.error
    assert parse_utc(status.executed_at.isoformat())


def test_usage_errors_name_the_fix(tmp_path, capsys):
    assert main(["new", "--title", "x", "--root", str(tmp_path)]) == 1
    assert "missing --service, --started-at" in capsys.readouterr().err
    assert main(["new", "--alert", str(tmp_path / "none.json"), "--root", str(tmp_path)]) == 1
    assert "alert file not found" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text("{")
    assert main(["new", "--alert", str(tmp_path / "bad.json"), "--root", str(tmp_path)]) == 1
    assert "is not JSON (line 1" in capsys.readouterr().err
    args = ["new", "--title", "t", "--service", "s", "--started-at", "2026-01-01T00:00:00Z"]
    assert main([*args, "--logs", str(tmp_path / "missing.jsonl"), "--root", str(tmp_path)]) == 1
    assert "log file not found" in capsys.readouterr().err
    assert not (tmp_path / "incidents").exists() or not any((tmp_path / "incidents").iterdir())
    assert main(["export", str(tmp_path)]) == 1
    assert "no investigation notebook" in capsys.readouterr().err
