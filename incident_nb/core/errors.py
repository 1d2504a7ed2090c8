"""The exceptions incident-nb raises, one tree so callers can catch at the depth they need.

Every message names the problem and what to do about it.

    IncidentNbError
     ├── AlertError              an alert payload or alert flags are invalid
     │    └── AlertIgnoredError   a valid payload that carries no alert news
     ├── RecordError             incident.json is missing, malformed or fails the schema
     ├── IncidentExistsError     an investigation for this alert already exists
     ├── EvidenceError           logs, traces or repositories cannot be used as evidence
     ├── ParameterError          notebook parameters are unknown or ill-typed
     ├── NotebookExecutionError  a notebook cell failed or timed out (the notebook is saved)
     ├── ExportError             the post-mortem cannot be exported
     ├── DeliveryError           a status update could not be delivered (the draft is kept)
     ├── ServeError              the alert receiver cannot start or reach its queue
     └── StorageError            a file could not be written (disk full, read-only, permission);
                                 also an OSError, and the file's previous version is kept
"""

from __future__ import annotations

from pathlib import Path


class IncidentNbError(Exception):
    """Base class of every error incident-nb raises on purpose."""


class AlertError(IncidentNbError):
    """An alert payload or the alert given on the command line is invalid."""


class AlertIgnoredError(AlertError):
    """A valid webhook that carries no alert news (e.g. a PagerDuty priority change)."""


class RecordError(IncidentNbError):
    """The incident record on disk is missing, malformed or fails its schema."""


class IncidentExistsError(IncidentNbError):
    """An investigation for the same alert already exists; it is never overwritten."""

    def __init__(self, existing: Path) -> None:
        super().__init__(
            f"an investigation for this alert already exists at {existing}; "
            "open it there, or pass --root to start a separate one elsewhere"
        )
        self.existing = existing


class EvidenceError(IncidentNbError):
    """Logs, traces or repositories given as evidence cannot be used."""


class ParameterError(IncidentNbError):
    """Notebook parameters are unknown, missing or of the wrong type."""


class NotebookExecutionError(IncidentNbError):
    """A notebook cell failed or timed out; the notebook was saved showing the failure."""

    def __init__(
        self,
        notebook: Path,
        cell_index: int,
        execution_count: int | None,
        ename: str,
        evalue: str,
    ) -> None:
        prompt = f" (In [{execution_count}])" if execution_count is not None else ""
        super().__init__(
            f"cell {cell_index}{prompt} failed with {ename}: {evalue}; "
            f"the notebook was saved with the error shown: {notebook}"
        )
        self.notebook = notebook
        self.cell_index = cell_index
        self.execution_count = execution_count
        self.ename = ename
        self.evalue = evalue


class ExportError(IncidentNbError):
    """The post-mortem cannot be exported from this incident folder."""


class DeliveryError(IncidentNbError):
    """A status update could not be delivered; the drafted text is kept in the incident folder."""


class ServeError(IncidentNbError):
    """The alert receiver cannot start: a missing extra, token, or an unusable root."""


class StorageError(IncidentNbError, OSError):
    """A file could not be written: the disk is full, read-only, or not ours to write.

    It is also an :class:`OSError` (with the cause's ``errno``), so callers that handle any
    failed write keep working; the message names the file, the cause and what to do.
    """

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno
