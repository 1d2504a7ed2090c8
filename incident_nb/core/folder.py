"""An incident's folder, ``<root>/incidents/YYYY-MM-DD-<slug>/``: the name of every file in it.

Every path inside an incident folder, and where the incidents and the Markdown post-mortems of
a root live, is spelled here and nowhere else::

    <root>/incidents/<id>/
        incident.json              the record (core.record)
        .incident.json.lock        its lock
        investigation.ipynb        the notebook (a run writes .running-*.ipynb beside it)
        evidence/events.parquet    the snapshot of the parsed log evidence
        evidence/.answers/         the analysis's query results on it, kept to be read again
        postmortem.html            the exported post-mortem (and postmortem.pdf on request)
    <docs root>/docs/spec/.llm/completed/postmortem-YYYY-MM-DD-<description>.md

The executed notebook publishes its analysis summary as an output of MIME type
:data:`SUMMARY_MIMETYPE`; :func:`published_summary` finds it again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

INCIDENTS_DIR = "incidents"
RECORD = "incident.json"
RECORD_LOCK = ".incident.json.lock"
NOTEBOOK = "investigation.ipynb"
PARTIAL_PREFIX = ".running-"
"""Notebooks being written by a run: renamed over :data:`NOTEBOOK` once complete."""
EVIDENCE_DIR = "evidence"
SNAPSHOT = "events.parquet"
"""The evidence snapshot's file, in the evidence folder (or any ``--snapshot DIR``)."""
ANSWERS_DIR = ".answers"
"""Beside the snapshot: results of the analysis's queries on it (ignored by git)."""
POSTMORTEM_HTML = "postmortem.html"
POSTMORTEM_PDF = "postmortem.pdf"
MARKDOWN_DIR = PurePosixPath("docs/spec/.llm/completed")
"""Where the Markdown post-mortems go, under the docs root."""
SUMMARY_MIMETYPE = "application/vnd.incident-nb.summary+json"
"""The MIME type of the analysis summary an executed notebook publishes."""
METADATA_KEY = "incident_nb"
"""Where incident-nb keeps its own cell and output metadata in a notebook (a record-backed
cell's ``section``, a chart output's ``chart`` name)."""
KEY_CHARTS = ("error_rate", "tenants")
"""The charts (by their output's ``chart`` name) that support the post-mortem's story: shown in
its Supporting Information and drawn as PNG images for the Markdown."""
STAGING_PREFIX = ".new-"
"""A folder being assembled; renamed into place whole."""


@dataclass(frozen=True)
class IncidentFolder:
    """The files of one incident folder."""

    path: Path

    @property
    def record(self) -> Path:
        """``incident.json``."""
        return self.path / RECORD

    @property
    def lock(self) -> Path:
        """The lock file held while the record is read and rewritten."""
        return self.path / RECORD_LOCK

    @property
    def notebook(self) -> Path:
        """``investigation.ipynb``."""
        return self.path / NOTEBOOK

    def partial_notebook(self, tag: str) -> Path:
        """A notebook being written by run ``tag``, hidden until it is complete."""
        return self.path / f"{PARTIAL_PREFIX}{tag}-{NOTEBOOK}"

    def partial_notebooks(self) -> list[Path]:
        """Partial notebooks left by interrupted runs."""
        return sorted(self.path.glob(f"{PARTIAL_PREFIX}*.ipynb"))

    @property
    def evidence(self) -> Path:
        """The folder holding the evidence snapshot."""
        return self.path / EVIDENCE_DIR

    @property
    def snapshot(self) -> Path:
        """``evidence/events.parquet``."""
        return self.evidence / SNAPSHOT

    @property
    def postmortem_html(self) -> Path:
        """``postmortem.html``."""
        return self.path / POSTMORTEM_HTML

    @property
    def postmortem_pdf(self) -> Path:
        """``postmortem.pdf``."""
        return self.path / POSTMORTEM_PDF


def incidents_dir(root: Path) -> Path:
    """Where the incident folders of ``root`` are."""
    return root / INCIDENTS_DIR


def iter_incidents(root: Path) -> Iterator[IncidentFolder]:
    """Incident folders under ``root`` (those not being created), by name.

    A folder counts when anything is named :data:`RECORD` in it, even a file that cannot be
    read, a folder or a dangling link: readers report such a record as that incident's
    problem instead of silently missing the incident.
    """
    base = incidents_dir(root)
    if base.is_dir():
        for path in sorted(base.iterdir()):
            if not path.name.startswith(".") and path.is_dir() and os.path.lexists(path / RECORD):
                yield IncidentFolder(path)


def markdown_dir(docs_root: Path) -> Path:
    """Where the Markdown post-mortems go under ``docs_root``."""
    return docs_root / MARKDOWN_DIR


def published_summary(notebook: Mapping[str, Any]) -> dict[str, Any] | None:
    """The analysis summary an executed notebook (its JSON) published, if it ran that far."""
    cells = notebook.get("cells", [])
    for cell in cells if isinstance(cells, list) else []:
        for output in cell.get("outputs", []) if isinstance(cell, Mapping) else []:
            data = output.get("data", {}) if isinstance(output, Mapping) else {}
            value = data.get(SUMMARY_MIMETYPE) if isinstance(data, Mapping) else None
            if isinstance(value, Mapping):
                return dict(value) or None
    return None
