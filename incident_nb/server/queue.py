"""The durable alert queue under ``<root>/queue/``, per-group locks, and rejected payloads.

An accepted notification is one file in ``queue/pending/``, written to a temporary name,
fsync'd, renamed and its folder fsync'd before the sender gets its answer; it is removed only
after the worker has applied it. File names sort in arrival order and carry a hash of the
incident key and the delivery fingerprint, so workers schedule and deduplicate from a listing::

    queue/pending/<sequence:020>-<key hash:16>-<delivery:32>.json
    queue/locks/<key hash>.lock      one flock per incident key: one worker per group at a time
    queue/keys/<key hash>            the incident folder of a key, a cache of find_incident
    queue/server.lock                held by the one server of this root
    rejected/<time>-<source>-<id>.body, .reason.txt   payloads that were refused, for inspection

Label values never reach a path: every name is made of hashes, counters and fixed words.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from incident_nb.core.durable import fsync_dir, interrupted_writes, write_bytes_atomic
from incident_nb.core.folder import INCIDENTS_DIR, STAGING_PREFIX

QUEUE = "queue"
REJECTED = "rejected"
_SUFFIX = ".json"


def key_hash(key: str) -> str:
    """A path-safe stand-in for an incident key."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def write_durably(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` whole or not at all, and durably (temp, fsync, rename, fsync)."""
    write_bytes_atomic(path, data, mode)


@dataclass(frozen=True)
class Entry:
    """One pending notification: its file and what its name says."""

    path: Path
    sequence: int
    key_hash: str
    delivery: str

    @classmethod
    def from_path(cls, path: Path) -> Entry | None:
        """The entry a file name describes, or None for anything else in the folder."""
        parts = path.name.removesuffix(_SUFFIX).split("-")
        if path.name.startswith(".") or not path.name.endswith(_SUFFIX) or len(parts) != 3:
            return None
        sequence, hashed, delivery = parts
        if not sequence.isdigit():
            return None
        return cls(path, int(sequence), hashed, delivery)

    def read(self) -> dict[str, Any]:
        """The entry's content: source, key, delivery, received_at and the payload."""
        data: dict[str, Any] = json.loads(self.path.read_bytes())
        return data


class DurableQueue:
    """The pending notifications of one root, in arrival order."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / QUEUE
        self.pending = self.folder / "pending"
        self.locks = self.folder / "locks"
        self.keys = self.folder / "keys"
        self._sequence = 0
        self._mutex = threading.Lock()

    def prepare(self) -> list[Path]:
        """Create the folders and remove what a killed writer left half-written.

        Only unacknowledged data is removed: an entry is acknowledged after its rename, an
        incident exists once its folder is renamed into place. Call it before any worker
        starts. Returns the removed paths.
        """
        for folder in (self.pending, self.locks, self.keys, self.root / REJECTED):
            folder.mkdir(parents=True, exist_ok=True)
        stale = [p for p in self.pending.iterdir() if p.name.startswith(".")]
        for path in stale:
            path.unlink(missing_ok=True)
        # Incidents being assembled when a worker was killed (never visible as incidents).
        staging = sorted((self.root / INCIDENTS_DIR).glob(f"{STAGING_PREFIX}*"))
        for folder in staging:
            shutil.rmtree(folder, ignore_errors=True)
        # A record or notebook being replaced when its worker was killed: the file itself is
        # whole (the old version or the new), its temporary copy beside it is left over.
        unfinished = interrupted_writes(self.root / INCIDENTS_DIR)
        for path in unfinished:
            path.unlink(missing_ok=True)
        stale += staging + unfinished
        entries = self.entries()
        self._sequence = entries[-1].sequence if entries else 0
        return stale

    def _next_sequence(self) -> int:
        with self._mutex:
            self._sequence = max(self._sequence + 1, time.time_ns())
            return self._sequence

    def enqueue(self, source: str, key: str, delivery: str, payload: Any) -> Entry:
        """Record one notification durably; return its entry once it is on disk."""
        entry_name = f"{self._next_sequence():020d}-{key_hash(key)}-{delivery}{_SUFFIX}"
        content = {
            "source": source,
            "key": key,
            "delivery": delivery,
            "received_at": datetime.now(UTC).isoformat(),
            "payload": payload,
        }
        path = self.pending / entry_name
        write_durably(path, json.dumps(content, separators=(",", ":")).encode(), 0o600)
        entry = Entry.from_path(path)
        assert entry is not None
        return entry

    def entries(self) -> list[Entry]:
        """The pending entries, oldest first."""
        found = (Entry.from_path(p) for p in self.pending.iterdir())
        return sorted((e for e in found if e is not None), key=lambda e: e.sequence)

    def depth(self) -> int:
        """How many notifications wait to be applied."""
        return sum(
            1 for p in self.pending.iterdir() if not p.name.startswith(".") and p.suffix == _SUFFIX
        )

    def remove(self, entry: Entry) -> None:
        """Forget an applied entry, durably."""
        entry.path.unlink(missing_ok=True)
        fsync_dir(self.pending)

    @contextmanager
    def key_lock(self, hashed: str, *, wait: bool) -> Iterator[bool]:
        """Hold the lock of one incident key; yields False if ``wait`` is off and it is taken.

        The lock is an flock, so it is released when its holder dies, however it dies.
        """
        with _held(self.locks / f"{hashed}.lock", wait=wait) as held:
            yield held

    def cached_folder(self, key: str) -> str | None:
        """The incident folder name remembered for ``key``, if any."""
        try:
            return (self.keys / key_hash(key)).read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def remember_folder(self, key: str, folder: Path) -> None:
        """Remember which folder holds the incident of ``key``."""
        write_durably(self.keys / key_hash(key), folder.name.encode())


@contextmanager
def _held(path: Path, *, wait: bool) -> Iterator[bool]:
    """Hold an exclusive flock on ``path``; yields False if ``wait`` is off and it is taken."""
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def server_lock(root: Path) -> Iterator[bool]:
    """Hold ``<root>/queue/server.lock``; yields False when another server holds it."""
    folder = root / QUEUE
    folder.mkdir(parents=True, exist_ok=True)
    with _held(folder / "server.lock", wait=False) as held:
        yield held


def reject(root: Path, source: str, body: bytes, reason: str) -> Path:
    """Keep a refused payload and the reason in ``<root>/rejected/``; return the body's path."""
    folder = root / REJECTED
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{source}-{secrets.token_hex(4)}"
    write_durably(folder / f"{stem}.reason.txt", (reason + "\n").encode(), 0o600)
    body_path = folder / f"{stem}.body"
    write_durably(body_path, body, 0o600)
    return body_path
