"""Durable file writes: a file is replaced whole or not at all, and the change survives a crash.

Every write goes to a temporary file in the target's folder, is flushed to disk (and, where a
check is given, verified), and only then renamed over the target; the folder is synced so the
rename itself survives a crash. When anything fails (the disk is full, the folder is read-only
or not ours) the temporary file is removed, the previous version of the target stays as it was,
and :class:`~incident_nb.core.errors.StorageError` names the file, the cause and what to do.
:class:`StagedFiles` extends this to several files that must appear together (an export).

Kept apart from the record's schema so that writers of evidence, exports and queues do not load
the schema's validation library to write a file.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from incident_nb.core.errors import StorageError

FILE_MODE = 0o644
"""The mode of a new file (an existing file keeps its own)."""

# errno -> (the cause in words, what to do about it)
WRITE_FAILURES: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("the disk is full", "free some space on it and run again"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space or raise the quota"),
    errno.EROFS: (
        "the file system is read-only",
        "remount it read-write or use a folder on a writable disk",
    ),
    errno.EACCES: (
        "permission denied",
        "check the owner and mode of the folder, or run as a user who may write there",
    ),
    errno.EPERM: (
        "the operation is not permitted",
        "check the owner and mode of the folder, or run as a user who may write there",
    ),
    errno.EFBIG: ("the file is too large for this file system", "write to another disk"),
    errno.EIO: ("an input/output error (a failing disk?)", "check the disk, then run again"),
}


def is_write_failure(exc: OSError) -> bool:
    """Whether ``exc`` says the storage refused a write (full, read-only, not permitted)."""
    return exc.errno in WRITE_FAILURES


def describe_os_error(exc: OSError) -> tuple[str, str]:
    """The cause of a failed write in words, and what to do about it."""
    if exc.errno in WRITE_FAILURES:
        return WRITE_FAILURES[exc.errno]
    return (exc.strerror or str(exc) or type(exc).__name__, "fix the cause and run again")


def storage_error(exc: OSError, path: Path, *, kept: bool | None = None) -> StorageError:
    """A :class:`StorageError` for a failed write of ``path``.

    Args:
        exc: the error the write raised.
        path: the file (or folder) that could not be written.
        kept: whether a previous version of the file exists and was kept (default: look).
    """
    if isinstance(exc, StorageError):
        return exc
    cause, advice = describe_os_error(exc)
    if kept is None:
        kept = path.exists()
    tail = "; the previous version was kept unchanged" if kept else ""
    return StorageError(f"cannot write {path}: {cause}; {advice}{tail}", exc.errno)


def fsync_dir(folder: Path) -> None:
    """Make renames and removals in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _mode_for(path: Path, mode: int | None) -> int:
    if mode is not None:
        return mode
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return FILE_MODE


TEMPORARY_SUFFIX = ".tmp"
TEMPORARY = f".*{TEMPORARY_SUFFIX}"
"""The names of the temporary files a write makes beside its target (``.NAME.RANDOM.tmp``)."""


def interrupted_writes(folder: Path) -> list[Path]:
    """The temporary files under ``folder`` of writes a killed process never finished.

    Only call it when no writer of ``folder`` is running: a live write's file matches too.
    """
    return sorted(p for p in folder.rglob(TEMPORARY) if p.is_file())


def _write_temporary(path: Path, data: bytes, mode: int) -> Path:
    """``data`` in a synced temporary file beside ``path``; removed again if anything fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent)
    tmp = Path(name)
    try:
        os.fchmod(fd, mode)  # mkstemp creates 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_bytes_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` whole or not at all, and durably.

    The file keeps its mode (or gets ``mode``, by default the usual 0644).

    Raises:
        StorageError: the file could not be written; the previous version is unchanged.
    """
    try:
        tmp = _write_temporary(path, data, _mode_for(path, mode))
        try:
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_dir(path.parent)
    except OSError as exc:
        raise storage_error(exc, path) from exc


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old or the new file, never a part.

    Raises:
        StorageError: the file could not be written; the previous version is unchanged.
    """
    write_bytes_atomic(path, text.encode("utf-8"))


def promote(
    written: Path,
    path: Path,
    verify: Callable[[Path], object] | None = None,
    mode: int | None = None,
) -> None:
    """Rename a file someone else wrote (``written``, beside ``path``) over ``path``, durably.

    ``written`` is synced and given ``path``'s mode first, and ``verify`` (which raises when
    the file is incomplete or invalid) must accept it; otherwise ``written`` is removed and
    ``path`` stays as it was.

    Raises:
        StorageError: ``written`` could not be synced or renamed.
        Exception: whatever ``verify`` raised.
    """
    try:
        fd = os.open(written, os.O_RDONLY)
        try:
            os.fchmod(fd, _mode_for(path, mode))
            os.fsync(fd)
        finally:
            os.close(fd)
        if verify is not None:
            verify(written)
        written.replace(path)
        fsync_dir(path.parent)
    except OSError as exc:
        written.unlink(missing_ok=True)
        raise storage_error(exc, path) from exc
    except BaseException:
        written.unlink(missing_ok=True)
        raise


class StagedFiles:
    """Files written together: each is staged to a synced temporary file, then all renamed.

    Nothing replaces a target until every file has been staged, so a full disk or a read-only
    folder met by the last file leaves every earlier target untouched too.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []

    def add(self, path: Path, data: bytes, mode: int | None = None) -> None:
        """Stage ``data`` for ``path``.

        Raises:
            StorageError: it could not be staged (the caller then discards the others).
        """
        try:
            self._staged.append((_write_temporary(path, data, _mode_for(path, mode)), path))
        except OSError as exc:
            raise storage_error(exc, path) from exc

    def add_text(self, path: Path, text: str) -> None:
        """Stage ``text`` (UTF-8) for ``path``."""
        self.add(path, text.encode("utf-8"))

    def commit(self) -> None:
        """Rename every staged file into place and sync the folders.

        Raises:
            StorageError: a rename failed (not expected: the temporary files are beside the
                targets); the remaining staged files are removed.
        """
        folders: dict[Path, None] = {}
        try:
            while self._staged:
                tmp, path = self._staged[0]
                tmp.replace(path)
                self._staged.pop(0)
                folders[path.parent] = None
            for folder in folders:
                fsync_dir(folder)
        except OSError as exc:
            failed = self._staged[0][1] if self._staged else next(iter(folders))
            self.discard()
            raise storage_error(exc, failed) from exc

    def discard(self) -> None:
        """Remove every staged file that was not committed."""
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged.clear()


@contextmanager
def staged_files() -> Iterator[StagedFiles]:
    """Stage files in the block; commit them all when it ends, or discard them all on error."""
    staged = StagedFiles()
    try:
        yield staged
    except BaseException:
        staged.discard()
        raise
    staged.commit()
