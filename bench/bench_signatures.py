"""Benchmark: grouping a 1M-error-line log with few kinds into signatures.

Generates a text log of N error lines (default 1,000,000) drawn from a handful of kinds, each with
its own ids, numbers, IP addresses, UUIDs and durations (so nearly every line is distinct), then
times, in the same run:

- read: reading the file into messages (``read_messages``, one message per line), and reading
  it as records that may span lines (the default ``auto`` mode);
- mask only: the plain baseline pass that masks every line and nothing else;
- signatures: the whole grouping (``group_messages``: distinct lines, masking, clustering,
  mapping back to every line), and again on as many lines drawn from only 1,000 distinct ones;
- drain3 (when installed, ``pip install drain3``), with default settings and with the masking
  of its example configuration, on the first ``--drain3-lines`` lines, against signatures on
  the same lines.

Figures are printed as lines/s and as ratios against the baselines measured in this run.

With ``--loghub DIR`` (a folder holding ``SYSTEM/SYSTEM_2k.log_structured_corrected.csv`` files
of the loghub benchmark), it also scores the grouping of each system's 2,000 labelled lines:
grouping accuracy (GA) and parsing accuracy (PA, the share of lines whose template is exactly
right once the wildcard conventions are evened out), next to drain3 with default settings
measured in the same run.

    .venv/bin/python bench/bench_signatures.py [--lines N] [--drain3-lines M] [--loghub DIR]
"""

from __future__ import annotations

import argparse
import logging
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from incident_nb.analysis.grouping_accuracy import grouping_accuracy, parsing_accuracy
from incident_nb.analysis.masking import mask_array
from incident_nb.analysis.signatures import group_messages
from incident_nb.sources.messages import read_messages

KINDS: tuple[str, ...] = (
    "payment {n} for order {u} declined by gateway at {ip}",
    "upstream {ip}:{port} timed out after {ms}ms on GET /api/v1/orders/{n}",
    "cache miss for key session:{h} took {ms}ms",
    "worker {n} lost connection to {ip}:{port} (retry {r} of 5)",
    "user {n} not found in tenant t-{r}",
    "deadlock detected while updating row {n} of table invoices",
    "disk usage {r}% on /var/lib/db/{h} exceeds limit",
    "TLS handshake with {ip} failed: certificate expired",
)


def _write_log(path: Path, lines: int, seed: int = 42) -> None:
    rng = random.Random(seed)
    weights = [40, 20, 15, 10, 6, 4, 3, 2]
    with path.open("w", encoding="utf-8") as handle:
        for kind in rng.choices(range(len(KINDS)), weights=weights, k=lines):
            handle.write(
                KINDS[kind].format(
                    n=rng.randrange(10**7),
                    u=uuid.UUID(int=rng.getrandbits(128)),
                    ip=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
                    port=rng.randrange(1024, 65536),
                    ms=rng.randrange(1, 30000),
                    h=f"{rng.getrandbits(48):012x}",
                    r=rng.randrange(1, 100),
                )
                + "\n"
            )


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


# The masking of drain3's example configuration: ids, IPs, hex sequences, hex and numbers.
_DRAIN3_MASKS = (
    (r"((?<=[^A-Za-z0-9])|^)(([0-9a-f]{2,}:){3,}([0-9a-f]{2,}))((?=[^A-Za-z0-9])|$)", "ID"),
    (r"((?<=[^A-Za-z0-9])|^)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})((?=[^A-Za-z0-9])|$)", "IP"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9a-f]{6,} ?){3,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9A-F]{4} ?){4,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)(0x[a-f0-9A-F]+)((?=[^A-Za-z0-9])|$)", "HEX"),
    (r"((?<=[^A-Za-z0-9])|^)([\-\+]?\d+)((?=[^A-Za-z0-9])|$)", "NUM"),
)


def _drain3(messages: list[str], masked: bool) -> int:
    from drain3 import TemplateMiner  # noqa: PLC0415 - optional baseline
    from drain3.masking import MaskingInstruction  # noqa: PLC0415
    from drain3.template_miner_config import TemplateMinerConfig  # noqa: PLC0415

    config = TemplateMinerConfig()
    if masked:
        config.masking_instructions = [MaskingInstruction(p, name) for p, name in _DRAIN3_MASKS]
    miner = TemplateMiner(config=config)
    for message in messages:
        miner.add_log_message(message)
    return len(miner.drain.clusters)


def _drain3_templates(messages: list[str]) -> tuple[list[int], list[str]]:
    """Drain3 with default settings: each line's cluster id and final template."""
    from drain3 import TemplateMiner  # noqa: PLC0415 - optional baseline
    from drain3.template_miner_config import TemplateMinerConfig  # noqa: PLC0415

    logging.getLogger("drain3").setLevel(logging.WARNING)
    miner = TemplateMiner(config=TemplateMinerConfig())
    ids = [miner.add_log_message(message)["cluster_id"] for message in messages]
    clusters = miner.drain.id_to_cluster
    return ids, [clusters[i].get_template() for i in ids]


def score_loghub(folder: Path) -> pd.DataFrame:
    """GA and PA of signatures and of drain3 (default settings) on each labelled system."""
    rows = []
    for path in sorted(folder.glob("*/*_2k.log_structured_corrected.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        content, events = frame["Content"].tolist(), frame["EventId"].tolist()
        truth = frame["EventTemplate"].tolist()
        seconds, grouping = _timed(lambda content=content: group_messages(content))
        ours = grouping.templates()
        row = {
            "system": path.parent.name,
            "GA": grouping_accuracy(ours, events),
            "PA": parsing_accuracy(ours, truth),
            "seconds": seconds,
        }
        try:
            ids, drained = _drain3_templates(content)
        except ImportError:
            pass
        else:
            row |= {
                "drain3 GA": grouping_accuracy(ids, events),
                "drain3 PA": parsing_accuracy(drained, truth),
            }
        rows.append(row)
    return pd.DataFrame(rows)


def _print_loghub(folder: Path) -> None:
    scores = score_loghub(folder)
    if scores.empty:
        print(f"\nno *_2k.log_structured_corrected.csv under {folder}: loghub skipped")
        return
    print(f"\nLoghub 2k (corrected labels), {len(scores)} systems:")
    print(scores.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    means = scores.drop(columns=["system", "seconds"]).mean()
    print("mean: " + ", ".join(f"{name} {value:.3f}" for name, value in means.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--drain3-lines", type=int, default=100_000)
    parser.add_argument("--loghub", type=Path, help="folder of loghub systems to score")
    args = parser.parse_args()
    if args.loghub is not None:
        _print_loghub(args.loghub)

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "errors.log"
        _write_log(log, args.lines)
        log.read_bytes()  # warm the page cache so reading is not a disk benchmark
        read_s, read = _timed(lambda: read_messages(log, "text"))
        records_s, _ = _timed(lambda: read_messages(log, "auto"))
    messages = read.messages
    n = len(messages)
    mask_s, _ = _timed(lambda: mask_array(pa.array(messages.to_numpy(), type=pa.large_string())))
    group_s, grouping = _timed(lambda: group_messages(messages))

    print(f"{n:,} error lines from {len(KINDS)} kinds, {messages.nunique():,} distinct lines")
    print(f"{'step':<28}{'seconds':>9}{'lines/s':>14}")
    print(f"{'read (baseline)':<28}{read_s:>9.2f}{n / read_s:>14,.0f}")
    print(f"{'read as records (auto)':<28}{records_s:>9.2f}{n / records_s:>14,.0f}")
    print(f"{'mask only (baseline)':<28}{mask_s:>9.2f}{n / mask_s:>14,.0f}")
    print(f"{'signatures':<28}{group_s:>9.2f}{n / group_s:>14,.0f}")
    print(f"signatures found: {len(grouping.signatures)} (kinds generated: {len(KINDS)})")
    print(f"signatures / mask-only pass: {group_s / mask_s:.2f}x the time")
    print(f"signatures / reading the file: {group_s / read_s:.2f}x the time")
    # The same number of lines with few distinct ones (no ids in them): distinct-first pays off.
    repeated = messages.iloc[:1000].sample(n, replace=True, random_state=1).reset_index(drop=True)
    repeated_s, _ = _timed(lambda: group_messages(repeated))
    print(
        f"signatures on {n:,} lines with 1,000 distinct: {repeated_s:.2f} s "
        f"({n / repeated_s:,.0f} lines/s, {repeated_s / mask_s:.2f}x the mask-only pass)"
    )
    try:
        import drain3  # noqa: F401, PLC0415 - optional baseline
    except ImportError:
        print("drain3 not installed: skipped (pip install drain3)")
        return
    sample = messages.iloc[: args.drain3_lines].tolist()
    ours_s, ours = _timed(lambda: group_messages(sample))
    found = len(ours.signatures)
    print(f"\nOn the first {len(sample):,} lines, signatures: {ours_s:.2f} s, {found} found")
    for masked in (False, True):
        drain_s, clusters = _timed(lambda masked=masked: _drain3(sample, masked))
        label = "drain3, with its example masking" if masked else "drain3, default settings"
        print(
            f"{label}: {drain_s:.2f} s ({len(sample) / drain_s:,.0f} lines/s, {clusters} clusters)"
            f" -> signatures {drain_s / ours_s:.1f}x faster"
        )


if __name__ == "__main__":
    main()
