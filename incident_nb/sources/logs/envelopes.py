"""Container envelopes around log lines, as data: Docker, CRI, compose and kubectl prefixes.

Docker's json-file, Kubernetes CRI, and the prefixes of ``docker compose logs`` and
``kubectl logs --prefix``. An envelope wraps each line of an application's own log (JSON,
logfmt or any text layout) with a time, a stream or the service it came from. Unwrapping gives
the inner lines, one per record piece: a Docker line without its final newline and a CRI ``P``
(partial) line are joined with the next one of the same stream. The envelope's columns
(``docker.time``, ``compose.service``...) stay beside the inner record's own: the time when the
record has none, the service it names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from incident_nb.sources.logs.lines import lines_sql, literal, quote

_DOCKER_KEYS = frozenset({"log", "stream", "time", "attrs"})
_DOCKER_STRUCT = '{"log": "VARCHAR", "stream": "VARCHAR", "time": "VARCHAR"}'


@dataclass(frozen=True)
class Envelope:
    """One kind of envelope: how its lines look and what it adds to the inner line."""

    name: str
    summary: str
    pattern: str
    """Regular expression of a whole line (Python and RE2); ``line`` is the inner line."""
    columns: tuple[tuple[str, str], ...]
    """Envelope column -> SQL over ``g`` (the groups, or the Docker JSON fields)."""
    time: str = ""
    """The envelope column holding a time, when it has one."""
    partial: str = ""
    """SQL over ``g``: this line's text continues on the next line of its stream."""
    stream: tuple[str, ...] = ()
    """Envelope columns that separate interleaved streams (for joining and continuations)."""
    fields: dict[str, str] = field(default_factory=dict)
    """Canonical field -> envelope column (the service a prefix names)."""
    json: bool = False
    key: str = ""
    """The envelope column naming the program a line comes from, when lines of several
    programs (each logging its own way) are interleaved: each is read in its own format."""

    def key_of(self, line: str) -> str | None:
        """The ``key`` of ``line`` as its SQL column computes it, or None."""
        if not self.key:
            return None
        found = self.regex().match(line)
        if found is None:
            return None
        groups = found.groupdict()
        value = groups.get("service") or groups.get("container") or ""
        return re.sub(r"[-_][0-9]+$", "", value) if "service" in groups else value

    def regex(self) -> re.Pattern[str]:
        """The anchored pattern."""
        return re.compile(f"^(?:{self.pattern})$")

    def unwrap(self, line: str) -> tuple[str, bool] | None:
        """The inner text of ``line`` and whether it continues, or None if not this envelope."""
        if self.json:
            try:
                doc = json.loads(line)
            except ValueError:
                return None
            # Docker's json-file writes these keys and no others: a record of an application
            # that names its message "log" is no envelope.
            if not isinstance(doc, dict) or not isinstance(doc.get("log"), str):
                return None
            if not set(doc) <= _DOCKER_KEYS or ("stream" not in doc and "time" not in doc):
                return None
            text: str = doc["log"]
            return text.rstrip("\r\n"), not text.endswith("\n")
        found = self.regex().match(line)
        if found is None:
            return None
        groups = found.groupdict()
        return groups.get("line") or "", groups.get("flag") == "P"


ENVELOPES: tuple[Envelope, ...] = (
    Envelope(
        "docker",
        'Docker json-file log: {"log": "<line>\\n", "stream": ..., "time": ...}',
        r"\{.*\"log\".*\}",
        (("docker.time", "g.time"), ("docker.stream", "g.stream")),
        time="docker.time",
        partial="NOT ends_with(g.log, chr(10))",
        stream=("docker.stream",),
        json=True,
    ),
    Envelope(
        "cri",
        "Kubernetes CRI log: <RFC 3339 time> stdout|stderr F|P <line>",
        r"(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) "
        r"(?P<stream>stdout|stderr) (?P<flag>[FP])(?: (?P<line>.*))?",
        (("cri.time", "g.time"), ("cri.stream", "g.stream")),
        time="cri.time",
        partial="g.flag = 'P'",
        stream=("cri.stream",),
    ),
    Envelope(
        "compose",
        "docker compose logs: <service>  | <line>",
        r"(?P<service>[A-Za-z][\w.-]*)\s+\|(?: (?P<line>.*))?",
        (("compose.service", "regexp_replace(g.service, '[-_][0-9]+$', '')"),),
        stream=("compose.service",),
        fields={"service": "compose.service"},
        key="compose.service",
    ),
    Envelope(
        "kubectl",
        "kubectl logs --prefix: [pod/<pod>/<container>] <line>",
        r"\[pod/(?P<pod>[^/\]\s]+)/(?P<container>[^\]\s]+)\] (?P<line>.*)",
        (("kubectl.pod", "g.pod"), ("kubectl.container", "g.container")),
        stream=("kubectl.pod", "kubectl.container"),
        fields={"service": "kubectl.container"},
        key="kubectl.container",
    ),
)
FIT_SHARE = 0.8
"""The share of a file's first lines an envelope must wrap to be taken for that envelope."""


