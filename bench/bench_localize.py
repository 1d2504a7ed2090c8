"""Localization accuracy and time on the shared Train-Ticket day (Nezha data set).

Every fault of ``faults.csv`` is localized exactly as the data set's README says: the window
from ``faults.csv``, the fault's three minute files of traces and logs, every metric file, and
the fault-free files as the baseline. The true service is the injected pod's service; AS@k is
the share of faults whose true service is among the first k services of the ranking, Avg@5 the
mean of AS@1..AS@5.

By default each fault runs as a fresh ``incident-nb localize ... --json`` process (start-up
included, as a user would run it); ``--in-process`` calls the library instead, for fast
iteration (the time then excludes start-up).

Usage: python bench/bench_localize.py [--data DIR] [--in-process] [--only N ...] [--verbose]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incident_nb.cli import main as cli_main
from incident_nb.sources.kubernetes import service_of_pod

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "nezha-tt"


def fault_arguments(data: Path, fault: dict[str, str]) -> list[str]:
    """The ``incident-nb localize`` arguments of one fault, as the README gives them."""
    day = fault["day"]
    rca, construct = data / "rca_data" / day, data / "construct_data" / day
    minutes = fault["minute_files"].split()
    baseline_minutes = sorted(
        p.name.split("_trace")[0] for p in (construct / "trace").glob("*_trace.csv.gz")
    )
    return [
        "--traces",
        *[str(rca / "trace" / f"{m}_trace.csv.gz") for m in minutes],
        "--logs",
        *[str(rca / "log" / f"{m}_log.csv.gz") for m in minutes],
        "--metrics",
        *map(str, sorted((rca / "metric").glob("*.csv.gz"))),
        "--window",
        f"{fault['window_start']},{fault['window_end']}",
        "--baseline-traces",
        *[str(construct / "trace" / f"{m}_trace.csv.gz") for m in baseline_minutes],
        "--baseline-logs",
        *[str(construct / "log" / f"{m}_log.csv.gz") for m in baseline_minutes],
        "--baseline-metrics",
        *map(str, sorted((construct / "metric").glob("*.csv.gz"))),
        "--json",
    ]


def run_process(arguments: list[str]) -> dict[str, object]:
    """One fault as a fresh process (60 s limit, as the README's evaluation)."""
    done = subprocess.run(
        [sys.executable, "-c", "from incident_nb.cli import run; run()", "localize", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip() or f"exit status {done.returncode}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def run_in_process(arguments: list[str]) -> dict[str, object]:
    """One fault through the library, as the command would run it."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli_main(["localize", *arguments])
    if status != 0:
        raise RuntimeError(f"exit status {status}")
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def rank_of(payload: dict[str, object], truth: str) -> int | None:
    """1-based rank of ``truth`` among the distinct services, None when it is missing."""
    seen: list[str] = []
    for entry in payload["services"]:  # type: ignore[attr-defined]
        name = entry["service"]
        if name not in seen:
            seen.append(name)
    return seen.index(truth) + 1 if truth in seen else None


def scores(ranks: list[int | None]) -> dict[str, float]:
    """AS@1, AS@3, AS@5 and Avg@5 of the ranks."""
    hit = {k: sum(r is not None and r <= k for r in ranks) / len(ranks) for k in range(1, 6)}
    return {"AS@1": hit[1], "AS@3": hit[3], "AS@5": hit[5], "Avg@5": sum(hit.values()) / 5}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument("--only", type=int, nargs="*", help="fault numbers (0-based rows)")
    parser.add_argument("--verbose", action="store_true", help="print each fault's top evidence")
    args = parser.parse_args()
    with (args.data / "faults.csv").open(newline="") as handle:
        faults = list(csv.DictReader(handle))
    chosen = args.only if args.only else range(len(faults))
    ranks: list[int | None] = []
    seconds: list[float] = []
    for i in chosen:
        fault = faults[i]
        truth = service_of_pod(fault["inject_pod"])
        began = time.perf_counter()
        payload = (run_in_process if args.in_process else run_process)(
            fault_arguments(args.data, fault)
        )
        seconds.append(time.perf_counter() - began)
        ranks.append(rank_of(payload, truth))
        top = [s["service"] for s in payload["services"][:3]]  # type: ignore[index]
        print(
            f"{i:2} {fault['inject_time_utc']} {fault['inject_type']:15} {truth:30} rank {ranks[-1]}  "
            f"{seconds[-1]:5.2f} s  top {top}"
        )
        if args.verbose:
            for entry in payload["services"][:3]:  # type: ignore[index]
                for e in entry["evidence"][:3]:
                    print(
                        f"      {entry['service']:28} {entry['score']:.3f} {e['signal']:9} {e['summary'][:150]}"
                    )
    result = scores(ranks)
    print(
        f"{len(ranks)} faults  "
        + "  ".join(f"{k} {v:.3f}" for k, v in result.items())
        + f"  seconds per fault: median {statistics.median(seconds):.2f}, max {max(seconds):.2f}"
        + (" (in process, start-up excluded)" if args.in_process else " (fresh process each)")
    )


if __name__ == "__main__":
    main()
