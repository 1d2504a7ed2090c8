"""nbconvert preprocessors and notebook checks shared by the post-mortem exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import plotly.io as pio
from nbconvert.preprocessors import Preprocessor
from plotly.offline import get_plotlyjs

from incident_nb.core.errors import ExportError
from incident_nb.core.folder import KEY_CHARTS, METADATA_KEY
from incident_nb.core.record import IncidentRecord
from incident_nb.core.summary import AnalysisSummary
from incident_nb.postmortem import sections
from incident_nb.postmortem.document import render_markdown

PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
WIDGET_MIMETYPE = "application/vnd.jupyter.widget-view+json"

REMOVED_TAGS = frozenset(
    {
        "remove-cell",
        "parameters",
        "injected-parameters",
        "guidance",
        "postmortem-skip",
        "analysis-summary",
        "papermill-error-cell-tag",
    }
)


def check_executed(nb: Any, path: Path) -> None:
    """Refuse a notebook that never ran or whose last run failed.

    Raises:
        ExportError: naming the failed cell and what to do.
    """
    if nb.metadata.get("papermill", {}).get("exception"):
        failed = next(
            (
                i
                for i, c in enumerate(nb.cells)
                if c.metadata.get("papermill", {}).get("status") == "failed"
            ),
            None,
        )
        where = f" at cell {failed}" if failed is not None else ""
        raise ExportError(
            f"{path} failed{where} when it last ran; fix the cause and re-run it "
            "(incident-nb new --execute, or Run All in JupyterLab) before exporting"
        )
    if not any(c.get("execution_count") for c in nb.cells if c.cell_type == "code"):
        raise ExportError(
            f"{path} has not been executed; run it first (incident-nb new --execute, or Run All "
            "in JupyterLab and save)"
        )


def chart_name(output: Any) -> str:
    """The name a notebook gave a chart output (see :data:`KEY_CHARTS`), or ''."""
    meta = output.get("metadata", {}).get(METADATA_KEY, {})
    return str(meta.get("chart", "")) if isinstance(meta, dict) else ""


def key_chart_outputs(nb: Any) -> list[Any]:
    """The key charts' outputs in :data:`KEY_CHARTS` order.

    A notebook from before charts were named gives all its charts.
    """
    figures = [
        o for c in nb.cells for o in c.get("outputs", []) if PLOTLY_MIMETYPE in o.get("data", {})
    ]
    if not any(chart_name(o) for o in figures):
        return figures
    named = {chart_name(o): o for o in reversed(figures)}
    return [named[name] for name in KEY_CHARTS if name in named]


def render_section(name: str, record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    """A record-backed notebook section, rendered from the record as it is now."""
    renderers = {
        "impact": lambda: sections.impact_section(record, summary),
        "severity": lambda: sections.severity_detail(record, summary),
        "five_whys": lambda: sections.root_cause(record),
        "fix": lambda: sections.fix_section(record),
        "staging": lambda: sections.staging_section(record),
        "deployment": lambda: sections.deployment_section(record, summary),
        "timeline": lambda: sections.timeline_table(record, summary),
        "action_items": lambda: sections.action_items_table(record),
        "narrative": lambda: sections.narrative_section(record),
    }
    render = renderers.get(name)
    return render() if render else render_markdown(record, summary)


class RecordSectionsPreprocessor(Preprocessor):
    """Replace the outputs of record-backed cells by the section rendered from the record now."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Re-render every cell whose metadata names a record section."""
        record: IncidentRecord = resources["incident_record"]
        summary = resources.get("incident_summary")
        for cell in nb.cells:
            name = cell.metadata.get("incident_nb", {}).get("section")
            if name:
                text = render_section(name, record, summary)
                cell.outputs = [
                    nbformat.v4.new_output("display_data", data={"text/markdown": text})
                ]
        return nb, resources


class PlotlyToHTMLPreprocessor(Preprocessor):
    """Turn plotly figure outputs into ``<div>``s drawn by the one inlined plotly.js.

    Widget views are dropped too: without a kernel they would render as empty boxes.
    """

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Convert every figure; inline plotly.js once when there is at least one."""
        charts = 0
        for index, cell in enumerate(nb.cells):
            for position, output in enumerate(cell.get("outputs", [])):
                data = output.get("data", {})
                data.pop(WIDGET_MIMETYPE, None)
                figure = data.pop(PLOTLY_MIMETYPE, None)
                if figure is None:
                    continue
                data.pop("text/plain", None)
                data["text/html"] = pio.to_html(
                    figure,
                    include_plotlyjs=False,
                    full_html=False,
                    div_id=f"chart-{index}-{position}",
                    config={"displaylogo": False, "responsive": True},
                    validate=False,
                )
                charts += 1
        if charts:
            resources["plotly_js"] = get_plotlyjs()
        return nb, resources
