"""A status update drafted from the executed demo investigation states its known ground truth."""

from __future__ import annotations

import json
import shutil

import pytest

from incident_nb.cli import main
from incident_nb.core.record import ImpactAssessment, SeverityDecision, read_record, write_record
from incident_nb.sources.records import load_records

pytestmark = pytest.mark.integration


def test_update_of_the_executed_demo_names_the_true_impact(
    executed_demo, demo_data, tmp_path, capsys
):
    truth = json.loads(demo_data.ground_truth.read_text())
    folder = tmp_path / "incidents" / executed_demo.name
    shutil.copytree(executed_demo, folder)  # the shared demo incident stays untouched
    record = read_record(folder)  # other tests may have decided things: start from the evidence
    record.severity, record.impact = SeverityDecision(), ImpactAssessment()
    record.status, record.resolved_at = "open", None
    write_record(folder, record)
    assert main(["update", str(folder)]) == 0
    out = capsys.readouterr().out
    tenants = ", ".join(truth["affected_tenants"])
    lines = out.splitlines()
    assert lines[0].startswith(f"[{truth['severity']}] ")  # the suggestion, nothing decided yet
    assert lines[2].startswith(
        f"Impact: {len(truth['affected_tenants'])} of {truth['tenants_total']} tenants "
        f"affected ({tenants}); "
    )
    assert truth["failing_endpoint"] in lines[2] and "% of requests" in lines[2]
    assert lines[3].startswith("Trend: error rate ") and "since the onset; peak " in lines[3]
    # the review reads the demo's notebook too: its new error signatures come with it
    (item,), problems = load_records(tmp_path)
    assert problems == [] and item.signatures
