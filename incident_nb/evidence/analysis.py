"""``incident-nb analyze``: the logs' and the traces' analysis of one request, as one document.

:func:`analyze_logs` opens the request's logs (:mod:`.engine`) and runs the log pipeline
(:mod:`.logs`) on them; :func:`analyze` adds the trace analysis (:mod:`.traces`) that the
request asks for; :meth:`Analysis.to_json` is the ``--json`` document: the log summary with a
``traces`` key, or, without logs, the ``traces`` part and the window its spans cover.

This module loads neither pandas nor the analysis at import: the log pipeline is imported while
DuckDB parses the logs (:func:`_pipeline`, the engine's ``warm_up``), so the command line's
start-up is hidden behind the parse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from incident_nb.evidence.engine import Progress, open_store
from incident_nb.evidence.request import AnalyzeRequest, ImpactInputs

if TYPE_CHECKING:
    from incident_nb.core.summary import AnalysisSummary
    from incident_nb.evidence.logs import LogEvidence
    from incident_nb.sources.logs import LogStore


class _Pipeline(Protocol):
    """:func:`~incident_nb.evidence.logs.analyze_store`'s signature."""

    def __call__(
        self, store: LogStore, impact: ImpactInputs = ..., *, detail: bool = ..., note: str = ...
    ) -> LogEvidence: ...


@dataclass(frozen=True)
class Analysis:
    """What ``analyze`` found: the log summary, the traces' part, or both."""

    logs: AnalysisSummary | None
    traces: Mapping[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        """The ``analyze --json`` document."""
        if self.logs is not None:
            return self.logs.to_json()
        traces = dict(self.traces or {})
        return {"window": traces.get("window", {"start": None, "end": None}), "traces": traces}


def _pipeline() -> _Pipeline:
    """The log pipeline: importing it loads pandas, SciPy and the analysis."""
    from incident_nb.evidence.logs import analyze_store  # noqa: PLC0415

    return analyze_store


def analyze_logs(
    request: AnalyzeRequest,
    progress: Progress = lambda _: None,
    impact: ImpactInputs = ImpactInputs(),
    *,
    detail: bool = False,
) -> LogEvidence:
    """Open the request's logs (see :func:`~incident_nb.evidence.engine.open_store`), analyse them.

    Raises:
        EvidenceError: the logs cannot be used (the message says how to fix it).
    """
    store, note = open_store(request, progress, _pipeline)
    try:
        progress("analysing")
        return _pipeline()(store, impact, detail=detail, note=note)
    finally:
        store.close()


def analyze(request: AnalyzeRequest, progress: Progress = lambda _: None) -> Analysis:
    """Analyse the request's logs and traces.

    Raises:
        EvidenceError: the logs or traces cannot be used.
    """
    evidence = analyze_logs(request, progress) if request.has_logs else None
    from incident_nb.evidence.logs import summarize  # noqa: PLC0415 - see the module's docstring
    from incident_nb.evidence.traces import trace_document  # noqa: PLC0415

    traces = None
    if request.traces:
        progress(f"reading {len(request.traces)} trace file(s)")
        traces = trace_document(request.traces, request.start, request.end)
    return Analysis(summarize(evidence, traces) if evidence else None, traces)
