"""The receiver's limits, in one place: what a client may send and how long it may take.

Plain values with no dependency, so the command line can show them as defaults without loading
the server. The README's serve section documents each of them.
"""

from __future__ import annotations

MAX_BODY = 1024 * 1024
"""Bytes of one notification at most (``--max-body``); a larger one gets 413."""
HEADER_TIMEOUT_S = 10.0
"""Seconds a request's headers may take to arrive (``--header-timeout``); then 408."""
BODY_TIMEOUT_S = 30.0
"""Seconds a request's body may take to arrive once its headers are in (``--body-timeout``)."""
KEEP_ALIVE_S = 5
"""Seconds an idle keep-alive connection stays open after a response."""
MAX_HEADER_BYTES = 16 * 1024
"""Bytes of a request's headers at most."""
MAX_CONNECTIONS = 1000
"""Open connections at most (``--max-connections``; lower when file descriptors are few)."""
MAX_BACKLOG = 2048
"""Connections waiting to be accepted at most (fewer when file descriptors are few)."""
RESERVED_FDS = 64
"""File descriptors kept free for the server's own files, pipes and locks."""
FD_LIMIT_TARGET = 65536
"""The server raises its soft file-descriptor limit to this (or to the hard limit)."""
MAX_FDS = 1 << 20
"""What an unlimited file-descriptor limit counts as."""
SHUTDOWN_GRACE_S = 5
"""Seconds requests in flight, and a worker's current entry, get to finish on shutdown."""
ALERTS_PER_NOTIFICATION = 100
"""Alerts of one notification turned into timeline events and tracked one by one; the rest
are summarised in one event that counts them by label."""
