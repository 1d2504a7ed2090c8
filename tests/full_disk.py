"""A small tmpfs in a private mount namespace, and what incident-nb does when it fills up.

``run_on_small_disk`` mounts a tmpfs of a given size (as root, in a mount namespace of its own,
so nothing outside sees it) and runs this module there: it builds an executed incident, an
export and an evidence snapshot on the small disk, fills the disk, tries every writer again and
prints what it saw as one JSON document for the test to judge.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nbformat

REPO = Path(__file__).resolve().parent.parent
BIG_OUTPUT = 300_000
"""Characters the cheap notebook prints, so that a re-run's copy cannot fit in the margin."""
MARGIN = 64 * 1024
"""Free bytes left on the disk before the writers try again (less than any of their files)."""


def mount_works(unshare: str, folder: Path) -> tuple[bool, str]:
    """Whether this kernel lets us mount a tmpfs in a private mount namespace."""
    probe = subprocess.run(
        [unshare, "--mount", "--propagation", "private", "mount", "-t", "tmpfs", "-o",
         "size=64k", "tmpfs", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return probe.returncode == 0, probe.stderr.strip()


def run_on_small_disk(unshare: str, disk: Path, outside: Path, size: str) -> dict[str, Any]:
    """Run the scenario on a tmpfs of ``size`` mounted at ``disk``; return its observations."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    script = 'mount -t tmpfs -o "size=$1" tmpfs "$2" && exec "$3" -m tests.full_disk "$2" "$4"'
    done = subprocess.run(
        [unshare, "--mount", "--propagation", "private", "sh", "-c", script, "sh", size,
         str(disk), sys.executable, str(outside)],
        capture_output=True, text=True, check=False, cwd=REPO, env=env, timeout=600,
    )  # fmt: skip
    if done.returncode != 0:
        raise AssertionError(f"the scenario failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def big_template(folder: Path) -> Path:
    """The cheap test template, with one cell printing :data:`BIG_OUTPUT` characters."""
    from tests.serve_support import cheap_template

    path = cheap_template(folder)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(f"print('x' * {BIG_OUTPUT})"))
    nbformat.write(nb, path)
    return path


def fill(disk: Path, name: str, leave: int) -> None:
    """Write a filler file leaving about ``leave`` bytes free on ``disk``."""
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with (disk / name).open("wb") as out, contextlib.suppress(OSError):
        out.write(b"\0" * max(free - leave, 0))


def cli(*args: str) -> tuple[int, str]:
    """Run ``incident-nb`` in this process; return its status and what it wrote to stderr."""
    from incident_nb.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(list(args))
    return status, err.getvalue()


def contents(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``folder`` (except the fillers): its inode and bytes.

    A file replaced by a rename gets a new inode even when its bytes are the same.
    """
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith("filler")
    }


def scenario(disk: Path, outside: Path) -> dict[str, Any]:
    """Build an incident on ``disk``, fill the disk, and try every writer again."""
    from incident_nb.core.models import Alert
    from incident_nb.core.record import read_record, write_record
    from incident_nb.incidents import create_incident, execute_incident

    outside.mkdir(parents=True, exist_ok=True)
    template = big_template(outside)
    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    alert = Alert("manual", "manual:full-disk", "Disk fills up", "db", start)
    folder = create_incident(alert, disk, template=template)
    execute_incident(folder)
    docs = disk / "docs"
    exported = cli("export", str(folder), "--docs-root", str(docs))
    log = outside / "app.jsonl"
    log.write_text(
        "".join(
            json.dumps(
                {"ts": (start + timedelta(seconds=i)).isoformat(), "status": 200 + (i % 2) * 300}
            )
            + "\n"
            for i in range(2000)
        )
    )
    snapshot = disk / "snapshot"
    analysed = cli("analyze", "--logs", str(log), "--snapshot", str(snapshot))
    before = contents(disk)

    fill(disk, "filler-1", MARGIN)
    retried = cli("retry", str(folder))
    export_again = cli("export", str(folder), "--docs-root", str(docs))
    fill(disk, "filler-2", 0)
    analysed_again = cli("analyze", "--logs", str(log), "--snapshot", str(snapshot))
    record = read_record(folder)
    record.narrative.summary = "written on a full disk"
    try:
        write_record(folder, record)
        record_error = ""
    except OSError as exc:  # a StorageError, which says why
        record_error = str(exc)
    new_alert = cli(
        "new", "--title", "Another", "--service", "db", "--started-at",
        "2026-11-21T10:00:00Z", "--root", str(disk),
    )  # fmt: skip
    after = contents(disk)

    # Read-only: a docs root on a read-only file system, then the whole disk read-only.
    for filler in disk.glob("filler-*"):
        filler.unlink()
    third = ["--title", "Third", "--service", "db", "--started-at", "2026-11-22T10:00:00Z"]
    read_only_docs = outside / "read-only-docs"
    read_only_docs.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(read_only_docs)], check=True
    )
    export_read_only_docs = cli("export", str(folder), "--docs-root", str(read_only_docs))
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    read_only = {
        "retry": cli("retry", str(folder)),
        "export": cli("export", str(folder), "--docs-root", str(docs)),
        "analyze": cli("analyze", "--logs", str(log), "--snapshot", str(snapshot)),
        "new": cli("new", *third, "--root", str(disk)),
    }
    after_read_only = contents(disk)
    subprocess.run(["umount", str(read_only_docs)], check=True)
    shutil.rmtree(outside, ignore_errors=True)
    return {
        "export_read_only_docs": export_read_only_docs,
        "read_only": read_only,
        "changed_read_only": sorted(k for k in after if after[k] != after_read_only.get(k)),
        "setup": [exported[0], analysed[0]],
        "retry": retried,
        "export": export_again,
        "analyze": analysed_again,
        "record_error": record_error,
        "new": new_alert,
        "changed": sorted(k for k in before if before[k] != after.get(k)),
        "appeared": sorted(set(after) - set(before)),
        "incidents": sorted(p.name for p in (disk / "incidents").iterdir()),
        "notebook_reads": nbformat.reads((folder / "investigation.ipynb").read_text(), as_version=4)
        .cells[-1]
        .outputs[0]["text"][:1],
    }


if __name__ == "__main__":
    print(json.dumps(scenario(Path(sys.argv[1]), Path(sys.argv[2]))))
