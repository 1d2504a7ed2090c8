"""The one place the log engine is picked: DuckDB over files, a Parquet snapshot, or Spark.

:func:`open_store` turns an :class:`~incident_nb.evidence.request.AnalyzeRequest` into a
:class:`~incident_nb.sources.logs.LogStore` and a note on where its events came from. It also
owns the evidence snapshot: ``snapshot_to`` is (re)written by the parse itself, in the same
pass, and with ``snapshot_fallback`` (an investigation) the snapshot is read instead once a log
has rotated away, expired or become unreachable.

This module loads neither pandas nor the analysis at import, and neither does the parse: while
DuckDB parses the files (it releases the GIL), the caller's ``warm_up`` imports what it will
run on the events beside it, which hides their start-up where a core is free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incident_nb.core.errors import EvidenceError, StorageError
from incident_nb.core.folder import SNAPSHOT
from incident_nb.evidence.request import AnalyzeRequest
from incident_nb.sources.logs import remote
from incident_nb.sources.logs.engines import parse_engine

if TYPE_CHECKING:
    from incident_nb.sources.logs import LogStore

Progress = Callable[[str], None]
WarmUp = Callable[[], object]
"""Imports what the caller will run on the events: called while DuckDB parses them."""


def unavailable(paths: Sequence[str | Path]) -> list[str]:
    """Why each log that cannot be read now cannot (rotated away, expired, unreachable)."""
    out = []
    for path in paths:
        if remote.scheme(path):
            if problem := remote.problem(str(path)):
                out.append(problem)
        elif not Path(path).is_file():
            out.append(f"{Path(path).name} no longer there")
    return out


def _parse(request: AnalyzeRequest, snapshot: Path | None, warm_up: WarmUp) -> LogStore:
    """The request's logs parsed (into the snapshot folder, when given) and windowed.

    ``warm_up`` runs beside the parse, and so does the import of the store.
    """
    from incident_nb.sources.logs.loader import load_events  # noqa: PLC0415 - DuckDB only

    with ThreadPoolExecutor(max_workers=1) as pool:
        parsing = pool.submit(
            load_events,
            list(request.logs),
            dict(request.mapping),
            request.fmt,
            request.tz,
            request.year,
            snapshot=snapshot,
            window=(request.start, request.end),
        )
        from incident_nb.sources.logs.store import LogStore  # noqa: PLC0415

        warm_up()

        return LogStore(*parsing.result())


def open_store(
    request: AnalyzeRequest,
    progress: Progress = lambda _: None,
    warm_up: WarmUp = lambda: None,
) -> tuple[LogStore, str]:
    """The request's log events in a store, and a note on where they came from.

    The store is restricted to the request's window; the caller closes it. When the logs are
    parsed, ``warm_up`` is called while DuckDB parses them (to import the analysis).

    Raises:
        EvidenceError: the logs (or the snapshot) cannot be used; the message says how to fix
            it.
    """
    spec = parse_engine(request.engine)
    snapshot = request.snapshot_to / SNAPSHOT if request.snapshot_to is not None else None
    if spec.name == "spark":
        if request.snapshot_from is not None or (
            request.snapshot_to is not None and not request.snapshot_fallback
        ):
            raise EvidenceError(
                "--snapshot and --from-snapshot need the duckdb engine: with Spark the evidence "
                "stays in the cluster's storage"
            )
        from incident_nb.sources.logs.spark import open_spark  # noqa: PLC0415 - optional extra

        progress(f"parsing {len(request.logs)} log file(s) with Spark ({spec.label})")
        store: LogStore = open_spark(
            list(request.logs), spec, dict(request.mapping) or None, request.fmt, request.tz
        )
        note = f"Evidence read and queried by Spark ({spec.label}); no local snapshot is kept."
        return _restricted(store, request), note
    if request.snapshot_from is not None:
        from incident_nb.sources.logs.store import LogStore  # noqa: PLC0415

        progress(f"opening the evidence snapshot in {request.snapshot_from}")
        store = LogStore.open_snapshot(request.snapshot_from)
        return _restricted(store, request), ""
    missing = unavailable(request.logs) if request.snapshot_fallback and snapshot else []
    if snapshot is not None and missing and snapshot.is_file():
        from incident_nb.sources.logs.store import LogStore  # noqa: PLC0415

        taken = datetime.fromtimestamp(snapshot.stat().st_mtime, UTC)
        note = (
            f"{'; '.join(missing)}: using the evidence snapshot taken {taken:%Y-%m-%d %H:%M} "
            f"UTC ({snapshot.parent.name}/{SNAPSHOT})."
        )
        progress(note)
        return _restricted(LogStore.open_snapshot(snapshot.parent), request), note
    if snapshot is None:
        progress(f"parsing {len(request.logs)} log file(s)")
        return _parse(request, None, warm_up), ""
    progress(
        f"parsing {len(request.logs)} log file(s) into the evidence snapshot in {snapshot.parent}"
    )
    try:
        store = _parse(request, snapshot.parent, warm_up)
    except StorageError as problem:
        if not request.snapshot_fallback:
            raise
        progress(f"the evidence snapshot could not be written ({problem}); parsing again")
        note = f"The evidence snapshot could not be written ({problem})."
        return _parse(request, None, warm_up), note
    return store, f"Evidence snapshot written to {snapshot.parent.name}/{snapshot.name}."


def _restricted(store: LogStore, request: AnalyzeRequest) -> LogStore:
    if request.start is None and request.end is None:
        return store
    try:
        store.restrict(request.start, request.end)
    except BaseException:
        store.close()
        raise
    return store
