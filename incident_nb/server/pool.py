"""The bounded pool of worker processes, supervised by the server.

Workers are started with the ``spawn`` method from the server's main thread (so Linux's
parent-death signal follows the server itself) and replaced if one dies. They report outcomes
on a queue that a thread of the server turns into metrics.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from multiprocessing.context import SpawnProcess

from incident_nb.server.worker import READY, WorkerSettings, worker_main

log = logging.getLogger("incident_nb.server")
_STOP = "stop"


class WorkerPool:
    """``count`` worker processes applying the queue of one root."""

    def __init__(
        self, settings: WorkerSettings, count: int, on_event: Callable[[str], None]
    ) -> None:
        self.settings = settings
        self.count = count
        self.on_event = on_event
        self._context = multiprocessing.get_context("spawn")
        self._stop = self._context.Event()
        self._events = self._context.SimpleQueue()
        self._processes: list[SpawnProcess] = []
        self._reader: threading.Thread | None = None
        self.ready = 0
        """How many workers said they can take work (since the pool started)."""

    def _spawn(self) -> SpawnProcess:
        process = self._context.Process(
            target=worker_main,
            args=(self.settings, self._stop, self._events, os.getpid()),
            name="incident-nb-worker",
            daemon=True,
        )
        process.start()
        return process

    def start(self) -> None:
        """Start the workers and the thread that reads their reports (main thread only)."""
        self._processes = [self._spawn() for _ in range(self.count)]
        self._reader = threading.Thread(target=self._read, name="worker-events", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            event = self._events.get()
            if event == _STOP:
                return
            if event == READY:
                self.ready += 1
                continue
            self.on_event(event)

    def is_ready(self) -> bool:
        """Whether every worker runs and has started up."""
        return self.alive() == self.count and self.ready >= self.count

    def alive(self) -> int:
        """How many workers are running."""
        return sum(p.is_alive() for p in self._processes)

    def supervise(self) -> int:
        """Replace workers that died; return how many were replaced (main thread only)."""
        replaced = 0
        for i, process in enumerate(self._processes):
            if not process.is_alive() and not self._stop.is_set():
                log.warning(
                    "worker %s exited with %s; starting another", process.pid, process.exitcode
                )
                process.close()
                self._processes[i] = self._spawn()
                replaced += 1
        return replaced

    def stop(self, grace_s: float = 10.0) -> None:
        """Ask the workers to finish their current entry and stop; terminate stragglers.

        An entry a worker could not finish stays queued and is processed on the next start.
        """
        self._stop.set()
        for process in self._processes:
            process.join(grace_s)
            if process.is_alive():
                process.terminate()
                process.join(5)
        self._events.put(_STOP)
        if self._reader is not None:
            self._reader.join(5)
