"""The alert receiver's costs, as ratios against baselines measured in the same run.

- acknowledgement: alerts acknowledged per second by ``incident-nb serve`` under a concurrent
  burst (each one fsync'd before its answer), against durable writes of the same entries alone
  (temp file, fsync, rename, folder fsync) on the same disk;
- webhook to executed notebook: for each alert group of the burst, from its first
  acknowledgement to its notebook executed, median and p95, with ``--workers`` 1 and 2, against
  papermill alone executing the same notebook (the floor of any investigation); and the same
  for a single alert on an idle server.

Usage: python bench/bench_serve.py [--groups N] [--per-group M] [--template IPYNB]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import papermill as pm

from incident_nb.alerts import parse_notification
from incident_nb.incidents import create_incident
from incident_nb.server.queue import DurableQueue

TOKEN = "bench-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def payload(group: int, alert: int) -> dict:
    name = f"BenchGroup{group:02d}"
    return {
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{name}"}}',
        "status": "firing",
        "receiver": "bench",
        "groupLabels": {"alertname": name},
        "commonLabels": {"alertname": name, "service": "shop"},
        "commonAnnotations": {"summary": f"{name} on shop"},
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": name, "service": "shop", "instance": f"i{alert}"},
                "annotations": {"summary": f"{name} on shop"},
                "startsAt": f"2026-11-28T17:{alert % 60:02d}:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": f"{group}-{alert}",
            }
        ],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def papermill_floor(work: Path, template: Path | None, runs: int) -> float:
    alert = parse_notification(payload(99, 0)).alert
    folder = create_incident(alert, work / "floor", template=template)
    notebook = folder / "investigation.ipynb"
    times = []
    for i in range(runs):
        start = time.perf_counter()
        pm.execute_notebook(
            str(notebook),
            str(folder / f"run-{i}.ipynb"),
            cwd=str(folder),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def durable_writes(work: Path, payloads: list[dict]) -> float:
    """Entries per second written durably by the queue alone, one after another."""
    queue = DurableQueue(work / "writes")
    queue.prepare()
    start = time.perf_counter()
    for i, p in enumerate(payloads):
        queue.enqueue("alertmanager", p["groupKey"], f"{i:032x}", p)
    return len(payloads) / (time.perf_counter() - start)


async def burst(url: str, payloads: list[dict]) -> tuple[float, dict[str, float]]:
    """Post all payloads with 32 in flight; return the wall time and each group's first ack."""
    first_ack: dict[str, float] = {}
    semaphore = asyncio.Semaphore(32)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(timeout=60, headers=headers) as client:

        async def one(p: dict) -> None:
            async with semaphore:
                response = await client.post(f"{url}/alerts/alertmanager", json=p)
                assert response.status_code == 202, response.text
                first_ack.setdefault(p["groupKey"], time.perf_counter())

        start = time.perf_counter()
        await asyncio.gather(*(one(p) for p in payloads))
        return time.perf_counter() - start, first_ack


def run_server(work: Path, workers: int, template: Path | None, payloads: list[dict]):
    root = Path(tempfile.mkdtemp(prefix=f"root-{workers}-", dir=work))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "incident-nb"), "serve", "--root", str(root)]
    command += ["--port", str(port), "--workers", str(workers)]
    if template is not None:
        command += ["--template", str(template)]
    env = {**os.environ, "INCIDENT_NB_TOKEN": TOKEN}
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        wall, first_ack = asyncio.run(burst(url, payloads))
        executed: dict[str, float] = {}
        while len(executed) < len(first_ack):
            listing = httpx.get(f"{url}/incidents", timeout=10, headers=AUTH)
            for incident in listing.json()["incidents"]:
                if incident["notebook"] in ("executed", "failed"):
                    executed.setdefault(incident["key"], time.perf_counter())
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(60)
    latencies = sorted(executed[k] - first_ack[k] for k in first_ack)
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    return len(payloads) / wall, statistics.median(latencies), p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--per-group", type=int, default=50)
    parser.add_argument("--template", type=Path, help="default: the built-in investigation")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    try:
        payloads = [payload(g, a) for a in range(args.per_group) for g in range(args.groups)]
        floor = papermill_floor(work, args.template, runs=3)
        writes = durable_writes(work, payloads)
        print(
            f"{len(payloads)} alerts in {args.groups} groups; floor: papermill alone {floor:.2f} s"
        )
        print(f"durable writes alone: {writes:.0f}/s")
        _, single, _ = run_server(work, 1, args.template, [payload(0, 0)])
        print(
            f"one alert, --workers 1: webhook to executed notebook {single:.2f} s = {single / floor:.2f}x floor"
        )
        for workers in (1, 2):
            rate, median, p95 = run_server(work, workers, args.template, payloads)
            print(
                f"--workers {workers}: acknowledged {rate:.0f} alerts/s "
                f"({rate / writes:.2f}x durable writes alone); webhook to executed notebook "
                f"median {median:.2f} s = {median / floor:.2f}x floor, "
                f"p95 {p95:.2f} s = {p95 / floor:.2f}x floor"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
