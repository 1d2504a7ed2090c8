"""Masking of the variable parts of log messages: the first step of grouping them into signatures.

One table of rules (:data:`MASKS`), applied in order, replaces what varies between two messages of
the same kind (UUIDs, URLs, timestamps, paths, host names, IP addresses, durations, hex and other
numbers) by the wildcard ``<*>``; wildcards joined by punctuation (``<*>.<*>:<*>``) then become one.
The rules are RE2 patterns run by Arrow over whole columns at once, so masking a million messages
costs about as much as reading them, and the same code masks one message or a column.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

WILDCARD = "<*>"

_MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
_DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*"
_GENERIC_TLD = "(?:com|net|org|edu|gov|mil|info|biz|local|internal|lan|localdomain)"
# What may precede a path or a host name: start, space, or an opening or separating character.
_LEAD = "^|[\\s=:\"'(\\[,<>]"
# What may follow a host name: end, space, or a closing or separating character.
_TAIL = "$|[\\s)\\]>,;:\"']"


@dataclass(frozen=True)
class Mask:
    """One masking rule: an RE2 pattern whose matches become the wildcard."""

    name: str
    pattern: str
    lead: bool = False
    """The match must follow the start, a space or an opening or separating character."""
    tail: bool = False
    """The match must precede the end, a space or a closing or separating character."""


MASKS: tuple[Mask, ...] = (
    Mask("email", r"[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"),
    Mask("uuid", r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"),
    Mask("url", r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>]+"),
    Mask(
        "timestamp",
        rf"\b{_DAY},?\s+(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH})\s+(?:\d{{4}}\s+)?"
        r"\d{1,2}:\d{2}(?::\d{2})?(?:\s+\d{4})?",
    ),
    Mask(
        "iso_timestamp",
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?",
    ),
    Mask("syslog_timestamp", rf"\b{_MONTH}\s+\d{{1,2}}\s+\d{{2}}:\d{{2}}:\d{{2}}"),
    # A path does not end with a colon: "open /etc/x.yaml: not found" keeps its colon.
    Mask("path", r"(?:~|\.{1,2})?/(?:[^\s\"'()\[\],;<>]*[^\s\"'()\[\],;<>:])?", lead=True),
    Mask("windows_path", r"[A-Za-z]:\\[^\s\"'()\[\],;<>]*", lead=True),
    Mask(
        "host",
        r"[A-Za-z0-9][A-Za-z0-9\-]*(?:\.[A-Za-z0-9\-]+)*\."
        + rf"(?:{_GENERIC_TLD}(?:\.[a-z]{{2}})?|[A-Za-z0-9\-]+\.[a-z]{{2}})",
        lead=True,
        tail=True,
    ),
    Mask("ipv6", r"\b(?:[0-9a-fA-F]{1,4}:){2,7}(?::|[0-9a-fA-F]{1,4})\b"),
    Mask("ipv4", r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d{1,5})?\b"),
    Mask(
        "duration",
        r"\b\d+(?:\.\d+)?\s?(?:ns|us|µs|ms|s|secs?|seconds?|mins?|minutes?|m|h|hrs?|hours?|d|days?)\b",
    ),
    Mask("hex_prefixed", r"\b0[xX][0-9a-fA-F]+\b"),
    # A name with a digit inside it (pod-7d9f8b-x2x9z, worker_12, attempt_01_m) is an instance.
    # A short word ending in one or two digits (en0, awdl0, IPV4, ssh2) is left to the
    # clustering: whether it is a kind or an instance shows in how its values spread.
    Mask(
        "alnum_id",
        r"\b(?:[A-Za-z_][\w\-]*[0-9][\w\-]*[A-Za-z_\-][\w\-]*"
        r"|[A-Za-z_][\w\-]*[_\-][\w\-]*[0-9][\w\-]*"
        r"|[A-Za-z_][\w\-]*[0-9]{3,}[\w\-]*"
        r"|[A-Za-z]{11,}[0-9]+)",
    ),
    # A word made of hex digits with at least one digit: ids, hashes, numbers (with their sign).
    Mask("hex_or_number", r"-?\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*\b"),
    Mask("digits", r"\b[0-9]+"),
    # A value marked off by hashes (#node7#, #<*>#) is one value, as in #host# placeholders.
    Mask("hash_wrapped", r"#[^\s#]+#"),
)
# Wildcards joined by punctuation (an address and its port, a dotted version) are one value;
# so is a list of them (``<*>, <*>, <*>``), whatever its length.
_JOINED = r"<\*>(?:(?:[.:,/\-_#@+]*|[,;] )<\*>)+"


def _with_context(rule: Mask) -> tuple[str, str]:
    """The pattern and replacement of a rule whose lead or tail characters are put back."""
    pattern = f"(?:{rule.pattern})"
    replacement = WILDCARD
    if rule.lead:
        pattern = f"({_LEAD}){pattern}"
        replacement = r"\1" + replacement
    if rule.tail:
        pattern = f"{pattern}({_TAIL})"
        replacement += r"\2" if rule.lead else r"\1"
    return pattern, replacement


def _passes(rules: tuple[Mask, ...]) -> tuple[tuple[str, str], ...]:
    """The regex passes that apply ``rules`` in order.

    Consecutive rules without context become one alternation (earlier rules win where two
    match at the same place): one pass over the text instead of several. Rules with context need
    capture groups, which slow an alternation down, so each gets a pass of its own.
    """
    passes: list[tuple[str, str]] = []
    plain: list[str] = []
    for rule in rules:
        if rule.lead or rule.tail:
            if plain:
                passes.append(("|".join(plain), WILDCARD))
                plain = []
            passes.append(_with_context(rule))
        else:
            plain.append(f"(?:{rule.pattern})")
    if plain:
        passes.append(("|".join(plain), WILDCARD))
    passes.append((_JOINED, WILDCARD))
    return tuple(passes)


_PASSES = _passes(MASKS)
# Below this many messages, masking in one thread is quicker than starting threads.
_PARALLEL_FROM = 20_000


def _mask_serial(messages: pa.Array) -> pa.Array:
    masked = messages
    for pattern, replacement in _PASSES:
        masked = pc.replace_substring_regex(masked, pattern, replacement)
    return masked


def mask_array(messages: pa.Array | pa.ChunkedArray, workers: int | None = None) -> pa.Array:
    """Mask a string column with all rules of :data:`MASKS` (nulls stay null).

    Args:
        messages: the strings to mask.
        workers: threads masking slices of a long column at once (Arrow releases the GIL);
            default: the number of CPUs, at most 4.
    """
    array = messages.combine_chunks() if isinstance(messages, pa.ChunkedArray) else messages
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    if workers < 2 or len(array) < _PARALLEL_FROM:
        return _mask_serial(array)
    step = -(-len(array) // workers)
    with ThreadPoolExecutor(workers) as pool:
        parts = list(
            pool.map(_mask_serial, [array.slice(i, step) for i in range(0, len(array), step)])
        )
    return pa.concat_arrays(parts)


def mask_messages(messages: Sequence[str]) -> list[str]:
    """Masked forms of ``messages``, in order."""
    if not messages:
        return []
    masked = mask_array(pa.array(messages, type=pa.large_string()))
    return [str(m) for m in masked.to_pylist()]


def mask_message(message: str) -> str:
    """The masked form of one message, e.g. ``"took 12ms on 10.0.0.1"`` -> ``"took <*> on <*>"``."""
    return mask_messages([message])[0]


def tokens(masked: str) -> tuple[str, ...]:
    """Split a masked message on whitespace; a run of one repeated masked token counts once.

    Lists of values (``blk_<*> blk_<*> blk_<*>``) so have the same shape whatever their length.
    """
    out: list[str] = []
    for token in masked.split():
        if out and token == out[-1] and WILDCARD in token:
            continue
        out.append(token)
    return tuple(out)
