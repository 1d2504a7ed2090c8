"""``incident-nb retry``: execute an investigation's notebook again (e.g. after it failed).

While a receiver owns the root, the run holds the receiver's lock for this incident, so the
two never execute the same notebook at once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from incident_nb.cli.args import add_timeout
from incident_nb.core.folder import IncidentFolder


def add_arguments(retry: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb retry``."""
    retry.description = "Execute an investigation's notebook again (e.g. after it failed)."
    retry.add_argument("incident_dir", type=Path, metavar="INCIDENT_DIR")
    add_timeout(retry)


def run(args: argparse.Namespace) -> int:
    """Re-run the notebook; while a server owns the root, under its lock for this incident."""
    from incident_nb.core.record import read_record  # noqa: PLC0415 - pydantic, only here
    from incident_nb.server.queue import DurableQueue, key_hash  # noqa: PLC0415
    from incident_nb.server.worker import run_notebook  # noqa: PLC0415

    folder: Path = args.incident_dir.resolve()
    record = read_record(folder)  # RecordError names a folder that is not an incident
    queue = DurableQueue(folder.parent.parent)
    outcomes: list[str] = []
    if queue.locks.is_dir():
        with queue.key_lock(key_hash(record.alert.key), wait=True):
            ok = run_notebook(folder, args.timeout, outcomes.append)
    else:
        ok = run_notebook(folder, args.timeout, outcomes.append)
    state = read_record(folder).notebook
    if not ok:
        print(
            f"incident-nb: notebook failed again at cell {state.failed_cell}: {state.error}; "
            f"open {IncidentFolder(folder).notebook} to see the error",
            file=sys.stderr,
        )
        return 1
    print(f"{folder}: executed")
    return 0
