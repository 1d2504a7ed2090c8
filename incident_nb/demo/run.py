"""``incident-nb demo``: generate the built-in incident's evidence, investigate it, export it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from incident_nb.alerts import parse_alert
from incident_nb.core.errors import IncidentExistsError
from incident_nb.core.folder import IncidentFolder
from incident_nb.core.summary import AnalysisSummary
from incident_nb.demo.history import alert_payload, build_repo
from incident_nb.demo.scenario import Scenario, generate_logs
from incident_nb.incidents import create_incident, execute_incident, find_incident
from incident_nb.postmortem.export import ExportResult, export_postmortem
from incident_nb.sources.records import read_summary

DATA_DIR = "demo-data"


@dataclass(frozen=True)
class DemoData:
    """The files of the demo's evidence."""

    logs: Path
    repo: Path
    alert: Path
    ground_truth: Path


def write_demo_data(scenario: Scenario, folder: Path) -> DemoData:
    """Write the scenario's log, git repository, alert payload and ground truth to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    logs = generate_logs(scenario, folder / f"{scenario.service}.jsonl")
    repo = folder / "repo"
    shas = build_repo(scenario, repo)
    alert = folder / "alert.json"
    alert.write_text(json.dumps(alert_payload(scenario), indent=2) + "\n", encoding="utf-8")
    truth = scenario.ground_truth() | {"culprit_sha": shas[scenario.culprit_subject]}
    ground_truth = folder / "ground_truth.json"
    ground_truth.write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return DemoData(logs, repo, alert, ground_truth)


@dataclass(frozen=True)
class DemoResult:
    """What the demo produced."""

    folder: Path
    notebook: Path
    exports: ExportResult
    data: DemoData
    summary: AnalysisSummary | None = None
    """What the executed notebook found (the headline is drawn from it)."""


def run_demo(root: Path, docs_root: Path, scenario: Scenario | None = None) -> DemoResult:
    """Generate the demo evidence under ``root``, create and execute the investigation, export it.

    Without a ``scenario`` the built-in demo is dated to end now (see :meth:`Scenario.ending_at`).

    Raises:
        IncidentExistsError: the demo incident already exists under ``root``.
        NotebookExecutionError: the notebook failed (it is saved showing the failure).
    """
    scenario = scenario or Scenario.ending_at(datetime.now(UTC))
    alert = parse_alert(alert_payload(scenario))
    existing = find_incident(root, alert.key)
    if existing is not None:
        raise IncidentExistsError(existing)
    data = write_demo_data(scenario, root / DATA_DIR)
    folder = create_incident(alert, root, logs=[data.logs], repos=[data.repo])
    execute_incident(folder)
    exports = export_postmortem(folder, docs_root)
    notebook = IncidentFolder(folder).notebook
    published = read_summary(notebook)
    summary = AnalysisSummary.from_json(published) if published else None
    return DemoResult(folder, notebook, exports, data, summary)
