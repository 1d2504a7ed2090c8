"""``incident-nb analyze``: the logs' and the traces' analysis of one request, as one document.

:func:`analyze` runs the log pipeline (:mod:`.logs`) and the trace analysis (:mod:`.traces`)
that the request asks for; :meth:`Analysis.to_json` is the ``--json`` document: the log
summary with a ``traces`` key, or, without logs, the ``traces`` part and the window its spans
cover.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from incident_nb.core.summary import AnalysisSummary
from incident_nb.evidence.logs import analyze_logs, summarize
from incident_nb.evidence.request import AnalyzeRequest
from incident_nb.evidence.traces import trace_document


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


def analyze(request: AnalyzeRequest, progress: Callable[[str], None] = lambda _: None) -> Analysis:
    """Analyse the request's logs and traces.

    Raises:
        EvidenceError: the logs or traces cannot be used.
    """
    evidence = analyze_logs(request, progress) if request.has_logs else None
    traces = None
    if request.traces:
        progress(f"reading {len(request.traces)} trace file(s)")
        traces = trace_document(request.traces, request.start, request.end)
    return Analysis(summarize(evidence, traces) if evidence else None, traces)
