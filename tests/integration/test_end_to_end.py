"""One alert becomes one executed investigation and one post-mortem, checked against the demo's
ground truth."""

import json
import re
from pathlib import Path

import nbformat
import pytest
from plotly.offline import get_plotlyjs

from incident_nb.cli import main
from incident_nb.core.folder import published_summary as notebook_summary
from incident_nb.core.record import read_record

pytestmark = pytest.mark.integration


def test_record_and_executed_notebook(executed_demo, demo_data):
    truth = json.loads(demo_data.ground_truth.read_text())
    assert executed_demo.name == "2026-11-20-5xx-error-rate-above-2-on-shop-api"
    record = read_record(executed_demo)
    assert record.notebook.state == "executed"
    assert record.alert.key == '{}:{alertname="HighErrorRate", service="shop-api"}'
    assert record.evidence.logs == [str(demo_data.logs.resolve())]
    assert [e.event for e in record.timeline] == ["Alert fired", "Investigation started"]

    nb = nbformat.read(executed_demo / "investigation.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'incident_id = "2026-11-20-5xx-error-rate-above-2-on-shop-api"' in injected.source
    # the notebook opens as a document: every code cell's input is collapsed
    assert all(c.metadata["jupyter"]["source_hidden"] for c in nb.cells if c.cell_type == "code")

    summary = notebook_summary(nb)
    assert summary["onset"] == truth["onset"]
    assert summary["first_error_at"].startswith(truth["onset"][:16])
    assert [t["tenant"] for t in summary["affected_tenants"]] == truth["affected_tenants"]
    assert [e["endpoint"] for e in summary["endpoints"] if e["affected"]] == [
        truth["failing_endpoint"]
    ]
    assert summary["severity_suggestion"]["level"] == truth["severity"]
    assert summary["trend"]["direction"] == "worsening"
    assert summary["tenants_total"] == truth["tenants_total"]
    assert summary["lines"] == {
        "total": 216_000,
        "parsed": 216_000,
        "malformed": 0,
        "bad_timestamp": 0,
        "examples": [],
    }
    top = summary["signatures"][0]
    assert (
        top["template"]
        == 'DatabaseError: column "discount_code" of relation "orders" does not exist (order <*>)'
    )
    assert top["new_since_onset"] is True and top["first_seen"].startswith(truth["onset"][:16])
    assert not any(s["new_since_onset"] for s in summary["signatures"][1:])

    text = json.dumps(nb.cells[-1].outputs[0].data) + "".join(
        json.dumps(o.get("data", {})) for c in nb.cells for o in c.get("outputs", [])
    )
    assert truth["culprit_subject"] in text  # the recent-changes table shows the culprit commit
    (changes,) = [c for c in nb.cells if "inv.changes_section()" in c.source]
    (suspects,) = [
        o.data["text/plain"]
        for o in changes.outputs
        if o.data.get("text/plain", "").lstrip().startswith("Rank")
    ]
    assert truth["culprit_subject"] in suspects.splitlines()[1]  # ranked first
    # Step 1 shows where the onset was found and the evidence, as the summary gives them.
    group, evidence = summary["onset_group"], summary["onset_evidence"]
    assert group["endpoints"] == [truth["failing_endpoint"]]
    assert sorted(group["tenants"]) == sorted(truth["affected_tenants"])
    (step1,) = [c for c in nb.cells if "inv.onset_markdown()" in c.source]
    shown = step1.outputs[0].data["text/markdown"]
    assert evidence["sentence"].split(" p ")[0].rstrip(";") in shown.replace("\\", "")
    assert "<th" in [o for o in changes.outputs if "text/html" in o.data][-1].data["text/html"]
    (charts,) = [c for c in nb.cells if "inv.metrics_section()" in c.source]
    names = [
        o.metadata["incident_nb"]["chart"]
        for o in charts.outputs
        if "application/vnd.plotly.v1+json" in o.get("data", {})
    ]
    assert names == ["error_rate", "tenants", "latency"]
    (traces,) = [c for c in nb.cells if "inv.traces_section()" in c.source]
    assert [o.data["text/markdown"] for o in traces.outputs] == [
        "**Traces**: no trace files were given (incident-nb new --traces FILE)."
    ]  # a section without evidence is one line
    assert "Update README badges" not in text  # committed after the onset


def test_export_writes_both_documents_with_the_ground_truth(
    executed_demo, demo_data, tmp_path, capsys
):
    truth = json.loads(demo_data.ground_truth.read_text())
    assert main(["export", str(executed_demo), "--docs-root", str(tmp_path)]) == 0
    html_path, md_path = capsys.readouterr().out.split()
    assert html_path == str(executed_demo / "postmortem.html")
    assert md_path == str(
        tmp_path
        / "docs/spec/.llm/completed/postmortem-2026-11-20-5xx-error-rate-above-2-on-shop-api.md"
    )

    md = Path(md_path).read_text()
    assert md.startswith(
        "## Post-Mortem: 5xx error rate above 2% on shop-api\n\n"
        "| Date | Severity | Duration | Status | Author |\n|------|----------|----------|--------|"
        f"--------|\n| 2026-11-20 | {truth['severity']}, suggested from the evidence"
    )
    summary = md.split("### Summary\n")[1].split("### Impact")[0]
    assert "**Draft from the evidence**" in summary
    assert "Since 2026-11-20 14:07 UTC, /api/v1/checkout failed" in summary
    assert (
        f'The top suspect is change {truth["culprit_sha"][:8]} "{truth["culprit_subject"]}"'
        in summary
    )
    assert "- **Tenants affected**: 3 (38% of total): acme, globex, initech" in md
    assert "- **Duration**: 14:07 to 14:59 UTC (ongoing at the end of the evidence)" in md
    assert re.search(
        r"- \*\*User-facing impact\*\*: /api/v1/checkout failed [\d.]+% of requests since the onset",
        md,
    )
    assert "| 14:07 | First error logged |\n| 14:11 | Alert fired |" in md
    support = md.split("### Supporting Information\n")[1]
    assert "**Top error signatures**" in support and "new since the onset" in support
    assert f"| 1 | {truth['culprit_sha'][:8]} {truth['culprit_subject']} |" in support

    html = Path(html_path).read_text()
    assert html.count("plotly.js v") == 1  # the library once, not per chart
    # Supporting Information: error rate and tenants; the evidence details: the same and latency
    assert len(re.findall(r'class="plotly-graph-div"', html)) == 5
    assert '<details class="incident-nb-details" id="Evidence-details">' in html
    assert 'class="jp-CodeMirrorEditor' not in html and 'class="jp-InputPrompt' not in html
    assert "inv.impact_table()" not in html and "validate_parameters" not in html
    page = html.replace(
        get_plotlyjs(), ""
    )  # the inlined library mentions hosts it never calls here
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing loaded from a host
    for loader in ("require.min.js", "MathJax.js", "tex-chtml", "embed-amd.js", "mermaid"):
        assert loader not in page
    assert str(demo_data.logs.resolve()) not in html  # parameters (paths) are not exported
    assert "Post-Mortem: 5xx error rate above 2% on shop-api" in html
    assert "<title>Post-Mortem: 5xx error rate above 2% on shop-api</title>" in html


def test_edits_to_the_record_reach_the_export_without_re_running(executed_demo, tmp_path, capsys):
    record = read_record(executed_demo)
    record.narrative.summary = "A migration ran after the code that needed it."
    record.fix_checklist = {"Rollback plan documented": True}
    from incident_nb.core.record import write_record

    write_record(executed_demo, record)
    assert main(["export", str(executed_demo), "--docs-root", str(tmp_path)]) == 0
    html_path, md_path = capsys.readouterr().out.split()
    assert (
        "### Summary\nA migration ran after the code that needed it.\n" in Path(md_path).read_text()
    )
    html = Path(html_path).read_text()
    assert "A migration ran after the code that needed it." in html
    assert re.search(r'<input checked=""[^>]*/>Rollback plan documented', html)
    assert re.search(r'<input class="task-list-item-checkbox"[^>]*/>Test suite passes', html)


def test_same_alert_twice_never_overwrites(executed_demo, demo_data, capsys):
    root = executed_demo.parent.parent
    before = (executed_demo / "investigation.ipynb").read_bytes()
    assert main(["new", "--alert", str(demo_data.alert), "--root", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"already exists at {executed_demo}" in err
    assert (executed_demo / "investigation.ipynb").read_bytes() == before
    assert len(list((root / "incidents").iterdir())) == 1


def test_papermill_re_execution_shows_what_was_entered(executed_demo):
    from incident_nb.forms import RecordStore
    from incident_nb.incidents import execute_incident

    store = RecordStore(executed_demo, who="tester")
    store.update("severity", {"level": "SEV-1", "reason": "revenue path"})
    store.update("five_whys.whys", [{"why": "", "answer": "Missing column"}])
    execute_incident(executed_demo)
    nb = nbformat.read(executed_demo / "investigation.ipynb", as_version=4)
    by_section = {
        c.metadata["incident_nb"]["section"]: c for c in nb.cells if "incident_nb" in c.metadata
    }
    impact = by_section["impact"].outputs[0].data
    assert "application/vnd.jupyter.widget-view+json" in impact
    assert "**Severity: SEV-1** (decided)" in impact["text/markdown"]
    assert "1. **Why?** Missing column" in by_section["five_whys"].outputs[0].data["text/markdown"]
