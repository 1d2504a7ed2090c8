"""The answers to the analysis's queries, kept beside the evidence snapshot and read back.

A snapshot is analysed again and again (each Run All of the notebook, each ``analyze
--from-snapshot``), and each time the analysis asks the same questions of the same events.
:class:`Answers` keeps each query's result (aggregates: minutes, groups, a few signatures; never
the events themselves) as a small Parquet file in ``.answers/`` beside the events file (a folder
git ignores, by a ``.gitignore`` of its own), named by a hash of the events file's id, the view
the query ran on (a window), its SQL and its parameters. A question asked again reads its
answer instead of scanning the events; any other question (a new window, a new grouping) scans
them as before.

The events file is never changed once written, and each one is written with a new id, so an
answer can never belong to other events; writing a new events file clears the folder. An answer
that cannot be kept (a full disk, a read-only folder) or read back (a damaged file) is computed
from the events, as if there were none: the folder only ever saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import threading
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from incident_nb.core.folder import ANSWERS_DIR
from incident_nb.sources.logs.frames import frame
from incident_nb.sources.logs.lines import literal

if TYPE_CHECKING:
    import pandas as pd

_TABLE = "_answer"
_IGNORED = "*\n"


def new_id() -> str:
    """A fresh id for an events file being written."""
    return uuid.uuid4().hex


def clear(evidence: Path) -> None:
    """Forget every answer kept in the ``evidence`` folder (its events file was replaced)."""
    shutil.rmtree(evidence / ANSWERS_DIR, ignore_errors=True)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


class Answers:
    """Query results kept in ``<evidence>/.answers/`` for the events file of id ``events_id``."""

    def __init__(self, evidence: Path, events_id: str) -> None:
        self.folder = evidence / ANSWERS_DIR
        self._id = events_id
        self.kept = 0
        """Answers written by this store."""
        self.reused = 0
        """Answers read back instead of scanning the events."""
        self._counting = threading.Lock()
        """Questions may be asked from two threads at once (see ``LogStore.meanwhile``)."""

    def _path(self, view: str, sql: str, params: dict[str, Any]) -> Path:
        """Where the answer to ``sql`` with ``params`` over ``view`` is kept."""
        plain = {key: _plain(value) for key, value in sorted(params.items())}
        text = json.dumps([self._id, view, sql, plain], default=str)
        return self.folder / f"{hashlib.sha256(text.encode()).hexdigest()[:32]}.parquet"

    def answer(
        self, con: duckdb.DuckDBPyConnection, view: str, sql: str, params: dict[str, Any]
    ) -> pd.DataFrame:
        """The kept answer to ``sql`` over ``view``, or a new one computed, kept and read back.

        ``view`` says what the ``events`` view is (the window's bounds). A new answer is read
        back from the file it was kept in, so that the first analysis and every later one get
        the same frame, to the column type. One that cannot be kept is returned all the same.
        """
        where = self._path(view, sql, params)
        if where.is_file():
            with contextlib.suppress(duckdb.Error):
                found = _read(con, where)
                with self._counting:
                    self.reused += 1
                return found
            with contextlib.suppress(OSError):
                where.unlink()  # damaged: computed again below
        partial = where.with_name(f".{where.stem}.{uuid.uuid4().hex[:8]}.partial")
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {_TABLE} AS {sql}", params)
            try:
                if not self.folder.is_dir():
                    self.folder.mkdir(parents=True, exist_ok=True)
                    (self.folder / ".gitignore").write_text(_IGNORED, encoding="utf-8")
                con.execute(f"COPY {_TABLE} TO {literal(partial)} (FORMAT parquet)")
                partial.replace(where)
            except (OSError, duckdb.Error):
                with contextlib.suppress(OSError):
                    partial.unlink(missing_ok=True)
                return frame(con, f"SELECT * FROM {_TABLE}")
            with self._counting:
                self.kept += 1
            return _read(con, where)
        finally:
            con.execute(f"DROP TABLE IF EXISTS {_TABLE}")


def _read(con: duckdb.DuckDBPyConnection, where: Path) -> pd.DataFrame:
    return frame(con, f"SELECT * FROM read_parquet({literal(where)})")
