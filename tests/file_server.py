"""A real local HTTP(S) server of a folder's files, with byte ranges, as log stores serve them.

Paths under ``/private/`` answer 403, missing files 404, and files under ``/broken/`` answer
HEAD but fail every GET (500); ``ranges=False`` makes a server that
ignores ``Range`` (as ``python -m http.server`` does) and always sends the whole file. ``tls_files`` makes a self-signed
certificate for 127.0.0.1 so the same server can speak HTTPS to a client that trusts it.
"""

from __future__ import annotations

import datetime
import functools
import io
import re
import ssl
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class _Handler(SimpleHTTPRequestHandler):
    served: list[int]
    ranges: bool

    def log_message(self, *_args: object) -> None:
        pass

    def copyfile(self, source: IO[bytes], outputfile: IO[bytes]) -> None:  # type: ignore[override]
        sent = 0
        try:
            while chunk := source.read(1 << 16):
                outputfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a client that read only the head of a file hangs up
        self.served.append(sent)

    def send_head(self) -> IO[bytes] | None:  # type: ignore[override]
        if self.path.startswith("/private/"):
            self.send_error(403)
            return None
        broken = self.path.startswith("/broken/")
        path = Path(self.translate_path(self.path.removeprefix("/broken")))
        if not path.is_file():
            self.send_error(404)
            return None
        if broken and self.command == "GET":
            self.send_error(500)
            return None
        size = path.stat().st_size
        status, start, end = 200, 0, size - 1
        match = _RANGE.match(self.headers.get("Range", "")) if self.ranges else None
        if match and (match[1] or match[2]):
            if match[1]:
                start, end = int(match[1]), min(int(match[2] or size - 1), size - 1)
            else:
                start = max(0, size - int(match[2]))
            if start >= size:
                self.send_error(416)
                return None
            status = 206
        body = b""
        if self.command == "GET":
            with path.open("rb") as handle:
                handle.seek(start)
                body = handle.read(end - start + 1)
        self.send_response(status)
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start + 1))
        if self.ranges:
            self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return io.BytesIO(body)


class FileServer:
    """Serves ``folder`` on 127.0.0.1 (HTTPS with ``tls``); ``served``: body bytes per GET."""

    def __init__(
        self, folder: Path, tls: tuple[Path, Path] | None = None, ranges: bool = True
    ) -> None:
        self.served: list[int] = []
        handler = type("Handler", (_Handler,), {"served": self.served, "ranges": ranges})
        self.server = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
        )
        scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def tls_files(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (PEM files in ``folder``)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file
