"""The filesystem DuckDB reads remote log files through: an fsspec filesystem, read by range.

DuckDB's Python filesystem hook reads a file as ``seek()`` then ``read()`` on one handle that
several of its threads share. fsspec's own files keep one position and one read-ahead cache, so
a read waiting on the network lets another thread's seek move that position under it: wrong
bytes, or none. Here a handle remembers each seek for the thread that made it, and each read
fetches exactly the bytes asked for, in one range request (no read-ahead: every byte crosses
the network once). A server that ignores ranges answers with the whole file; it is then kept
in memory for this connection and every read is served from it.

Imported only when a remote log is read; fsspec comes with the optional ``remote`` extra.
"""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime
from typing import Any

from fsspec import AbstractFileSystem

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RangeReader:
    """One remote file as DuckDB reads it: positional reads from many threads, or a stream."""

    def __init__(self, files: DuckDBFiles, path: str, size: int) -> None:
        self._files = files
        self._path = path
        self._size = size
        self._position = 0
        self._seeks = threading.local()
        self.closed = False

    def readable(self) -> bool:
        """Always: log files are only read."""
        return True

    def seekable(self) -> bool:
        """Always: every read names its range."""
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move to ``offset``; the next read *of this thread* starts there."""
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._seeks.position = self._position = base + offset
        return self._position

    def tell(self) -> int:
        """The position after the last seek or read."""
        return self._position

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left when negative), as one range request."""
        start = self._seeks.__dict__.pop("position", None)
        if start is None:  # a stream read (DuckDB decompressing): from where the last one ended
            start = self._position
        end = self._size if size is None or size < 0 else min(self._size, start + size)
        data = self._files.read_range(self._path, start, end) if end > start else b""
        self._position = start + len(data)
        return data

    def flush(self) -> None:
        """Nothing to flush: read only."""

    def close(self) -> None:
        """Forget the handle (no connection is held between reads)."""
        self.closed = True


class DuckDBFiles(AbstractFileSystem):  # type: ignore[misc]
    """``inner``'s files for DuckDB: one URI is one file, read by :class:`RangeReader`.

    One instance per DuckDB connection: it remembers each file's size (DuckDB asks for it
    again and again) and, for a server that ignores ranges, the whole file.
    """

    cachable = False

    def __init__(self, inner: AbstractFileSystem, protocols: tuple[str, ...]) -> None:
        super().__init__()
        self.inner = inner
        self.protocol = protocols
        self._infos: dict[str, dict[str, Any]] = {}
        self._whole: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def glob(self, path: str, **kwargs: Any) -> list[str]:
        """The URI itself: in a URL ``?`` starts a query string (a presigned URL), not a pattern."""
        return [path]

    def unstrip_protocol(self, name: str) -> str:
        """``name`` as given: the URIs here keep their scheme."""
        return name

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        """What the server says of ``path`` (asked once per connection)."""
        with self._lock:
            known = self._infos.get(path)
        if known is None:
            known = dict(self.inner.info(path))
            if known.get("size") is None:  # no length announced: take the whole file now
                self._keep_whole(path, self.inner.cat_file(path))
                known["size"] = len(self._whole[path])
            with self._lock:
                self._infos[path] = known
        return known

    def size(self, path: str) -> int:
        """The size of ``path`` in bytes."""
        return int(self.info(path)["size"])

    def isfile(self, path: str) -> bool:
        """Whether ``path`` is a readable file."""
        try:
            return bool(self.info(path).get("type", "file") == "file")
        except (FileNotFoundError, PermissionError):
            return False

    def isdir(self, path: str) -> bool:
        """Never: log URIs name files."""
        return False

    def exists(self, path: str, **kwargs: Any) -> bool:
        """Whether ``path`` is a readable file."""
        return self.isfile(path)

    def modified(self, path: str) -> datetime:
        """When ``path`` last changed, where the server says (S3); else a fixed time.

        DuckDB asks for it to key its caches; one connection reads each file as it first was.
        """
        value = self.info(path).get("LastModified")
        return value if isinstance(value, datetime) else _EPOCH

    def open(self, path: str, mode: str = "rb", **kwargs: Any) -> RangeReader:
        """A :class:`RangeReader` of ``path`` (read only).

        Raises:
            NotImplementedError: any mode but ``rb``.
        """
        if mode != "rb":
            raise NotImplementedError(f"remote log files are read only, not opened {mode!r}")
        return RangeReader(self, path, self.size(path))

    def read_range(self, path: str, start: int, end: int) -> bytes:
        """Bytes ``[start, end)`` of ``path``."""
        with self._lock:
            whole = self._whole.get(path)
        if whole is not None:
            return whole[start:end]
        data = bytes(self.inner.cat_file(path, start=start, end=end))
        if len(data) > end - start:  # the server ignored the range and sent the whole file
            self._keep_whole(path, data)
            return data[start:end]
        return data

    def _keep_whole(self, path: str, data: bytes) -> None:
        with self._lock:
            self._whole.setdefault(path, bytes(data))
