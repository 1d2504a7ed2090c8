"""What to analyse, and what a person recorded that the severity rubric needs besides it.

:class:`AnalyzeRequest`: log files (or a snapshot), field overrides, a window, traces, an
engine; :class:`ImpactInputs`: data loss and a security breach, as recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class AnalyzeRequest:
    """What to analyse: log files (or a snapshot folder), field overrides and a time window."""

    logs: tuple[str | Path, ...] = ()
    mapping: tuple[tuple[str, str], ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    snapshot_from: Path | None = None
    snapshot_to: Path | None = None
    snapshot_fallback: bool = False
    """Read the snapshot in ``snapshot_to`` when a log can no longer be read (an investigation
    whose logs rotated away); otherwise the logs are parsed and the snapshot rewritten."""
    fmt: str = "auto"
    tz: str = "UTC"
    traces: tuple[Path, ...] = ()
    engine: str = "duckdb"
    """``duckdb``, ``spark``, ``spark://HOST:PORT`` or ``sc://HOST:PORT``."""
    year: int | None = None
    """The year of log timestamps written without one (syslog, glog); else each file's mtime."""

    @property
    def has_logs(self) -> bool:
        """Whether there are logs (or a snapshot of them) to analyse."""
        return bool(self.logs) or self.snapshot_from is not None


@dataclass(frozen=True)
class ImpactInputs:
    """What a person recorded that the severity rubric needs besides the evidence."""

    data_loss: bool = False
    security_breach: bool = False
