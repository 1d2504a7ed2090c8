"""Workers: processes that apply queued notifications and generate and execute notebooks.

Each worker takes the oldest pending entry whose incident key's lock it can get, so one group
is handled by one worker at a time and in arrival order, while other groups proceed in
parallel; a burst never runs more kernels than there are workers. Every step is idempotent, so
an entry interrupted at any point (the server was killed) is simply processed again:

1. find the key's incident, or create it (``create_incident``: whole or not at all);
2. apply the notification unless its delivery fingerprint is already in the record;
3. execute the notebook while the record says it was only created (a killed run's partial
   copy is removed first), marking it failed in the record if a cell fails;
4. remove the entry.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.queues import SimpleQueue
from multiprocessing.synchronize import Event
from pathlib import Path

from incident_nb.alerts import parse_notification
from incident_nb.core.errors import AlertError, NotebookExecutionError, RecordError
from incident_nb.core.folder import incidents_dir
from incident_nb.core.record import NotebookStatus, read_record, record_lock, write_record
from incident_nb.incidents import (
    create_incident,
    execute_incident,
    find_incident,
    set_notebook_status,
)
from incident_nb.notebook.params import CELL_TIMEOUT_S
from incident_nb.server.apply import apply_notification, start_intake
from incident_nb.server.queue import DurableQueue, Entry, reject

log = logging.getLogger("incident_nb.server")

SECRET_VARIABLES = ("INCIDENT_NB_TOKEN", "INCIDENT_NB_PAGERDUTY_SECRET")
"""Removed from a worker's environment, so notebooks and kernels never see them."""
"""The lock the notebook forms take to update the record (see forms/store.py)."""
CREATE_ATTEMPTS = 3
POLL_S = 0.05
READY = "ready"
"""Reported once by each worker when it can take work."""


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs: where the root is and how to run notebooks."""

    root: Path
    timeout: int = CELL_TIMEOUT_S
    template: Path | None = None


Report = Callable[[str], None]
"""Receives the worker's outcomes: generated, executed, failed, updated, duplicate, error."""


def _find(queue: DurableQueue, key: str) -> Path | None:
    name = queue.cached_folder(key)
    if name is not None:
        cached = incidents_dir(queue.root) / name
        try:
            if read_record(cached).alert.key == key:
                return cached
        except RecordError:
            pass
    found = find_incident(queue.root, key)
    if found is not None:
        queue.remember_folder(key, found)
    return found


def process_entry(
    queue: DurableQueue, entry: Entry, settings: WorkerSettings, report: Report
) -> None:
    """Apply one entry (the caller holds its key's lock) and remove it from the queue."""
    try:
        data = entry.read()
        notification = parse_notification(data["payload"], data["source"])
    except (ValueError, KeyError, AlertError) as exc:  # not written by this queue; kept to inspect
        reject(queue.root, "queue", entry.path.read_bytes(), f"unreadable queue entry: {exc}")
        report("error")
        queue.remove(entry)
        return
    key = notification.alert.key
    folder = _find(queue, key)
    if folder is None:
        for attempt in range(CREATE_ATTEMPTS):
            try:
                folder = create_incident(notification.alert, queue.root, template=settings.template)
                break
            except OSError:  # another group took the same folder name at the same moment
                if attempt == CREATE_ATTEMPTS - 1:
                    raise
        assert folder is not None
        queue.remember_folder(key, folder)
        report("generated")
    with record_lock(folder):
        record = read_record(folder)
        updated = (
            start_intake(record, notification)
            if record.intake is None
            else apply_notification(record, notification)
        )
        if updated is not None:
            write_record(folder, updated)
            record = updated
            if len(record.intake.deliveries if record.intake else []) > 1:
                report("updated")
        else:
            report("duplicate")
    if record.notebook.state == "created":
        run_notebook(folder, settings.timeout, report)
    queue.remove(entry)


def run_notebook(folder: Path, timeout: int, report: Report) -> bool:
    """Execute an incident's notebook; report and return whether it succeeded."""
    from incident_nb.notebook.runner import remove_partial_runs  # noqa: PLC0415 - heavy import

    remove_partial_runs(folder)
    try:
        execute_incident(folder, timeout=timeout)
    except NotebookExecutionError as exc:
        log.warning("notebook failed in %s: %s", folder.name, exc)
        report("failed")
        return False
    except Exception as exc:  # the kernel died or did not start: a failure to retry by hand
        log.warning("notebook could not run in %s: %s", folder.name, exc)
        set_notebook_status(
            folder,
            NotebookStatus(
                state="failed", executed_at=datetime.now(UTC), error=f"{type(exc).__name__}: {exc}"
            ),
        )
        report("failed")
        return False
    report("executed")
    return True


def run_once(queue: DurableQueue, settings: WorkerSettings, report: Report) -> bool:
    """Process the oldest entry whose key is free; return whether there was anything to do.

    Taking one entry at a time in arrival order (not draining a group) lets a new group's
    investigation start before the updates queued behind an older one.
    """
    for hashed in dict.fromkeys(e.key_hash for e in queue.entries()):
        with queue.key_lock(hashed, wait=False) as mine:
            if not mine:
                continue
            # Under the lock the key's oldest entry is ours (another worker may have just
            # finished the one listed before the lock was taken).
            todo = [e for e in queue.entries() if e.key_hash == hashed]
            if todo:
                process_entry(queue, todo[0], settings, report)
                return True
    return False


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the server dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes  # noqa: PLC0415

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def worker_main(
    settings: WorkerSettings, stop: Event, events: SimpleQueue[str], parent: int
) -> None:
    """A worker process: apply entries until told to stop or the server is gone."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when workers stop
    for name in SECRET_VARIABLES:
        os.environ.pop(name, None)
    logging.basicConfig(level=logging.WARNING, format="incident-nb worker: %(message)s")
    import incident_nb.notebook.runner  # noqa: F401, PLC0415 - pay the imports before the first alert

    events.put(READY)
    queue = DurableQueue(settings.root)
    while not stop.is_set() and os.getppid() == parent:
        try:
            busy = run_once(queue, settings, events.put)
        except Exception:  # keep serving other groups; the entry stays and is retried
            log.exception("processing the queue failed; retrying")
            events.put("error")
            busy = False
            time.sleep(1.0)
        if not busy:
            stop.wait(POLL_S)


__all__ = ["WorkerSettings", "process_entry", "run_notebook", "run_once", "worker_main"]
