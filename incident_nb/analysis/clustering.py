"""Clustering of masked messages into templates: the statistics that tell constants from variables.

Input: distinct masked messages (:mod:`incident_nb.analysis.masking`) and how many lines have each.
Output: the template of each. One configuration (:class:`GroupingConfig`) serves every system.

1. Messages with the same number of tokens and the same first token form a bucket (a first token
   holding a digit or a wildcard counts as a wildcard, so ``IPV4 ...`` meets ``IPV6 ...``).
2. In a bucket, each message joins the most similar cluster (share of equal tokens at the same
   positions) when similar enough, else starts a cluster; frequent messages go first.
3. In a cluster, each position whose values differ is a variable or a set of constants, decided
   from its statistics (:func:`constant_values`): a masked value makes it a variable; so do
   values that look like values (quoted), many distinct values for the lines they cover, or a
   value seen on one line only beside repeated ones; otherwise the values are constants (``GET``
   / ``POST``, ``awdl0`` / ``en0``) and the cluster is split by them.
4. Clusters whose templates differ only in their variable parts merge, whatever their length:
   an optional ``(<*> KB)``, a value spanning one token here and three there, a list of values
   of any length. Their *skeleton*, the constant tokens outside variable parts, is the same.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from incident_nb.analysis.masking import WILDCARD, tokens


@dataclass(frozen=True)
class GroupingConfig:
    """The knobs of the clustering; the defaults are the one configuration used everywhere."""

    similarity: float = 0.5
    """Share of equal tokens a message needs to join a cluster."""
    spread: float = 2.0
    """A position is a variable when its distinct values exceed ``sqrt(lines) + spread``."""
    context: int = 3
    """Constant tokens a cluster needs besides a position for a one-line value there to make
    the position a variable (in short messages one different word is a different message)."""


DEFAULT_CONFIG = GroupingConfig()

_OPEN = {"(": ")", "[": "]", "{": "}"}
# A token made of a wildcard and punctuation only: a value, whatever surrounds it.
_SOFT_TOKEN = re.compile(r"[^\w]*<\*>(?:[^\w]*<\*>)*[^\w]*")
# A lower-case name (root, news, mysql): a value when its set is open; states are in capitals.
_NAME = re.compile(r"[a-z][a-z0-9_.\-]*")
_QUOTED = re.compile(r"""[(\[]?(?:'[^']*'|"[^"]*"|`[^`]*`)[)\],.;:]*""")


def _wildcard_regex(value: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in value.split(WILDCARD)), re.DOTALL)


def constant_values(
    counts: Counter[str], context: int, config: GroupingConfig = DEFAULT_CONFIG
) -> tuple[str, dict[str, str]]:
    """Whether one position of a cluster holds constants, and which constant each value is.

    Args:
        counts: the distinct values at the position, with how many lines hold each.
        context: how many other positions of the cluster are constant.
        config: the thresholds.

    Returns:
        The verdict, ``"constants"``, ``"variable"``, or ``"open"`` (a variable because its
        names form an open set: a name seen once or twice beside repeated ones), and the map
        from each value to the constant it stands for (``()`` stands for ``(<*>)``).
    """
    if WILDCARD in counts:
        return "variable", {}
    patterns = sorted(v for v in counts if WILDCARD in v)
    regexes = [(p, _wildcard_regex(p)) for p in patterns]
    collapsed: dict[str, str] = {
        value: next((p for p, rx in regexes if rx.fullmatch(value)), value) for value in counts
    }
    merged: Counter[str] = Counter()
    for value, count in counts.items():
        merged[collapsed[value]] += count
    distinct, lines = len(merged), sum(merged.values())
    if distinct == 1:
        return "variable", collapsed
    if all(_QUOTED.fullmatch(value) for value in merged):
        return "variable", collapsed  # 'card' / 'address': quoted values are data
    if distinct > math.sqrt(lines) + config.spread:
        return "variable", collapsed  # more values than the lines could hold as kinds
    if lines >= 3 and context >= config.context and _names(list(merged)):
        rare = sorted(merged.values())[:2]
        if rare[0] == 1 or rare[-1] <= 2:
            return "open", collapsed
    return "constants", collapsed


def _common_prefix(values: Sequence[str]) -> str:
    shortest, longest = min(values), max(values)
    for i, ch in enumerate(shortest):
        if longest[i] != ch:
            return shortest[:i]
    return shortest


def _names(values: list[str]) -> bool:
    """Whether all values are lower-case names, after a key they share (``user=root``)."""
    common = _common_prefix(values)
    cut = max(common.rfind("="), common.rfind(":")) + 1
    return all(_NAME.fullmatch(value[cut:]) for value in values)


def split_cluster(
    members: list[int],
    seqs: Sequence[tuple[str, ...]],
    weights: Sequence[int],
    config: GroupingConfig = DEFAULT_CONFIG,
) -> list[list[int]]:
    """Split one cluster by its positions that hold a few constants.

    Names of an open set (:func:`constant_values`) at two positions that change together are
    not variables but the words of two different messages (``Bye Bye`` / ``by user``).
    """
    if len(members) < 2:
        return [members]
    columns: list[Counter[str]] = []
    for pos in range(len(seqs[members[0]])):
        column: Counter[str] = Counter()
        for m in members:
            column[seqs[m][pos]] += weights[m]
        columns.append(column)
    fixed = sum(
        1
        for column in columns
        if len(column) == 1 and not _SOFT_TOKEN.fullmatch(next(iter(column)))
    )
    splitters: list[tuple[int, dict[str, str]]] = []
    open_sets: dict[frozenset[frozenset[int]], list[tuple[int, dict[str, str]]]] = {}
    for pos, column in enumerate(columns):
        if len(column) < 2:
            continue
        verdict, mapping = constant_values(column, fixed, config)
        if verdict == "constants":
            splitters.append((pos, mapping))
        elif verdict == "open":
            parts: dict[str, set[int]] = defaultdict(set)
            for m in members:
                parts[mapping[seqs[m][pos]]].add(m)
            key = frozenset(frozenset(part) for part in parts.values())
            open_sets.setdefault(key, []).append((pos, mapping))
    for positions in open_sets.values():
        if len(positions) > 1:
            splitters.extend(positions)
    if not splitters:
        return [members]
    groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for m in members:
        groups[tuple(mapping[seqs[m][pos]] for pos, mapping in splitters)].append(m)
    return list(groups.values())


def _bucket_key(seq: tuple[str, ...]) -> tuple[int, str]:
    first = seq[0] if seq else ""
    if WILDCARD in first or any(ch.isdigit() for ch in first) or _QUOTED.fullmatch(first):
        first = WILDCARD
    return len(seq), first


def _bucket_clusters(
    order: list[int], seqs: Sequence[tuple[str, ...]], similarity: float
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


def _template(group: list[int], seqs: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    first = seqs[group[0]]
    out: list[str] = []
    for pos, token in enumerate(first):
        values = {seqs[m][pos] for m in group}
        out.append(token if len(values) == 1 else _variable_token(sorted(values)))
    return tuple(out)


def _variable_token(values: list[str]) -> str:
    """The template token of a variable position: a wildcard and what all values share.

    What they share around it, up to punctuation, stays: ``user=root`` / ``user=ftp`` give
    ``user=<*>``, ``()`` / ``(<*>)`` give ``(<*>)``.
    """
    head = _common_prefix(values)
    head = head[: max((i + 1 for i, ch in enumerate(head) if not ch.isalnum()), default=0)]
    tails = [value[len(head) :][::-1] for value in values]
    tail = _common_prefix(tails)
    tail = tail[: max((i + 1 for i, ch in enumerate(tail) if not ch.isalnum()), default=0)][::-1]
    if WILDCARD in head or WILDCARD in tail or "<" in head[-1:] or ">" in tail[:1]:
        return WILDCARD
    return f"{head}{WILDCARD}{tail}"


def skeleton(template: Sequence[str]) -> tuple[str, ...]:
    """The constant tokens of a template outside its variable parts.

    Variable parts: tokens made of wildcards and punctuation (``<*>``, ``'<*>',``), and bracketed
    groups holding a wildcard or nothing (``(<*> KB)``, ``()``). ``user=<*>`` stays: its
    ``user=`` is constant.
    """
    out: list[str] = []
    i = 0
    while i < len(template):
        token = template[i]
        if token[:1] in _OPEN:
            end = _group_end(template, i)
            group = " ".join(template[i : end + 1])
            inner = group[1:].rstrip(".,;:").rstrip(_OPEN[token[0]])
            if end >= 0 and (WILDCARD in group or not inner.strip()):
                i = end + 1
                continue
        if not _SOFT_TOKEN.fullmatch(token):
            out.append(token)
        i += 1
    return tuple(out)


def _gaps(template: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """The skeleton of a template and the variable text in each gap around its tokens."""
    hard = skeleton(template)
    gaps = [""] * (len(hard) + 1)
    at = 0
    for token in template:
        if at < len(hard) and token == hard[at]:
            at += 1
        else:
            gaps[at] = f"{gaps[at]} {token}".strip()
    return hard, gaps


def _merged_template(templates: list[tuple[str, ...]]) -> str:
    """One template for templates of one skeleton: a gap whose variable text differs is ``<*>``.

    ``<*> bytes sent`` and ``<*> bytes (<*> KB) sent`` give ``<*> bytes <*> sent``.
    """
    if len(set(templates)) == 1:
        return " ".join(templates[0])
    hard, gaps = _gaps(templates[0])
    for template in templates[1:]:
        for i, gap in enumerate(_gaps(template)[1]):
            if gap != gaps[i]:
                gaps[i] = WILDCARD
    words = [gaps[0]]
    for token, gap in zip(hard, gaps[1:], strict=True):
        words += [token, gap]
    return " ".join(word for word in words if word)


def _group_end(template: Sequence[str], start: int) -> int:
    """Index of the token closing the bracket opened by ``template[start]``, or -1."""
    opening = template[start][0]
    closing = _OPEN[opening]
    depth = 0
    for j in range(start, min(len(template), start + 12)):
        depth += template[j].count(opening) - template[j].count(closing)
        if depth <= 0:
            return j
    return -1


def cluster_templates(
    masked: Sequence[str], weights: Sequence[int], config: GroupingConfig = DEFAULT_CONFIG
) -> list[str]:
    """The template of each distinct masked message.

    Args:
        masked: distinct masked messages.
        weights: how many lines have each (frequent messages lead their clusters).
        config: the thresholds.
    """
    seqs = [tokens(m) for m in masked]
    buckets: dict[tuple[int, str], list[int]] = defaultdict(list)
    for i, seq in enumerate(seqs):
        buckets[_bucket_key(seq)].append(i)
    clusters: list[list[int]] = []
    for bucket in sorted(buckets):
        order = sorted(buckets[bucket], key=lambda i: (-weights[i], seqs[i]))
        for group in _bucket_clusters(order, seqs, config.similarity):
            clusters.extend(split_cluster(group, seqs, weights, config))
    # Clusters with the same skeleton are one kind whose variable parts vary in length.
    by_skeleton: dict[tuple[str, ...], list[tuple[int, tuple[str, ...], list[int]]]]
    by_skeleton = defaultdict(list)
    for group in clusters:
        template = _template(group, seqs)
        weight = sum(weights[m] for m in group)
        # A template that is all variable merges only with the same template.
        by_skeleton[skeleton(template) or ("", *template)].append((weight, template, group))
    out = [""] * len(masked)
    for parts in by_skeleton.values():
        parts.sort(key=lambda p: (-p[0], p[1]))
        name = _merged_template([template for _, template, _ in parts])
        for _, _, group in parts:
            for m in group:
                out[m] = name
    return out


__all__ = [
    "DEFAULT_CONFIG",
    "GroupingConfig",
    "cluster_templates",
    "constant_values",
    "skeleton",
    "split_cluster",
]
