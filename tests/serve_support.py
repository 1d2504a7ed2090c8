"""Helpers for the alert receiver's tests: a cheap template, a running server, payloads."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import nbformat

from incident_nb.core.templates import investigation_template

TOKEN = "s3cret-token-for-tests"
FAIL_FLAG = "fail-notebooks"
"""A file of this name in the root makes the cheap notebook fail (to test failures and retry)."""
LOG_LINES = 200
"""Lines of the server's log a failing test shows (its end)."""


KILL_TITLE = "Kernel dies"
"""An alert of this title makes the cheap notebook's kernel exit."""


def cheap_template(folder: Path) -> Path:
    """The real template's parameters cell and one cheap cell, so tests run kernels quickly."""
    real = nbformat.read(investigation_template(), as_version=4)
    (params,) = [c for c in real.cells if "parameters" in c.metadata.get("tags", [])]
    check = nbformat.v4.new_code_cell(
        "import os\n"
        "from pathlib import Path\n"
        f"if title == {KILL_TITLE!r}:\n"
        "    os._exit(1)\n"
        f"if Path('../../{FAIL_FLAG}').exists():\n"
        "    raise RuntimeError('failing on purpose')\n"
        "summary = f'{title} on {service} since {alert_started_at}'\n"
        "print(summary)"
    )
    nb = nbformat.v4.new_notebook(cells=[params, check], metadata=real.metadata)
    path = folder / "cheap.ipynb"
    nbformat.write(nb, path)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """``incident-nb serve`` in a subprocess, stopped by its own PID."""

    def __init__(
        self,
        root: Path,
        *args: str,
        env: dict[str, str] | None = None,
        max_fds: int | None = None,
        wait: bool = True,
    ) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = root.parent / f"serve-{self.port}.log"
        command = [str(Path(sys.executable).parent / "incident-nb"), "serve", "--root", str(root)]
        environment = {**os.environ, "INCIDENT_NB_TOKEN": TOKEN, **(env or {})}

        def limit() -> None:  # in the child, before exec: its file-descriptor limit
            if max_fds is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (max_fds, max_fds))

        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=environment,
                start_new_session=True,  # its own process group, as under systemd
                preexec_fn=limit if max_fds is not None else None,  # noqa: PLW1509
            )
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve did not become ready: {self.log.read_text()}")

    def get(self, path: str) -> Any:
        response = httpx.get(f"{self.url}{path}", timeout=10, headers=auth())
        response.raise_for_status()
        return response.json() if path != "/metrics" else response.text

    def wait_idle(self, expected: int, timeout: float = 120) -> list[dict[str, Any]]:
        """Wait until the queue is empty and ``expected`` incidents are executed or failed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            listing = self.get("/incidents")
            done = [i for i in listing["incidents"] if i.get("notebook") in ("executed", "failed")]
            if listing["queue_depth"] == 0 and len(done) >= expected:
                return list(listing["incidents"])
            time.sleep(0.2)
        raise AssertionError(f"not idle in {timeout} s: {self.get('/incidents')}")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        # pytest shows what a test printed only when it fails: then the server's own account
        # of it (a notebook that failed names its cause there) is beside the assertion.
        lines = self.log.read_text(errors="replace").splitlines()[-LOG_LINES:]
        print(f"--- the server's log ({self.log.name}), last {len(lines)} lines ---")
        print("\n".join(lines))


def metric(text: str, name: str) -> float:
    """The sum of a metric's samples in Prometheus text format."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and (line[len(name)] in " {"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def am_payload(
    group: str, instances: list[tuple[str, str, str]], status: str = "firing"
) -> dict[str, Any]:
    """An Alertmanager v4 notification of ``group`` with (instance, status, startsAt) alerts."""
    alerts = [
        {
            "status": st,
            "labels": {"alertname": group, "service": "shop", "instance": inst},
            "annotations": {"summary": f"{group} on shop"},
            "startsAt": start,
            "endsAt": "0001-01-01T00:00:00Z" if st == "firing" else "2026-11-28T18:00:00Z",
            "generatorURL": "",
            "fingerprint": f"{group}-{inst}",
        }
        for inst, st, start in instances
    ]
    return {
        "receiver": "incident-nb",
        "status": status,
        "alerts": alerts,
        "groupLabels": {"alertname": group, "service": "shop"},
        "commonLabels": {"alertname": group, "service": "shop"},
        "commonAnnotations": {"summary": f"{group} on shop"},
        "externalURL": "http://127.0.0.1:9093",
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{group}"}}',
        "truncatedAlerts": 0,
    }


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}
