"""Error signatures: log messages grouped into templates, one real kind of message per group.

The pipeline works on distinct values first, so a log with millions of lines but few kinds costs
little: distinct raw messages are masked (:mod:`incident_nb.analysis.masking`), distinct masked
messages are tokenised and clustered, and the result is mapped back to every line.

Clustering is in :mod:`incident_nb.analysis.clustering` (one configuration for every system,
see :class:`GroupingConfig`): constants and variables are told apart by their statistics, and
templates differing only in variable parts of any length merge.

Multi-line records with a stack trace (:mod:`incident_nb.analysis.stacktraces`) are grouped by
exception type(s), message template (their messages clustered among the records with the same
types and frames) and top application frames. A signature's id is a hash of its template, so it is
the same in every run over the same input. Tables of signatures (with first and last seen) are
built by :mod:`incident_nb.analysis.signature_tables`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from incident_nb.analysis.clustering import DEFAULT_CONFIG, GroupingConfig, cluster_templates
from incident_nb.analysis.masking import mask_array, mask_messages
from incident_nb.analysis.stacktraces import Trace, mask_quoted, parse_trace, render


@dataclass(frozen=True)
class Signature:
    """One kind of message: its template, how many lines have it, and the first of them."""

    id: str
    template: str
    count: int
    example: str
    first_line: int
    """0-based index of the first message with this signature."""


@dataclass(frozen=True)
class Grouping:
    """Signatures of a sequence of messages, most frequent first, and each message's signature."""

    signatures: tuple[Signature, ...]
    labels: npt.NDArray[np.int64]
    """For message i, the index in ``signatures`` of its signature."""

    def templates(self) -> list[str]:
        """The template of each message, in input order."""
        names = [s.template for s in self.signatures]
        return [names[i] for i in self.labels]


def signature_id(template: str) -> str:
    """Stable id of a template: the first 12 hex digits of its SHA-1."""
    return hashlib.sha1(template.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


def group_messages(
    messages: Sequence[str] | pd.Series, config: GroupingConfig = DEFAULT_CONFIG
) -> Grouping:
    """Group messages into signatures.

    Args:
        messages: one message per log line (multi-line stack traces as one message each).
        config: clustering knobs; the default is meant for every system.

    Returns:
        The signatures, most frequent first (ties by template), and each message's signature.
    """
    series = pd.Series(messages, dtype=object).fillna("").astype(str)
    if series.empty:
        return Grouping((), np.zeros(0, dtype=np.int64))
    # Distinct raw messages, then their masked forms, deduplicated again: all in Arrow.
    encoded = pc.dictionary_encode(pa.array(series.to_numpy(), type=pa.large_string()))
    raw_codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    raw = encoded.dictionary
    masked = pc.dictionary_encode(mask_array(raw))
    code_of_raw = masked.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    kinds = [str(m) for m in masked.dictionary.to_pylist()]
    plain_count = len(kinds)
    # Multi-line records with a stack trace: exception, message template and top frames.
    multiline = pc.match_substring(raw, "\n").to_numpy(zero_copy_only=False)
    traces = [
        (int(i), trace)
        for i in np.flatnonzero(multiline)
        if (trace := parse_trace(str(raw[int(i)].as_py()))) is not None
    ]
    if traces:
        raw_weights = np.bincount(raw_codes, minlength=len(raw))
        for i, template in zip(
            (i for i, _ in traces), _trace_templates(traces, raw_weights, config), strict=True
        ):
            code_of_raw[i] = len(kinds)
            kinds.append(template)
    weights = np.bincount(
        code_of_raw, weights=np.bincount(raw_codes, minlength=len(raw)), minlength=len(kinds)
    ).astype(np.int64)
    plain = [j for j in range(plain_count) if weights[j] > 0]
    templates = list(kinds)
    clustered = cluster_templates(
        [kinds[j] for j in plain], [int(weights[j]) for j in plain], config
    )
    for j, template in zip(plain, clustered, strict=True):
        templates[j] = template
    template_codes, template_uniques = pd.factorize(pd.Series(templates, dtype=object))
    line_templates = template_codes[code_of_raw[raw_codes]]
    return _grouping(series, line_templates, [str(t) for t in template_uniques])


def _trace_templates(
    traces: list[tuple[int, Trace]], raw_weights: npt.NDArray[np.int64], config: GroupingConfig
) -> list[str]:
    """The signature template of each trace.

    A trace's message is clustered among the messages of the traces with the same exception
    types and top frames, so its values become wildcards.
    """
    masked = [mask_quoted(m) for m in mask_messages([trace.message for _, trace in traces])]
    partitions: dict[tuple[str, tuple[str, ...]], dict[str, int]] = defaultdict(dict)
    for (i, trace), message in zip(traces, masked, strict=True):
        part = partitions[(trace.head(), trace.frames)]
        part[message] = part.get(message, 0) + int(raw_weights[i])
    names: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}
    for key, part in partitions.items():
        messages = list(part)
        templates = cluster_templates(messages, [part[m] for m in messages], config)
        names[key] = dict(zip(messages, templates, strict=True))
    return [
        render(trace.head(), names[(trace.head(), trace.frames)][message], trace.frames)
        for (_, trace), message in zip(traces, masked, strict=True)
    ]


def _grouping(
    series: pd.Series, line_templates: npt.NDArray[np.intp], templates: list[str]
) -> Grouping:
    counts = np.bincount(line_templates, minlength=len(templates))
    first = np.full(len(templates), len(series), dtype=np.int64)
    np.minimum.at(first, line_templates, np.arange(len(series), dtype=np.int64))
    # Templates left without lines (masked forms of traces only) are not signatures.
    used = [t for t in range(len(templates)) if counts[t] > 0]
    order = sorted(used, key=lambda t: (-counts[t], templates[t]))
    rank = np.full(len(templates), -1, dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    signatures = tuple(
        Signature(
            id=signature_id(templates[t]),
            template=templates[t],
            count=int(counts[t]),
            example=str(series.iloc[int(first[t])]),
            first_line=int(first[t]),
        )
        for t in order
    )
    return Grouping(signatures, rank[line_templates])


__all__ = [
    "DEFAULT_CONFIG",
    "Grouping",
    "GroupingConfig",
    "Signature",
    "group_messages",
    "signature_id",
]
