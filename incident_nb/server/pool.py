"""The bounded pool of worker processes, supervised by the server.

Each worker is a fresh Python process (``python -m incident_nb.server.worker``) started from the
server's main thread, so Linux's parent-death signal follows the server itself, with:

- a clean environment: the receiver's secrets (:data:`SECRET_VARIABLES` and their ``_FILE``
  forms) are left out of the environment block it is started with, so neither its notebooks'
  kernels nor ``/proc/<pid>/environ`` ever show them;
- its own session, so a SIGTERM to the server's process group (systemd, ``timeout``) reaches
  the server, which then stops the workers in order;
- a pipe of its own on which it writes its outcomes, one line each.

Server and workers share no lock, event or queue: the server stops a worker with SIGTERM
(it finishes its current entry), then SIGKILL after a grace period, so a worker that died in
any state (even killed by the OOM killer in the middle of a write) never blocks the stop, and
a worker that died is replaced.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from incident_nb.server.limits import SHUTDOWN_GRACE_S
from incident_nb.server.worker import READY, WorkerSettings

log = logging.getLogger("incident_nb.server")

SECRET_VARIABLES = ("INCIDENT_NB_TOKEN", "INCIDENT_NB_PAGERDUTY_SECRET")
"""The receiver's secrets: never in a worker's environment, so notebooks never see them."""
_READ_TICK_S = 0.2


def worker_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` without the receiver's secrets (or the names of the files holding them)."""
    hidden = {*SECRET_VARIABLES, *(f"{name}_FILE" for name in SECRET_VARIABLES)}
    return {k: v for k, v in environ.items() if k not in hidden}


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    events: int
    """The read end of the worker's pipe (closed by the reader thread at end of file)."""
    buffer: bytes = b""
    ready: bool = False


@dataclass
class _Readers:
    """The pipes the reader thread watches; only that thread closes them."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    workers: list[_Worker] = field(default_factory=list)


class WorkerPool:
    """``count`` worker processes applying the queue of one root."""

    def __init__(
        self, settings: WorkerSettings, count: int, on_event: Callable[[str], None]
    ) -> None:
        self.settings = settings
        self.count = count
        self.on_event = on_event
        self._workers: list[_Worker] = []
        self._readers = _Readers()
        self._stopping = threading.Event()
        self._reader: threading.Thread | None = None

    def _command(self, events_fd: int) -> list[str]:
        s = self.settings
        command = [sys.executable, "-m", "incident_nb.server.worker", "--root", str(s.root)]
        command += ["--timeout", str(s.timeout), "--events-fd", str(events_fd)]
        command += ["--parent", str(os.getpid())]
        return command + (["--template", str(s.template)] if s.template else [])

    def _spawn(self) -> _Worker:
        read_end, write_end = os.pipe()
        try:
            process = subprocess.Popen(
                self._command(write_end),
                env=worker_environment(os.environ),
                pass_fds=(write_end,),
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)  # the worker holds the only write end: its death means EOF
        worker = _Worker(process, read_end)
        with self._readers.lock:
            self._readers.workers.append(worker)
        return worker

    def start(self) -> None:
        """Start the workers and the thread that reads their reports (main thread only)."""
        self._workers = [self._spawn() for _ in range(self.count)]
        self._reader = threading.Thread(target=self._read, name="worker-events", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            with self._readers.lock:
                watched = list(self._readers.workers)
            if not watched and self._stopping.is_set():
                return
            by_fd = {w.events: w for w in watched}
            try:
                readable, _, _ = select.select(list(by_fd), [], [], _READ_TICK_S)
            except (OSError, ValueError):
                readable = []
            if not by_fd:
                time.sleep(_READ_TICK_S)
            for fd in readable:
                self._drain(by_fd[fd])

    def _drain(self, worker: _Worker) -> None:
        try:
            data = os.read(worker.events, 4096)
        except OSError:
            data = b""
        if not data:  # the worker is gone
            with self._readers.lock:
                self._readers.workers.remove(worker)
            os.close(worker.events)
            return
        *lines, worker.buffer = (worker.buffer + data).split(b"\n")
        for line in lines:
            event = line.decode("ascii", "replace").strip()
            if event == READY:
                worker.ready = True
            elif event:
                self.on_event(event)

    def is_ready(self) -> bool:
        """Whether every worker runs and has started up."""
        running = [w for w in self._workers if w.process.poll() is None]
        return len(running) == self.count and all(w.ready for w in running)

    def alive(self) -> int:
        """How many workers are running."""
        return sum(w.process.poll() is None for w in self._workers)

    def pids(self) -> list[int]:
        """The process ids of the workers."""
        return [w.process.pid for w in self._workers]

    def supervise(self) -> int:
        """Replace workers that died; return how many were replaced (main thread only)."""
        replaced = 0
        for i, worker in enumerate(self._workers):
            code = worker.process.poll()
            if code is not None and not self._stopping.is_set():
                log.warning("worker %s exited with %s; starting another", worker.process.pid, code)
                self._workers[i] = self._spawn()
                replaced += 1
        return replaced

    def stop(self, grace_s: float = SHUTDOWN_GRACE_S) -> None:
        """Ask the workers to finish their current entry and stop; kill them after ``grace_s``.

        An entry a worker could not finish stays queued and is processed on the next start.
        """
        self._stopping.set()
        for worker in self._workers:
            if worker.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for worker in self._workers:
            try:
                worker.process.wait(max(deadline - time.monotonic(), 0.01))
            except subprocess.TimeoutExpired:
                log.warning(
                    "worker %s did not stop in %.0f s; killing it", worker.process.pid, grace_s
                )
                worker.process.kill()
                worker.process.wait()
        if self._reader is not None:
            self._reader.join(2 * _READ_TICK_S + 1)
        with self._readers.lock:
            for worker in self._readers.workers:
                os.close(worker.events)
            self._readers.workers.clear()
