"""Log files at remote URIs (``https://``, ``http://``, ``s3://``), read where they are.

Owns which filesystem serves which URI, the checks that turn a missing object, a refused request
or an unreachable host into an error naming the URI and the problem, and registering those
filesystems on a DuckDB connection (through :mod:`.remote_files`) so its readers take a URI as
they take a local path. The Python side (format detection, line counting, examples of bad
lines) reads the same files in order through :func:`open_binary`.

The filesystems are fsspec's, from the optional ``remote`` extra. S3 settings come from the
standard AWS chain (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, instance
roles); the region from ``AWS_REGION`` or ``AWS_DEFAULT_REGION``; a custom endpoint (MinIO,
Ceph, a local test server) from ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``. No message
shows a credential: URIs are shown without their user info and query string (a presigned URL
carries its signature there).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, cast
from urllib.parse import urlsplit, urlunsplit

from incident_nb.core.errors import EvidenceError

if TYPE_CHECKING:
    import duckdb
    from fsspec import AbstractFileSystem

INSTALL = "pip install 'incident-nb[remote]'"
SCHEMES = {"http": "http", "https": "http", "s3": "s3", "s3a": "s3"}
"""URI scheme -> the filesystem that reads it with the DuckDB engine."""
HEAD_BYTES = 1 << 16
"""What is read of a file to tell its format."""
CONNECT_TIMEOUT = 15
"""Seconds to wait for a host to accept a connection before calling it unreachable."""


def scheme(location: str | Path) -> str:
    """The URI scheme of ``location`` (``https``, ``s3``...), or ``""`` for a local path."""
    text = str(location)
    head, sep, _ = text.partition("://")
    return head.lower() if sep and head.isalnum() else ""


def is_remote(location: str | Path) -> bool:
    """Whether ``location`` is a URI the DuckDB engine reads remotely."""
    return scheme(location) in SCHEMES


def display(location: str | Path) -> str:
    """``location`` as it may be shown: a URI without user info or query string."""
    if not scheme(location):
        return str(location)
    parts = urlsplit(str(location))
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "…" if parts.query else "", ""))


def basename(location: str | Path) -> str:
    """The file name of a local path or URI (``s3://b/x/app.jsonl.gz`` -> ``app.jsonl.gz``)."""
    if not scheme(location):
        return Path(location).name
    return PurePosixPath(urlsplit(str(location)).path).name


def _needs_extra(location: str) -> EvidenceError:
    return EvidenceError(
        f"reading {scheme(location)}:// logs needs fsspec, s3fs and aiohttp; install them "
        f"with: {INSTALL}"
    )


def _http_filesystem() -> AbstractFileSystem:
    import aiohttp  # noqa: PLC0415 - optional extra
    from fsspec.implementations.http import HTTPFileSystem  # noqa: PLC0415 - optional extra

    # fsspec keeps one instance (and its connection pool) per set of arguments. Proxies come
    # from the environment (HTTPS_PROXY, NO_PROXY), as for other tools.
    timeout = aiohttp.ClientTimeout(sock_connect=CONNECT_TIMEOUT, sock_read=120)
    return cast(
        "AbstractFileSystem", HTTPFileSystem(client_kwargs={"timeout": timeout, "trust_env": True})
    )


def _s3_filesystem() -> AbstractFileSystem:
    import s3fs  # noqa: PLC0415 - optional extra

    env = os.environ
    endpoint = env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None
    client = {"region_name": region} if region else {}
    # The endpoint, region and profile are arguments, so fsspec's instance cache keys on them:
    # a changed environment gets its own client. Credentials stay with botocore's chain.
    return cast(
        "AbstractFileSystem",
        s3fs.S3FileSystem(
            endpoint_url=endpoint,
            profile=env.get("AWS_PROFILE") or None,
            client_kwargs=client,
            config_kwargs={"connect_timeout": CONNECT_TIMEOUT, "retries": {"max_attempts": 3}},
        ),
    )


def filesystem(location: str) -> AbstractFileSystem:
    """The fsspec filesystem that reads ``location``.

    Raises:
        EvidenceError: the scheme is not read by the DuckDB engine, or the ``remote`` extra is
            not installed (the message names the install line).
    """
    kind = SCHEMES.get(scheme(location))
    if kind is None:
        raise EvidenceError(
            f"{display(location)}: {scheme(location)}:// logs are read by --engine spark only; "
            "with DuckDB use a local path, an https:// or http:// URL, or s3://bucket/key"
        )
    try:
        return _http_filesystem() if kind == "http" else _s3_filesystem()
    except ImportError:
        raise _needs_extra(location) from None


def open_binary(location: str, head: bool = False) -> IO[bytes]:
    """Open the remote file ``location`` to read its bytes as stored (no decompression), in order.

    ``head`` when only its first :data:`HEAD_BYTES` will be read: only they are asked for.
    """
    fs = filesystem(location)
    if SCHEMES[scheme(location)] == "http":
        # One streamed GET: sequential reads need no byte ranges, and any server streams. A
        # server that ignores the head's range streams on until the reader hangs up.
        ranged = {"headers": {"Range": f"bytes=0-{HEAD_BYTES - 1}"}} if head else {}
        return cast("IO[bytes]", fs.open(location, "rb", block_size=0, **ranged))
    sized = {"block_size": HEAD_BYTES} if head else {}
    return cast("IO[bytes]", fs.open(location, "rb", **sized))


def _known_problem(exc: BaseException, kind: str) -> str:
    """What went wrong, in words, from the first error in ``exc``'s chain that says.

    An HTTP status, an untrusted certificate, missing credentials or a failed connection;
    ``""`` when none is there.
    """
    import ssl  # noqa: PLC0415 - only when a read failed: the command line starts without it

    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 5:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    for error in chain:
        status = getattr(error, "status", None)
        if isinstance(status, int) and status >= 400:
            if status in (401, 403):
                return f"access denied (HTTP {status}); check the URL's access or credentials"
            if status == 404:
                return "not found (HTTP 404); check the URL"
            return f"the server answered HTTP {status}"
        name = type(error).__name__
        if "Certificate" in name or isinstance(error, ssl.SSLCertVerificationError):
            return (
                "the server's TLS certificate is not trusted; if a private CA signed it, point "
                "SSL_CERT_FILE at that CA's certificate"
            )
        if "NoCredentials" in name:
            return (
                "no AWS credentials found; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                "AWS_PROFILE"
            )
        if "Reset" in name or "Disconnected" in name:
            return "the server closed the connection midway; try again"
        if "Connect" in name or isinstance(error, TimeoutError | ConnectionError):
            endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
            where = f" {display(endpoint)}" if kind == "s3" and endpoint else ""
            return f"cannot reach the host{where}; check the address and the network"
    return ""


def _problem(exc: BaseException, kind: str, location: str) -> str:
    """What went wrong with ``location``, in words, from the exception fsspec raised."""
    if known := _known_problem(exc, kind):
        return known
    if isinstance(exc, PermissionError):
        return "access denied; check the credentials and the bucket policy"
    if isinstance(exc, FileNotFoundError):
        if kind == "s3":
            if "specified bucket does not exist" in str(exc) or "NoSuchBucket" in str(exc):
                return "the bucket does not exist; check the bucket name and AWS_ENDPOINT_URL"
            return "no such object in the bucket; check the key"
        return "not found; check the URL"
    text = str(exc).splitlines()[0] if str(exc) else "read failed"
    return f"{type(exc).__name__}: {text.replace(location, display(location))}"


def check(location: str) -> int | None:
    """Check that ``location`` is there and readable; return its size in bytes when known.

    Raises:
        EvidenceError: it is missing (object, bucket or URL), access is denied, the host is
            unreachable, it is a folder or empty, or the extra is missing; the message names
            the URI and the problem.
    """
    fs = filesystem(location)
    kind = SCHEMES[scheme(location)]
    try:
        info = fs.info(location)
    except EvidenceError:
        raise
    except Exception as exc:
        raise EvidenceError(
            f"cannot read log file {display(location)}: {_problem(exc, kind, location)}"
        ) from None
    if info.get("type") == "directory":
        raise EvidenceError(
            f"{display(location)} is a folder; name each log object (s3://bucket/key)"
        )
    size = info.get("size")
    if size == 0:
        raise EvidenceError(f"log file is empty: {display(location)}; check the URI or the export")
    return int(size) if size is not None else None


def problem(location: str) -> str:
    """What keeps the remote file ``location`` from being read now, or ``""`` when nothing."""
    try:
        check(location)
    except EvidenceError as exc:
        return str(exc)
    return ""


def register(con: duckdb.DuckDBPyConnection, locations: Iterable[str]) -> None:
    """Let ``con``'s readers open the remote ``locations`` (one filesystem per kind of URI).

    Local files need nothing: the optional extra is imported only when a URI is read.
    """
    kinds = {SCHEMES[scheme(loc)]: loc for loc in locations if is_remote(loc)}
    if not kinds:
        return
    from incident_nb.sources.logs.remote_files import DuckDBFiles  # noqa: PLC0415 - extra

    for kind, location in kinds.items():
        protocols = tuple(name for name, of in SCHEMES.items() if of == kind)
        con.register_filesystem(DuckDBFiles(filesystem(location), protocols))


def read_failed(exc: BaseException, locations: Sequence[str]) -> EvidenceError:
    """An error naming the remote files whose reading failed midway (connection lost...)."""
    shown = [display(loc) for loc in locations]
    text = _known_problem(exc, SCHEMES.get(scheme(locations[0]), "")) if locations else ""
    if not text:
        # DuckDB's message, or the last line of the Python error it wraps; not its query.
        lines = [line for line in str(exc).splitlines() if line.strip()]
        cut = next((i for i, line in enumerate(lines) if line.startswith("LINE ")), len(lines))
        text = lines[cut - 1] if cut else ""
        for loc, safe in zip(locations, shown, strict=False):
            text = text.replace(str(loc), safe)
    return EvidenceError(f"reading {', '.join(shown)} failed: {text.strip() or type(exc).__name__}")
