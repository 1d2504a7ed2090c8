"""Exporting a finished investigation: ``postmortem.html`` and the Markdown post-mortem.

The HTML is made by nbconvert from the executed notebook: the post-mortem document first, then
the evidence (charts and tables) and the fix/verification checklists, with no code, prompts or
papermill cells. Record-backed sections are re-rendered from the current ``incident.json``, so
what a person recorded after the notebook ran is what gets exported. Charts are drawn by
plotly.js inlined once, so the file opens offline.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import plotly.io as pio
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from plotly.offline import get_plotlyjs
from traitlets.config import Config

from incident_nb.errors import ExportError, RecordError
from incident_nb.incidents import NOTEBOOK_NAME
from incident_nb.notebook.session import SUMMARY_MIMETYPE
from incident_nb.postmortem import sections
from incident_nb.postmortem.document import postmortem_filename, render_markdown
from incident_nb.record import IncidentRecord, read_record, write_atomic
from incident_nb.templates import templates_dir

HTML_NAME = "postmortem.html"
MARKDOWN_DIR = Path("docs/spec/.llm/completed")
PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
WIDGET_MIMETYPE = "application/vnd.jupyter.widget-view+json"
REMOVED_TAGS = {
    "remove-cell",
    "parameters",
    "injected-parameters",
    "guidance",
    "postmortem-skip",
    "analysis-summary",
    "papermill-error-cell-tag",
}


@dataclass(frozen=True)
class ExportResult:
    """Where the exports were written."""

    html: Path
    markdown: Path


def notebook_summary(nb: nbformat.NotebookNode) -> dict[str, Any] | None:
    """The analysis summary the executed notebook published, if it ran that far."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if SUMMARY_MIMETYPE in data:
                value = data[SUMMARY_MIMETYPE]
                return dict(value) if value else None
    return None


def _check_executed(nb: nbformat.NotebookNode, path: Path) -> None:
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


class RecordSectionsPreprocessor(Preprocessor):
    """Replace the outputs of record-backed cells by the section rendered from the record now."""

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        record: IncidentRecord = resources["incident_record"]
        summary = resources.get("incident_summary")
        for cell in nb.cells:
            name = cell.metadata.get("incident_nb", {}).get("section")
            if not name:
                continue
            text = _render_section(name, record, summary)
            cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": text})]
        return nb, resources


def _render_section(name: str, record: IncidentRecord, summary: dict[str, Any] | None) -> str:
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


class PlotlyToHTMLPreprocessor(Preprocessor):
    """Turn plotly figure outputs into ``<div>``s drawn by the one inlined plotly.js.

    Widget views are dropped too: without a kernel they would render as empty boxes.
    """

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
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


def html_exporter() -> HTMLExporter:
    """The nbconvert exporter of the post-mortem HTML."""
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVED_TAGS)
    exporter = HTMLExporter(
        config=config,
        template_name="postmortem",
        extra_template_basedirs=[str(templates_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.register_preprocessor(RecordSectionsPreprocessor(), enabled=True)
    exporter.register_preprocessor(PlotlyToHTMLPreprocessor(), enabled=True)
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    return exporter


def render_html(
    nb: nbformat.NotebookNode, record: IncidentRecord, summary: dict[str, Any] | None
) -> str:
    """The post-mortem HTML page of an executed investigation notebook."""
    doc = copy.deepcopy(nb)
    doc.metadata.pop("widgets", None)
    doc.metadata.pop("papermill", None)
    # The notebook's own title cell (header) stays; the post-mortem document goes first.
    intro = [
        nbformat.v4.new_markdown_cell(render_markdown(record, summary)),
        nbformat.v4.new_markdown_cell(
            "## Investigation\n\nThe evidence and the steps taken, from the investigation notebook."
        ),
    ]
    doc.cells = intro + list(doc.cells)
    resources = {
        "incident_record": record,
        "incident_summary": summary,
        "metadata": {"name": f"Post-Mortem: {record.title}"},
    }
    body, _ = html_exporter().from_notebook_node(doc, resources=resources)
    return str(body)


def export_postmortem(folder: Path, docs_root: Path) -> ExportResult:
    """Write ``postmortem.html`` into ``folder`` and the Markdown post-mortem under ``docs_root``.

    Raises:
        ExportError: the notebook is missing, was not executed, or failed.
        RecordError: ``incident.json`` is missing or invalid.
    """
    notebook = folder / NOTEBOOK_NAME
    if not notebook.is_file():
        raise ExportError(
            f"no investigation notebook at {notebook}; is {folder} an incident folder?"
        )
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for a bad file
        raise ExportError(f"cannot read {notebook}: {exc}") from None
    _check_executed(nb, notebook)
    record = read_record(folder)
    summary = notebook_summary(nb)
    markdown = render_markdown(record, summary)
    md_path = docs_root / MARKDOWN_DIR / postmortem_filename(record, summary)
    write_atomic(md_path, markdown)
    html_path = folder / HTML_NAME
    write_atomic(html_path, render_html(nb, record, summary))
    return ExportResult(html=html_path, markdown=md_path)


__all__ = ["ExportResult", "RecordError", "export_postmortem", "render_html"]
