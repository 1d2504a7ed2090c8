"""Error signatures: log messages grouped into templates, one real kind of message per group.

The pipeline works on distinct values first, so a log with millions of lines but few kinds costs
little: distinct raw messages are masked (:mod:`incident_nb.analysis.masking`), distinct masked
messages are tokenised and clustered, and the result is mapped back to every line.

Clustering (one configuration for every system, see :class:`GroupingConfig`):

1. Messages with the same number of tokens and the same first token form a bucket.
2. In a bucket, each masked message joins the most similar cluster (share of equal tokens at
   the same positions) when similar enough, else starts a cluster; frequent messages go first.
3. In a cluster, a position whose values differ is a variable when it ever holds a masked value,
   when its other values fit such a masked value (``()`` fits ``(<*>)``), or when it holds more
   than ``max_constant_values`` values; otherwise its values are different constants (``GET`` /
   ``POST``) and the cluster is split by them.
4. Clusters ending with the same template are merged.

Multi-line stack traces are grouped by exception type and frames instead
(:mod:`incident_nb.analysis.stacktraces`). A signature's id is a hash of its template, so it is
the same in every run over the same input. Tables of signatures (with first and last seen) are
built by :mod:`incident_nb.analysis.signature_tables`.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from incident_nb.analysis.masking import WILDCARD, mask_array, tokens
from incident_nb.analysis.stacktraces import trace_template


@dataclass(frozen=True)
class GroupingConfig:
    """The knobs of the clustering; the defaults are the one configuration used everywhere."""

    similarity: float = 0.5
    """Share of equal tokens a message needs to join a cluster."""
    max_constant_values: int = 3
    """A position with more distinct values than this is a variable, not a set of constants."""


DEFAULT_CONFIG = GroupingConfig()


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


def _wildcard_regex(value: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in value.split(WILDCARD)), re.DOTALL)


def _column_values(values: set[str], max_constants: int) -> dict[str, str] | None:
    """How to split on one position: value -> the constant it stands for; None for a variable."""
    if WILDCARD in values:
        return None
    patterns = sorted(v for v in values if WILDCARD in v)
    regexes = [(p, _wildcard_regex(p)) for p in patterns]
    collapsed: dict[str, str] = {}
    for value in values:
        fits = next((p for p, rx in regexes if rx.fullmatch(value)), value)
        collapsed[value] = fits
    if len(set(collapsed.values())) == 1 or len(set(collapsed.values())) > max_constants:
        return None
    return collapsed


def _split(members: list[int], seqs: list[tuple[str, ...]], max_constants: int) -> list[list[int]]:
    """Split one cluster by its positions that hold a few different constants."""
    if len(members) < 2:
        return [members]
    splitters: list[tuple[int, dict[str, str]]] = []
    for pos in range(len(seqs[members[0]])):
        values = {seqs[m][pos] for m in members}
        if len(values) > 1 and (mapping := _column_values(values, max_constants)) is not None:
            splitters.append((pos, mapping))
    if not splitters:
        return [members]
    parts: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for m in members:
        parts[tuple(mapping[seqs[m][pos]] for pos, mapping in splitters)].append(m)
    return list(parts.values())


def _cluster(
    seqs: list[tuple[str, ...]], weights: list[int], config: GroupingConfig
) -> list[list[int]]:
    """Cluster distinct token sequences; returns lists of indices into ``seqs``."""
    buckets: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, seq in enumerate(seqs):
        first = seq[0] if seq and WILDCARD not in seq[0] else WILDCARD
        buckets[(len(seq), first)].append(i)
    clusters: list[list[int]] = []
    for key in sorted(buckets):
        order = sorted(buckets[key], key=lambda i: (-weights[i], seqs[i]))
        for group in _bucket_clusters(order, seqs, config.similarity):
            clusters.extend(_split(group, seqs, config.max_constant_values))
    return clusters


def _bucket_clusters(
    order: list[int], seqs: list[tuple[str, ...]], similarity: float
) -> list[list[int]]:
    """Greedy clustering of one bucket (same length, same first token), in the given order.

    A message joins the cluster whose template has the most equal tokens at the same positions
    (the earliest cluster on a tie) when that share reaches ``similarity``. An index from
    (position, token) to clusters finds the candidates without comparing with every cluster.
    """
    templates: list[list[str]] = []
    members: list[list[int]] = []
    index: dict[tuple[int, str], set[int]] = defaultdict(set)
    for i in order:
        seq = seqs[i]
        length = len(seq)
        same: dict[int, int]
        if length <= 2:  # one equal token may be enough: compare with every cluster
            same = {
                c: sum(a == b for a, b in zip(t, seq, strict=True)) for c, t in enumerate(templates)
            }
        else:  # a cluster sharing nothing after the first token cannot reach the threshold
            hits: Counter[int] = Counter()
            for pos in range(1, length):
                hits.update(index.get((pos, seq[pos]), ()))
            same = {c: n + (templates[c][0] == seq[0]) for c, n in hits.items()}
        best = min(same, key=lambda c: (-same[c], c), default=-1)
        if best >= 0 and (length == 0 or same[best] / length >= similarity):
            template = templates[best]
            for pos, token in enumerate(seq):
                if template[pos] != token:
                    index[(pos, template[pos])].discard(best)
                    template[pos] = WILDCARD
                    index[(pos, WILDCARD)].add(best)
            members[best].append(i)
        else:
            for pos, token in enumerate(seq):
                index[(pos, token)].add(len(templates))
            templates.append(list(seq))
            members.append([i])
    return members


def _template(group: list[int], seqs: list[tuple[str, ...]]) -> str:
    first = seqs[group[0]]
    return " ".join(
        token if all(seqs[m][pos] == token for m in group) else WILDCARD
        for pos, token in enumerate(first)
    )


def _masked_templates(masked: list[str], weights: list[int], config: GroupingConfig) -> list[str]:
    """Template of each distinct masked message."""
    seqs = [tokens(m) for m in masked]
    out = [""] * len(masked)
    for group in _cluster(seqs, weights, config):
        template = _template(group, seqs)
        for m in group:
            out[m] = template
    return out


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
    # Multi-line stack traces are keyed by exception type and frames, apart from plain messages.
    multiline = pc.match_substring(raw, "\n").to_numpy(zero_copy_only=False)
    trace_codes: dict[str, int] = {}
    for i in np.flatnonzero(multiline):
        if (trace := trace_template(str(raw[int(i)].as_py()))) is not None:
            if trace not in trace_codes:
                trace_codes[trace] = len(kinds)
                kinds.append(trace)
            code_of_raw[i] = trace_codes[trace]
    weights = np.bincount(
        code_of_raw, weights=np.bincount(raw_codes, minlength=len(raw)), minlength=len(kinds)
    ).astype(np.int64)
    plain = [j for j in range(plain_count) if weights[j] > 0]
    templates = list(kinds)
    clustered = _masked_templates(
        [kinds[j] for j in plain], [int(weights[j]) for j in plain], config
    )
    for j, template in zip(plain, clustered, strict=True):
        templates[j] = template
    template_codes, template_uniques = pd.factorize(pd.Series(templates, dtype=object))
    line_templates = template_codes[code_of_raw[raw_codes]]
    return _grouping(series, line_templates, [str(t) for t in template_uniques])


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
