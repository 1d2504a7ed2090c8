"""The private temporary folder of one log analysis, and its memory-bounded DuckDB connection.

The parsed events of a log live on disk, not in memory (:mod:`.eventfile`); what DuckDB cannot
keep within :data:`MEMORY_LIMIT` (the sort behind a multi-line text layout, a large grouping)
spills into the folder. :class:`Scratch` removes the folder when the analysis is closed, when
it fails, or at the latest when the process exits: nothing of one analysis stays behind.
Set ``TMPDIR`` to put it on a disk with room, when the system's temporary folder is small.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

MEMORY_LIMIT = "512MB"
"""What DuckDB may hold in memory before it spills to the scratch folder (its buffer manager's
limit). With Python, pandas and the analysis beside it, one analysis stays under 1 GiB; only
DuckDB's exact percentiles, which keep one latency value per event of a group, cannot spill:
when they need more, the limit is lifted for that query (:func:`unlimited`) rather than fail."""
SPILL = "spill"


class Scratch:
    """A temporary folder of one analysis (``incident-nb-*`` in the system's temporary folder).

    Attributes:
        path: the folder.
    """

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="incident-nb-"))
        # Removed when closed, when the owner is collected, or when the interpreter exits.
        self._remove = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)

    @property
    def closed(self) -> bool:
        """Whether the folder is gone."""
        return not self._remove.alive

    def close(self) -> None:
        """Remove the folder and everything in it (again: nothing happens)."""
        self._remove()


def connect(scratch: Scratch) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection that holds at most :data:`MEMORY_LIMIT` and spills into ``scratch``.

    Every query of the analysis orders its own result, so rows need not keep their input
    order: DuckDB then streams reads and writes without re-sequencing its threads' batches.
    """
    con = duckdb.connect(
        config={
            "memory_limit": MEMORY_LIMIT,
            "temp_directory": str(scratch.path / SPILL),
            "preserve_insertion_order": False,
        }
    )
    # A long query would draw its progress on the terminal, into --json's output.
    con.execute("SET enable_progress_bar = false")
    return con


@contextmanager
def unlimited(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let ``con`` use DuckDB's default share of the machine's memory inside the block."""
    row = con.execute("SELECT current_setting('memory_limit')").fetchone()
    con.execute("RESET memory_limit")
    try:
        yield
    finally:
        con.execute("SET memory_limit = $limit", {"limit": row[0] if row else MEMORY_LIMIT})
