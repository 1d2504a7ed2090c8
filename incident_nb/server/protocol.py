"""The receiver's HTTP connections: a deadline for each request's headers, a cap on connections.

uvicorn closes a keep-alive connection that stays idle after a response (``timeout_keep_alive``)
and bounds the size of a request's headers (``h11_max_incomplete_event_size``), but it has no
deadline for *receiving* a request: a client that connects and sends nothing, or trickles its
headers a byte at a time, holds a connection and a file descriptor for ever, and enough of them
starve ``/healthz`` and the senders. This protocol is uvicorn's h11 protocol with two additions:

- every request's headers must arrive within ``header_timeout_s`` of the connection opening (or
  of the previous response); otherwise the server answers 408 and closes the connection;
- at most ``max_connections`` connections are open: a new connection beyond the cap closes the
  oldest connection that is not in the middle of a request (idle, or still sending headers),
  so the file descriptors never run out and a new request always gets in.

The body's deadline is the app's (it answers 408, see :mod:`.app`); only requests that carry
the token get their body read at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import time
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from incident_nb.server.limits import (
    FD_LIMIT_TARGET,
    HEADER_TIMEOUT_S,
    MAX_BACKLOG,
    MAX_CONNECTIONS,
    MAX_FDS,
    RESERVED_FDS,
)

_TIMEOUT_BODY = b"the request headers did not arrive in time\n"
_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_TIMEOUT_BODY), _TIMEOUT_BODY)
)


def raise_fd_limit(target: int = FD_LIMIT_TARGET) -> int:
    """Raise the soft file-descriptor limit towards ``target``; return the limit now in force.

    Servers commonly do this (the hard limit is the ceiling): more descriptors, more room for
    connections.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = target if hard == resource.RLIM_INFINITY else min(target, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    return MAX_FDS if soft == resource.RLIM_INFINITY else int(soft)


def connection_budget(fd_limit: int, workers: int = 1) -> tuple[int, int]:
    """How many connections may be open, and how many may wait to be accepted (the backlog).

    Together they stay below the file-descriptor limit (less :data:`RESERVED_FDS`), so the
    server never runs out of descriptors: an accept that fails for want of one would stall
    every new connection, ``/healthz`` included, until old ones close.
    """
    spare = max(fd_limit - RESERVED_FDS - 4 * workers, 24)
    connections = max(8, min(MAX_CONNECTIONS, spare * 2 // 3))
    return connections, max(8, min(MAX_BACKLOG, spare - connections))


@dataclass(frozen=True)
class ConnectionLimits:
    """How long a request's headers may take and how many connections may be open."""

    header_timeout_s: float = HEADER_TIMEOUT_S
    max_connections: int = MAX_CONNECTIONS


class LimitedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header deadline and a connection cap (see the module)."""

    limits = ConnectionLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._opened_at = time.monotonic()
        self._deadline: asyncio.TimerHandle | None = None
        self._waiting_since: object = None

    def _arm(self) -> None:
        self._disarm()
        self._waiting_since = self.cycle
        self._deadline = self.loop.call_later(self.limits.header_timeout_s, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _in_request(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _expired(self) -> None:
        self._deadline = None
        if self._in_request() or self.transport.is_closing():
            return
        self.transport.write(_TIMEOUT_RESPONSE)
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header deadline; make room when the cap is reached."""
        super().connection_made(transport)
        self._arm()
        if len(self.connections) > self.limits.max_connections:
            self._make_room()

    def _make_room(self) -> None:
        idle = sorted(
            (
                c
                for c in self.connections
                if isinstance(c, LimitedH11Protocol) and c is not self and not c._in_request()
            ),
            key=lambda c: c._opened_at,
        )
        victim = idle[0] if idle else self
        victim._disarm()
        victim.transport.close()

    def handle_events(self) -> None:
        """Stop the header deadline once a request's headers are in."""
        super().handle_events()
        if self._deadline is not None and self.cycle is not self._waiting_since:
            self._disarm()

    def on_response_complete(self) -> None:
        """The next request's headers get their own deadline."""
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline."""
        self._disarm()
        super().connection_lost(exc)


def limited_protocol(limits: ConnectionLimits) -> type[LimitedH11Protocol]:
    """The protocol class uvicorn should use for connections with ``limits``."""
    return type("ReceiverH11Protocol", (LimitedH11Protocol,), {"limits": limits})
