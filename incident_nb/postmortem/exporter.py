"""The nbconvert exporter of the post-mortem HTML (``jupyter nbconvert --to postmortem``).

It reads ``incident.json`` beside the notebook, refuses a notebook that did not run or failed,
redacts secrets from the notebook, the record and the analysis, and renders the post-mortem
document first (the workflow template's sections), then its Supporting Information (key
numbers, the key charts, top error signatures and suspects), then the rest of the notebook's
evidence and steps inside a collapsed "Evidence details" section, with no code, prompts or
papermill cells.
"""

from __future__ import annotations

import base64
import copy
import html
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets import Bool, List, Unicode
from traitlets.config import Config

from incident_nb.core.folder import METADATA_KEY, IncidentFolder, published_summary
from incident_nb.core.record import IncidentRecord, read_record
from incident_nb.core.redact import Redactor, redact_json
from incident_nb.core.summary import AnalysisSummary
from incident_nb.core.templates import templates_dir
from incident_nb.postmortem import sections
from incident_nb.postmortem.document import (
    duration,
    key_numbers,
    render_markdown,
    top_signatures,
    top_suspects,
)
from incident_nb.postmortem.images import chart_title, png_images
from incident_nb.postmortem.preprocess import (
    PLOTLY_MIMETYPE,
    REMOVED_TAGS,
    PlotlyToHTMLPreprocessor,
    RecordSectionsPreprocessor,
    check_executed,
    key_chart_outputs,
)

SEVERITY_COLORS = {"SEV-1": "#b71c1c", "SEV-2": "#e65100", "SEV-3": "#f9a825", "SEV-4": "#2e7d32"}
TOC = (
    "Summary",
    "Impact",
    "Timeline (UTC)",
    "Root Cause",
    "Contributing Factors",
    "What Went Well",
    "What Could Be Improved",
    "Action Items",
    "Lessons Learned",
    "Supporting Information",
    "Evidence details",
)
DETAILS_INTRO = (
    "The investigation notebook as it ran: every table and chart of the evidence, and the "
    "steps recorded in `incident.json`."
)


def redact_notebook(nb: Any, redactor: Redactor) -> Any:
    """A copy of the notebook whose outputs and sources are redacted, with run metadata dropped."""
    doc = copy.deepcopy(nb)
    doc.metadata.pop("widgets", None)
    doc.metadata.pop("papermill", None)  # parameters and absolute input/output paths
    for cell in doc.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell.source = redactor.text(cell.source)
        for output in cell.get("outputs", []):
            if "data" in output:
                output["data"] = nbformat.from_dict(redact_json(dict(output["data"]), redactor))
            if "text" in output:
                output["text"] = redactor.text(output["text"])
    return doc


