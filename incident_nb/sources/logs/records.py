"""Multi-line records of a text layout: a line that starts no record continues the one above.

A stack trace, a Python traceback, zap's stack after an error: those lines belong to the
record above them (their text is added to its message); they are neither records nor
malformed. A line before the first record of its file is a record of its own, and malformed.

In plain files the lines stream by in order, one file at a time: a running maximum (which
DuckDB computes as the lines pass) gives each line the number of the last record start above
it, the continuation lines (few) are gathered per record and joined to their records. Nothing
else is held, so the memory this takes does not grow with the log; the costly split of a line
into the layout's fields runs on record starts only. Inside a container envelope, the lines
of several streams are interleaved and each stream's records are found by numbering its lines
in order: DuckDB sorts them, spilling to disk what does not fit in memory.
"""

from __future__ import annotations

from collections.abc import Sequence

from incident_nb.sources.logs.envelopes import relation
from incident_nb.sources.logs.lines import literal


def file_pieces(files: Sequence[str]) -> list[str]:
    """SQL of each plain file's lines, numbered in order (``src`` its index in ``files``)."""
    return [
        f"SELECT * REPLACE ({index} AS src) FROM ({relation([file], None, True)})"
        for index, file in enumerate(files)
    ]


def streamed_records(pieces: Sequence[str], pattern: str, extract: str) -> str:
    """SQL of the records of plain files: ``src, line_no, line, _raw, _lines, _cont, g``.

    Args:
        pieces: each file's numbered lines (:func:`file_pieces`).
        pattern: the layout's regular expression of a whole record start (``^...$``).
        extract: SQL splitting ``line`` into the layout's groups (``g``).
    """
    starts = f"regexp_matches(line, {literal(pattern)})"
    heads = " UNION ALL ".join(
        "SELECT *, max(CASE WHEN _start THEN line_no END) OVER (ROWS BETWEEN UNBOUNDED "
        f"PRECEDING AND CURRENT ROW) AS _head FROM (SELECT *, {starts} AS _start FROM ({piece}))"
        for piece in pieces
    )
    conts = (
        "SELECT src AS _cont_src, _head AS _cont_head, string_agg(line, chr(10) ORDER BY "
        f"line_no) AS _cont, sum(_lines) AS _more FROM ({heads}) "
        "WHERE NOT _start AND _head IS NOT NULL GROUP BY ALL"
    )
    # The lines are read twice (records, continuations) rather than held: both reads stream.
    # (Not a common table expression: DuckDB would keep its rows for the second read.)
    return (
        "SELECT src, line_no, line, _raw, _lines + COALESCE(_more, 0) AS _lines, _cont, "
        f"{extract} AS g FROM ({heads}) LEFT JOIN ({conts}) "
        "ON src = _cont_src AND line_no = _cont_head WHERE _start OR _head IS NULL"
    )


def sorted_records(matched: str, extra: Sequence[str], streams: Sequence[str]) -> str:
    """SQL of the records of lines in envelopes, each stream's in order (see the module).

    ``matched`` holds ``src, line_no, line, _raw, _lines``, the ``extra`` envelope columns and
    ``g``; a record starts where ``g._m`` is not empty.
    """
    part = "".join(f', "{c}"' for c in streams)
    others = "".join(f', arg_min("{c}", line_no) AS "{c}"' for c in extra if c not in streams)
    return (
        f"SELECT src, min(line_no) AS line_no, arg_min(g, line_no) AS g, "
        f"arg_min(line, line_no) AS line, arg_min(_raw, line_no) AS _raw, "
        f"sum(_lines) AS _lines{part}{others}, "
        "string_agg(line, chr(10) ORDER BY line_no) FILTER (WHERE g._m = '' AND _rec > 0) "
        "AS _cont FROM (SELECT *, sum(CASE WHEN g._m <> '' THEN 1 ELSE 0 END) OVER "
        f"(PARTITION BY src{part} ORDER BY line_no ROWS UNBOUNDED PRECEDING) AS _rec "
        f"FROM ({matched})) GROUP BY src{part}, _rec, CASE WHEN _rec = 0 THEN line_no END"
    )
