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

An entry that fails (its incident's record cannot be read, the disk is full) stays queued and
only its group waits, retried with a growing delay; every other group goes on. A worker is a
process of its own (see :mod:`.pool`), reporting its outcomes as lines on a pipe.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from incident_nb.alerts import parse_notification
from incident_nb.core.errors import (
    AlertError,
    IncidentNbError,
    NotebookExecutionError,
    RecordError,
    StorageError,
)
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

CREATE_ATTEMPTS = 3
POLL_S = 0.05
READY = "ready"
"""Reported once by each worker when it can take work."""
MAX_BACKOFF_S = 60.0


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs: where the root is and how to run notebooks."""

    root: Path
    timeout: int = CELL_TIMEOUT_S
    template: Path | None = None


Report = Callable[[str], None]
"""Receives the worker's outcomes: generated, executed, failed, updated, duplicate, error."""


def _find(queue: DurableQueue, key: str) -> Path | None:
    """The incident folder of ``key``, if there is one.

    Raises:
        RecordError: the folder this key's incident was created in is still there but its
            record cannot be read: the entry waits for a person to repair it, rather than
            opening a second investigation of the same group.
    """
    name = queue.cached_folder(key)
    if name is not None:
        cached = incidents_dir(queue.root) / name
        try:
            if read_record(cached).alert.key == key:
                return cached
        except RecordError:
            if cached.is_dir():
                raise
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
    """Execute an incident's notebook; report and return whether it succeeded.

    Raises:
        StorageError: the executed notebook could not be written (disk full, read-only); the
            notebook is left as it was and the record still says ``created``, so the run is
            tried again.
    """
    from incident_nb.notebook.runner import remove_partial_runs  # noqa: PLC0415 - heavy import

    remove_partial_runs(folder)
    try:
        execute_incident(folder, timeout=timeout)
    except StorageError:  # the notebook was kept as it was; run again once there is room
        raise
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


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the server dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes  # noqa: PLC0415

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


@dataclass
class Backoff:
    """Keys whose last entry failed, and when each may be tried again (this worker only).

    A failing group (its record cannot be read, its disk is full) waits 1, 2, 4 ... up to
    :data:`MAX_BACKOFF_S` seconds between attempts, while the other groups go on.
    """

    retry_at: dict[str, float] = field(default_factory=dict)
    delay: dict[str, float] = field(default_factory=dict)

    def ready(self, hashed: str, now: float) -> bool:
        """Whether the key may be tried at ``now``."""
        return self.retry_at.get(hashed, 0.0) <= now

    def failed(self, hashed: str, now: float) -> float:
        """Note a failure; return the seconds until the next attempt."""
        delay = min(self.delay.get(hashed, 0.5) * 2, MAX_BACKOFF_S)
        self.delay[hashed], self.retry_at[hashed] = delay, now + delay
        return delay

    def succeeded(self, hashed: str) -> None:
        """Forget the key's failures."""
        self.retry_at.pop(hashed, None)
        self.delay.pop(hashed, None)


def run_once(
    queue: DurableQueue, settings: WorkerSettings, report: Report, backoff: Backoff | None = None
) -> bool:
    """Process the oldest entry whose key is free; return whether there was anything to do.

    Taking one entry at a time in arrival order (not draining a group) lets a new group's
    investigation start before the updates queued behind an older one. An entry that fails
    stays queued and its key waits (``backoff``) while the other keys are served.
    """
    backoff = Backoff() if backoff is None else backoff
    now = time.monotonic()
    for hashed in dict.fromkeys(e.key_hash for e in queue.entries()):
        if not backoff.ready(hashed, now):
            continue
        with queue.key_lock(hashed, wait=False) as mine:
            if not mine:
                continue
            # Under the lock the key's oldest entry is ours (another worker may have just
            # finished the one listed before the lock was taken).
            todo = [e for e in queue.entries() if e.key_hash == hashed]
            if not todo:
                continue
            try:
                process_entry(queue, todo[0], settings, report)
            except Exception as exc:  # the entry stays queued; other groups go on
                wait = backoff.failed(hashed, time.monotonic())
                log.warning(
                    "cannot process %s (retrying in %.0f s): %s",
                    todo[0].path.name,
                    wait,
                    exc,
                    exc_info=not isinstance(exc, IncidentNbError),
                )
                report("error")
                return True
            backoff.succeeded(hashed)
            return True
    return False


def worker_main(settings: WorkerSettings, events_fd: int, parent: int) -> None:
    """A worker process: apply entries until SIGTERM or until the server is gone.

    Outcomes are written as lines to ``events_fd``, a pipe only this worker writes to; the
    process shares no lock or event with the server, so however it dies (even by SIGKILL in
    the middle of a write), the server and the other workers never wait on it.
    """
    _die_with_parent()
    stopping = threading.Event()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when workers stop
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
    logging.basicConfig(level=logging.WARNING, format="incident-nb worker: %(message)s")

    def report(event: str) -> None:
        os.write(events_fd, f"{event}\n".encode())

    import incident_nb.notebook.runner  # noqa: F401, PLC0415 - pay the imports before the first alert

    report(READY)
    queue = DurableQueue(settings.root)
    backoff = Backoff()
    while not stopping.is_set() and os.getppid() == parent:
        try:
            busy = run_once(queue, settings, report, backoff)
        except BrokenPipeError:  # the server is gone
            return
        except Exception:  # the queue folder itself failed (e.g. removed): wait and retry
            log.exception("reading the queue failed; retrying")
            report("error")
            busy = False
            stopping.wait(1.0)
        if not busy:
            stopping.wait(POLL_S)


def main(argv: list[str] | None = None) -> int:
    """``python -m incident_nb.server.worker``: how the server starts a worker process."""
    parser = argparse.ArgumentParser(prog="incident-nb-worker")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT_S)
    parser.add_argument("--template", type=Path)
    parser.add_argument("--events-fd", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    settings = WorkerSettings(args.root, args.timeout, args.template)
    worker_main(settings, args.events_fd, args.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["Backoff", "WorkerSettings", "process_entry", "run_notebook", "run_once", "worker_main"]