class PostmortemExporter(HTMLExporter):
    """HTML post-mortem of an executed investigation notebook (reads incident.json beside it)."""

    export_from_notebook = "Post-mortem"
    optional_rules = List(
        Unicode(), default_value=[], help="extra redaction rules: email, ip, tenant"
    ).tag(config=True)
    static_charts = Bool(False, help="draw charts as PNG images (for printing)").tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        config = Config(kwargs.pop("config", None) or {})
        config.TagRemovePreprocessor.enabled = True
        config.TagRemovePreprocessor.remove_cell_tags = set(REMOVED_TAGS)
        kwargs.setdefault("template_name", "postmortem")
        kwargs.setdefault("extra_template_basedirs", [str(templates_dir())])
        super().__init__(config=config, **kwargs)  # type: ignore[no-untyped-call]
        self.exclude_input = True
        self.exclude_input_prompt = True
        self.exclude_output_prompt = True
        self.redaction_report: dict[str, int] = {}
        self.register_preprocessor(RecordSectionsPreprocessor(), enabled=True)
        self.register_preprocessor(PlotlyToHTMLPreprocessor(), enabled=True)
        self.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)

    def from_notebook_node(
        self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[Any, dict[str, Any]]:
        """Render the post-mortem; ``resources`` may carry the record, else it is read from disk."""
        resources = dict(resources or {})
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        check_executed(nb, IncidentFolder(folder).notebook)
        record: IncidentRecord = resources.pop("incident_record", None) or read_record(folder)
        redactor = Redactor.with_options(self.optional_rules, tenants=_tenants(record, nb))
        record = IncidentRecord.model_validate(
            redact_json(record.model_dump(mode="json"), redactor)
        )
        published = published_summary(nb)
        summary = AnalysisSummary.from_json(redact_json(published, redactor)) if published else None
        doc = redact_notebook(nb, redactor)
        self.redaction_report = redactor.report()
        key_outputs = key_chart_outputs(doc)
        resources["postmortem_figures"] = [dict(o["data"][PLOTLY_MIMETYPE]) for o in key_outputs]
        if self.static_charts:
            _charts_to_png(doc)
        doc.cells = [
            nbformat.v4.new_markdown_cell(render_markdown(record, summary, supporting=False)),
            *_supporting_cells(summary, key_outputs),
            _marked(nbformat.v4.new_markdown_cell(DETAILS_INTRO), "open"),
            *doc.cells,
            _marked(nbformat.v4.new_markdown_cell(""), "close"),
        ]
        level = (
            record.severity.level.value
            if record.severity.level
            else (level.value if summary and (level := summary.severity_suggestion.level) else None)
        )
        resources["incident_record"] = record
        resources["incident_summary"] = summary
        resources.setdefault("metadata", {})["name"] = f"Post-Mortem: {record.title}"
        resources["postmortem"] = {
            "title": record.title,
            "severity": level or "SEV-?",
            "severity_note": "" if record.severity.level else "suggested",
            "color": SEVERITY_COLORS.get(level or "", "#555"),
            "date": sections.incident_start(record, summary).date().isoformat(),
            "duration": duration(record, summary),
            "final": record.postmortem_final,
            "toc": [(label, label.replace(" ", "-")) for label in TOC],
        }
        body, out = super().from_notebook_node(doc, resources, **kw)
        return str(body), out


def _tenants(record: IncidentRecord, nb: Any) -> list[str]:
    published = published_summary(nb)
    summary = AnalysisSummary.from_json(published) if published else None
    names = [t.tenant for t in summary.affected_tenants] if summary else []
    return sorted({*names, *record.impact.affected_tenants})


def _marked(cell: Any, details: str) -> Any:
    """A cell that opens or closes the collapsed "Evidence details" (see the template)."""
    cell.metadata[METADATA_KEY] = {"details": details}
    return cell


def _supporting_cells(summary: AnalysisSummary | None, charts: list[Any]) -> list[Any]:
    """Supporting Information: key numbers, the key charts, top signatures and suspects."""
    first = "\n\n".join(p for p in ("### Supporting Information", key_numbers(summary)) if p)
    cells = [nbformat.v4.new_markdown_cell(first)]
    for output in charts:
        chart = nbformat.v4.new_code_cell("")
        chart.execution_count = 1
        chart.outputs = [copy.deepcopy(output)]
        cells.append(chart)
    tables = "\n\n".join(p for p in (top_signatures(summary), top_suspects(summary)) if p)
    if tables:
        cells.append(nbformat.v4.new_markdown_cell(tables))
    if len(cells) == 1 and not key_numbers(summary):
        return []
    return cells


def _charts_to_png(nb: Any) -> None:
    outputs = [
        o for c in nb.cells for o in c.get("outputs", []) if PLOTLY_MIMETYPE in o.get("data", {})
    ]
    if not outputs:
        return
    figures = [dict(o["data"][PLOTLY_MIMETYPE]) for o in outputs]
    images = png_images(figures)
    for output, figure, image in zip(outputs, figures, images, strict=True):
        del output["data"][PLOTLY_MIMETYPE]
        alt = html.escape(chart_title(figure, "chart"), quote=True)
        encoded = base64.b64encode(image).decode()
        output["data"]["text/html"] = (
            f'<img alt="{alt}" src="data:image/png;base64,{encoded}" style="max-width:100%">'
        )
