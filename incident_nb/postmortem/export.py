"""Exporting a finished investigation: the HTML page, the Markdown with its charts, a PDF.

``postmortem.html`` sits beside the notebook, the Markdown post-mortem and its chart images go
under the docs root, and ``postmortem.pdf`` is printed on request.

Record-backed sections are rendered from the current ``incident.json``, so what a person recorded
after the notebook ran is what gets exported; secrets are redacted first, and the blameless and
completeness check runs before anything is written (``strict`` turns its findings into errors).
The files are written all together or not at all.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from incident_nb.core.durable import staged_files
from incident_nb.core.errors import ExportError
from incident_nb.core.folder import IncidentFolder, markdown_dir
from incident_nb.core.record import read_record
from incident_nb.postmortem.check import Finding, check_postmortem
from incident_nb.postmortem.document import postmortem_filename, render_markdown
from incident_nb.postmortem.exporter import PostmortemExporter
from incident_nb.postmortem.images import chart_title, png_images
from incident_nb.postmortem.preprocess import check_executed


@dataclass(frozen=True)
class ExportResult:
    """Where the exports were written, what was redacted and what the check found."""

    html: Path
    markdown: Path
    images: tuple[Path, ...] = ()
    pdf: Path | None = None
    redactions: dict[str, int] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()


def read_notebook(folder: Path) -> Any:
    """The folder's investigation notebook.

    Raises:
        ExportError: missing or unreadable.
    """
    notebook = IncidentFolder(folder).notebook
    if not notebook.is_file():
        raise ExportError(
            f"no investigation notebook at {notebook}; is {folder} an incident folder?"
        )
    try:
        return nbformat.read(notebook, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types for a bad file
        raise ExportError(f"cannot read {notebook}: {exc}") from None


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_HINT = (
    "Chromium or Chrome: apt-get install chromium (Debian, Ubuntu), "
    "dnf install chromium (Fedora), brew install --cask chromium (macOS)"
)
"""How to get the browser a PDF is printed with (nothing else needs one)."""


def find_chromium() -> str | None:
    """A headless-capable Chromium on this machine, if any."""
    return next((p for n in CHROMIUM_NAMES if (p := shutil.which(n))), None)


def print_pdf(html: str, chromium: str) -> bytes:
    """Print an HTML page to PDF with headless Chromium (no network); return the PDF.

    Raises:
        ExportError: Chromium failed.
    """
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "postmortem.html"
        page.write_text(html, encoding="utf-8")
        out = Path(tmp) / "out.pdf"
        args = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer", f"--print-to-pdf={out}",
            page.as_uri(),
        ]  # fmt: skip
        done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
        if not out.is_file():
            raise ExportError(f"Chromium could not print the PDF: {done.stderr.strip()[-300:]}")
        return out.read_bytes()


def export_postmortem(
    folder: Path,
    docs_root: Path,
    *,
    pdf: bool = False,
    strict: bool = False,
    redact: Sequence[str] = (),
    extra_people: Sequence[str] = (),
) -> ExportResult:
    """Write the post-mortem: HTML (and PDF) into ``folder``, Markdown under ``docs_root``.

    Everything is rendered first and then written together: each file goes to a temporary
    file beside its target and the targets are replaced only once every file could be
    written, so a full disk or a read-only folder leaves every earlier export as it was.

    Raises:
        ExportError: the notebook is missing, was not executed or failed; with ``strict``, the
            check found problems; a PDF was asked for without Chromium (the HTML and
            Markdown are written all the same).
        RecordError: ``incident.json`` is missing or invalid.
        StorageError: a file could not be written (the cause named); nothing was replaced.
    """
    chromium = find_chromium() if pdf else None
    nb = read_notebook(folder)
    files = IncidentFolder(folder)
    check_executed(nb, files.notebook)
    record = read_record(folder)
    findings = tuple(check_postmortem(record, extra_people))
    if strict and findings:
        listed = "; ".join(f"{f.where}: {f.message}" for f in findings)
        raise ExportError(f"the post-mortem check found {len(findings)} problem(s): {listed}")
    exporter = PostmortemExporter(optional_rules=list(redact))
    html, resources = exporter.from_notebook_node(nb, {"metadata": {"path": str(folder)}})
    clean_record, summary = resources["incident_record"], resources["incident_summary"]

    md_path = markdown_dir(docs_root) / postmortem_filename(clean_record, summary)
    figures = resources["postmortem_figures"]  # already redacted
    image_dir = md_path.with_name(md_path.stem + "_files")
    images = tuple(image_dir / f"chart-{i + 1}.png" for i in range(len(figures)))
    charts = [
        (chart_title(f, f"Chart {i + 1}"), f"{image_dir.name}/{p.name}")
        for i, (f, p) in enumerate(zip(figures, images, strict=True))
    ]
    markdown = render_markdown(clean_record, summary, charts)
    pngs = png_images(figures) if figures else []
    pdf_data, pdf_path = None, None
    if chromium is not None:
        static = PostmortemExporter(optional_rules=list(redact), static_charts=True)
        page, _ = static.from_notebook_node(nb, {"metadata": {"path": str(folder)}})
        pdf_data, pdf_path = print_pdf(page, chromium), files.postmortem_pdf
    html_path = files.postmortem_html
    with staged_files() as staged:
        for image, data in zip(images, pngs, strict=True):
            staged.add(image, data)
        staged.add_text(md_path, markdown)
        staged.add_text(html_path, html)
        if pdf_path is not None and pdf_data is not None:
            staged.add(pdf_path, pdf_data)
    if pdf and chromium is None:
        raise ExportError(
            f"a PDF is printed by a browser and none was found: install {CHROMIUM_HINT}, "
            f"then run the export again; the HTML and Markdown post-mortems were written at "
            f"{html_path} and {md_path}"
        )
    return ExportResult(html_path, md_path, images, pdf_path, exporter.redaction_report, findings)
