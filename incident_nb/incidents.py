"""Creating, finding and executing incident folders: ``<root>/incidents/YYYY-MM-DD-<slug>/``.

A folder holds ``incident.json`` (the record) and ``investigation.ipynb``. It is assembled in a
hidden temporary folder and renamed into place, so it appears whole or not at all; an existing
investigation is never overwritten.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from slugify import slugify

from incident_nb.core.durable import is_write_failure, storage_error
from incident_nb.core.errors import (
    EvidenceError,
    IncidentExistsError,
    NotebookExecutionError,
    RecordError,
)
from incident_nb.core.folder import STAGING_PREFIX, IncidentFolder, incidents_dir, iter_incidents
from incident_nb.core.models import Alert
from incident_nb.core.record import (
    AlertRecord,
    EvidenceSources,
    IncidentRecord,
    NotebookStatus,
    TimelineEvent,
    read_record,
    record_lock,
    write_record,
)
from incident_nb.core.redact import redact_text
from incident_nb.core.templates import investigation_template
from incident_nb.notebook.params import CELL_TIMEOUT_S, NotebookParams, validate_parameters

SLUG_MAX = 48


def folder_name(alert: Alert) -> str:
    """``YYYY-MM-DD-<slug>``: the alert's UTC start date and a filesystem-safe slug of its title.

    The title is redacted first: a key pasted into an alert's title must not become a path.
    """
    title = redact_text(alert.title)
    slug = slugify(title, max_length=SLUG_MAX, word_boundary=True) or "incident"
    return f"{alert.started_at:%Y-%m-%d}-{slug}"


def find_incident(root: Path, key: str) -> Path | None:
    """The folder of the incident opened by the alert with identity ``key``, if any."""
    for folder in iter_incidents(root):
        try:
            if read_record(folder.path).alert.key == key:
                return folder.path
        except RecordError:
            continue
    return None


def _free_name(base: Path, name: str) -> Path:
    candidate, n = base / name, 2
    while candidate.exists():
        candidate, n = base / f"{name}-{n}", n + 1
    return candidate


def _locate(paths: Sequence[str | Path], what: str, root: Path, folder: Path) -> list[str]:
    """Evidence paths as the incident keeps them, so a moved or cloned root still finds them.

    Inside ``root`` (the incident's own folder included) a path is kept relative to the
    incident ``folder``; outside it, absolute; a URI (``s3://``, ``https://``...) as given.

    Raises:
        EvidenceError: a local path does not exist.
    """
    out = []
    for p in paths:
        if "://" in str(p):  # a URI: remote logs, or one a cluster engine reads
            out.append(str(p))
            continue
        path = Path(p).expanduser().resolve()
        if not path.exists():
            raise EvidenceError(f"{what} not found: {p}; check the path")
        inside = path.is_relative_to(root)
        out.append(os.path.relpath(path, folder) if inside else str(path))
    return out


def create_incident(
    alert: Alert,
    root: Path,
    logs: Sequence[str | Path] = (),
    repos: Sequence[str | Path] = (),
    *,
    now: datetime | None = None,
    prometheus: str = "",
    log_format: str = "auto",
    log_tz: str = "UTC",
    engine: str = "duckdb",
    traces: Sequence[str | Path] = (),
    metrics: Sequence[str | Path] = (),
    template: Path | None = None,
) -> Path:
    """Create the incident folder for ``alert`` under ``root`` and return its path.

    ``template`` replaces the built-in investigation notebook; it must declare the same
    parameters.

    Raises:
        IncidentExistsError: an investigation for this alert already exists.
        EvidenceError: a log file, trace file or repository does not exist.
    """
    existing = find_incident(root, alert.key)
    if existing is not None:
        raise IncidentExistsError(existing)
    created = now or datetime.now(UTC)
    base = incidents_dir(root)
    target = _free_name(base, folder_name(alert))
    home = root.expanduser().resolve()
    folder = home / base.relative_to(root) / target.name
    log_paths = _locate(logs, "log file", home, folder)
    repo_paths = _locate(repos, "repository", home, folder)
    trace_paths = _locate(traces, "trace file", home, folder)
    metric_paths = _locate(metrics, "metrics file", home, folder)
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, base, kept=False) from exc
    record = IncidentRecord(
        id=target.name,
        title=alert.title,
        service=alert.service,
        created_at=created,
        alert=AlertRecord.from_alert(alert),
        timeline=[
            TimelineEvent(time=alert.started_at, event="Alert fired", source="alert"),
            TimelineEvent(time=created, event="Investigation started", source="system"),
        ],
        evidence=EvidenceSources(
            logs=log_paths,
            repos=repo_paths,
            prometheus=prometheus,
            traces=trace_paths,
            metrics=metric_paths,
        ),
    )
    params = NotebookParams(
        incident_dir=".",
        incident_id=record.id,
        title=alert.title,
        service=alert.service,
        alert_started_at=alert.started_at.isoformat(),
        logs=log_paths,
        repos=repo_paths,
        prometheus_url=prometheus,
        log_format=log_format,
        log_tz=log_tz,
        engine=engine,
        traces=trace_paths,
        metrics=metric_paths,
    )
    validate_parameters(params.as_papermill())  # a bad --log-tz fails here, not in the kernel
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=base))
    except OSError as exc:
        raise storage_error(exc, target, kept=False) from exc
    try:
        staging.chmod(0o755)  # mkdtemp creates 0700
        write_record(staging, record)
        from incident_nb.notebook.runner import create_notebook  # noqa: PLC0415 - heavy import

        create_notebook(
            template or investigation_template(),
            IncidentFolder(staging).notebook,
            params.as_papermill(),
        )
        staging.rename(target)  # atomic; fails if the target appeared meanwhile
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if is_write_failure(exc):  # name the incident's folder, not the staging one
            assert exc.errno is not None
            cause = OSError(exc.errno, os.strerror(exc.errno))
            raise storage_error(cause, target, kept=False) from exc
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def execute_incident(folder: Path, timeout: int = CELL_TIMEOUT_S) -> None:
    """Execute the folder's notebook in place and record the outcome in ``incident.json``.

    Raises:
        NotebookExecutionError: a cell failed; the notebook and the record say which.
    """
    notebook = IncidentFolder(folder).notebook
    try:
        from incident_nb.notebook.runner import execute_notebook  # noqa: PLC0415 - heavy import

        execute_notebook(notebook, timeout=timeout)
    except NotebookExecutionError as exc:
        failed = NotebookStatus(
            state="failed",
            executed_at=datetime.now(UTC),
            failed_cell=exc.cell_index,
            error=f"{exc.ename}: {exc.evalue}",
        )
        try:
            set_notebook_status(folder, failed)
        except RecordError:
            raise exc from None  # the record itself is what broke the notebook; leave it be
        raise
    set_notebook_status(folder, NotebookStatus(state="executed", executed_at=datetime.now(UTC)))


def set_notebook_status(folder: Path, status: NotebookStatus) -> None:
    """Record how the notebook's last run went, keeping every other field as it is on disk.

    The notebook may run for minutes while a person fills in the forms; the record is read
    and written under its lock, so none of their edits is lost.
    """
    with record_lock(folder):
        record = read_record(folder)
        record.notebook = status
        write_record(folder, record)