def get_envelope(name: str) -> Envelope:
    """The envelope called ``name``."""
    for envelope in ENVELOPES:
        if envelope.name == name:
            return envelope
    raise KeyError(name)


def detect_envelope(lines: Sequence[str]) -> Envelope | None:
    """The envelope around ``lines`` (a file's first lines), or None."""
    if not lines:
        return None
    for envelope in ENVELOPES:
        wrapped = sum(envelope.unwrap(line) is not None for line in lines)
        if wrapped >= max(1, FIT_SHARE * len(lines)):
            return envelope
    return None


def unwrap_lines(envelope: Envelope, lines: Sequence[str]) -> list[str]:
    """The inner lines of ``lines``, continued pieces joined (for sniffing the inner format)."""
    inner: list[str] = []
    pending = ""
    for line in lines:
        found = envelope.unwrap(line)
        if found is None:
            continue
        text, continues = found
        pending += text
        if not continues:
            if pending.strip():
                inner.append(pending.strip())
            pending = ""
    return inner


def unwrap_sql(envelope: Envelope, lines: str) -> str:
    """SQL relation of the inner lines of ``lines`` (``src, line_no, line``).

    Columns: ``src``, ``line_no`` (of the first piece), ``line`` (the inner text; NULL when the
    line is not of this envelope), ``_raw`` (the line as written), ``_lines`` (physical lines
    joined) and the envelope's own.
    """
    if envelope.json:
        extract = f"try(json_transform(line, {literal(_DOCKER_STRUCT)}))"
        inner = "rtrim(g.log, chr(13) || chr(10))"
        ok = "g.log IS NOT NULL"
    else:
        names = ", ".join(f"'{n}'" for n in ("_m", *envelope.regex().groupindex))
        extract = f"regexp_extract(line, '^(?P<_m>(?:{quote(envelope.pattern)}))$', [{names}])"
        inner = "g.line"
        ok = "g._m <> ''"
    cols = ", ".join(f'{sql} AS "{name}"' for name, sql in envelope.columns)
    pieces = (
        f"SELECT src, line_no, line AS _raw, CASE WHEN {ok} THEN {inner} END AS line, "
        f"CASE WHEN {ok} THEN {envelope.partial or 'false'} ELSE false END AS _continues, {cols} "
        f"FROM (SELECT src, line_no, line, {extract} AS g FROM ({lines}))"
    )
    if not envelope.partial:
        return f"SELECT *, 1 AS _lines FROM ({pieces})"
    stream = "".join(f', "{c}"' for c in envelope.stream)
    others = ", ".join(
        f'arg_min("{name}", line_no) AS "{name}"'
        for name, _ in envelope.columns
        if name not in envelope.stream
    )
    streams = ", ".join(f'"{c}"' for c in envelope.stream)
    # A piece belongs to the record that the next line without a continuation ends.
    return (
        f"SELECT src, min(line_no) AS line_no, string_agg(line, '' ORDER BY line_no) AS line, "
        f"arg_min(_raw, line_no) AS _raw, {others}, {streams}, count(*) AS _lines FROM (SELECT *, "
        f"COALESCE(sum(CASE WHEN _continues THEN 0 ELSE 1 END) OVER (PARTITION BY src{stream} "
        "ORDER BY line_no ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS _piece "
        f"FROM ({pieces})) GROUP BY src{stream}, _piece"
    )


def relation(
    files: Sequence[str],
    envelope: Envelope | None,
    numbered: bool = True,
    only: Sequence[str] = (),
    besides: Sequence[str] = (),
) -> str:
    """SQL of the lines a reader parses: ``src, line_no, line, _raw, _lines`` and envelope columns.

    ``_raw`` is the envelope's line as written (NULL without an envelope: ``line`` is it).

    Inside an envelope with a ``key``, ``only`` keeps the lines of those programs, ``besides``
    those of every other (and the lines that are not of the envelope at all).
    """
    if envelope is None:
        return f"SELECT *, NULL::VARCHAR AS _raw, 1 AS _lines FROM ({lines_sql(files, numbered)})"
    unwrapped = unwrap_sql(envelope, lines_sql(files))
    key = f'"{envelope.key}"'
    listed = ", ".join(map(literal, only or besides))
    if envelope.key and only:
        return f"SELECT * FROM ({unwrapped}) WHERE {key} IN ({listed})"
    if envelope.key and besides:
        return f"SELECT * FROM ({unwrapped}) WHERE {key} IS NULL OR {key} NOT IN ({listed})"
    return unwrapped
