"""The notebook's evidence outlives the logs: a Parquet snapshot in the incident folder."""

import json

import nbformat

from incident_nb.alerts import alert_from_fields
from incident_nb.cli import main
from incident_nb.core.folder import EVIDENCE_DIR
from incident_nb.core.folder import NOTEBOOK as NOTEBOOK_NAME
from incident_nb.demo.scenario import Scenario, generate_logs
from incident_nb.incidents import create_incident
from incident_nb.notebook.params import validate_parameters
from incident_nb.notebook.session import Investigation
from tests import log_formats

SCENARIO = Scenario(lines=12_000)


def injected_params(folder):
    """The parameters papermill injected into the incident's notebook."""
    nb = nbformat.read(folder / NOTEBOOK_NAME, as_version=4)
    cell = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    scope: dict[str, object] = {}
    exec(cell.source, scope)
    return validate_parameters({k: v for k, v in scope.items() if not k.startswith("__")})


def test_rotated_logs_are_read_from_the_snapshot(tmp_path):
    events = log_formats.load(generate_logs(SCENARIO, tmp_path / "raw.jsonl"))
    logs = log_formats.write_delimited(events, tmp_path / "service.csv", tz="Europe/Berlin")
    alert = alert_from_fields("Checkout errors", "checkout", "2026-11-20T13:05:00Z")
    folder = create_incident(
        alert, tmp_path / "root", logs=[logs], log_format="csv", log_tz="Europe/Berlin"
    )
    params = injected_params(folder)
    assert (params.log_format, params.log_tz) == ("csv", "Europe/Berlin")
    params = params.__class__(**{**params.as_papermill(), "incident_dir": str(folder)})

    first = Investigation.open(params)
    assert first.evidence is not None, first.evidence_problem
    assert (folder / EVIDENCE_DIR / "events.parquet").is_file()
    assert "snapshot written" in first.line_report()
    assert first.assessment.onset is not None
    assert set(first.assessment.affected_tenants) == set(SCENARIO.affected_tenants)

    logs.rename(tmp_path / "service.csv.1")  # the log rotates away
    again = Investigation.open(params)
    assert again.evidence is not None, again.evidence_problem
    assert "no longer there" in again.line_report()
    assert json.dumps(again.summary(), default=str) == json.dumps(first.summary(), default=str)
    assert again.tenant_error_figure() is not None


def test_new_refuses_an_unknown_log_time_zone(tmp_path, capsys):
    logs = tmp_path / "x.jsonl"
    logs.write_text('{"ts": "2026-11-20T12:00:00Z", "status": 200}\n')
    args = ["new", "--title", "t", "--service", "s", "--started-at", "2026-11-20T12:00:00Z"]
    status = main([*args, "--logs", str(logs), "--log-tz", "Mars/Base", "--root", str(tmp_path)])
    assert status == 1
    assert "log_tz must be an IANA time zone, got 'Mars/Base'" in capsys.readouterr().err
    assert not (tmp_path / "incidents").exists() or not any((tmp_path / "incidents").iterdir())
