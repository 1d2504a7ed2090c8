"""Trace files read into one normalised spans frame.

:mod:`.reader` reads the files, tells their shapes and builds the frame; :mod:`.spans` reads the
spans of OTLP/JSON and Jaeger documents.
"""

from incident_nb.sources.traces.reader import (
    ACCEPTED_SHAPES,
    SPAN_COLUMNS,
    TraceReport,
    read_traces,
    spans_frame,
)
from incident_nb.sources.traces.spans import BadSpan

__all__ = [
    "ACCEPTED_SHAPES",
    "SPAN_COLUMNS",
    "BadSpan",
    "TraceReport",
    "read_traces",
    "spans_frame",
]
