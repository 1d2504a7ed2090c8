"""Cost of the change evidence (classify, tags and deploys, rank) over reading the commits.

Builds a repository with COMMITS commits over a day and a release tag every TAG_EVERY commits,
then times, in the same run, ``recent_commits`` (the baseline: gitpython reading the window)
and ``change_evidence`` (everything the ``changes`` command does). Prints the ratio.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git

from incident_nb.evidence.changes import change_evidence
from incident_nb.sources.changes import recent_commits

COMMITS = 200
TAG_EVERY = 20
ONSET = datetime(2026, 11, 20, 14, 7, tzinfo=UTC)
PATHS = (
    "shop/checkout/service.py",
    "shop/catalog/products.py",
    "docs/runbook.md",
    "deploy/values.yaml",
    "migrations/0042.sql",
    "requirements.txt",
    "tests/test_x.py",
)


def build(path: Path) -> None:
    repo = git.Repo.init(path, initial_branch="main")
    with repo:
        with repo.config_writer() as cfg:
            cfg.set_value("user", "name", "Bench")
            cfg.set_value("user", "email", "bench@example.invalid")
        for i in range(COMMITS):
            rel = PATHS[i % len(PATHS)]
            (path / rel).parent.mkdir(parents=True, exist_ok=True)
            (path / rel).write_text(f"{i}\n")
            repo.index.add([rel])
            when = (ONSET - timedelta(minutes=(COMMITS - i) * 7)).strftime("%Y-%m-%dT%H:%M:%S+0000")
            commit = repo.index.commit(f"change {i}", author_date=when, commit_date=when)
            if i % TAG_EVERY == TAG_EVERY - 1:
                repo.create_tag(f"v1.{i}", ref=commit)


def timed(fn: object, runs: int = 3) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        build(repo)
        base = timed(lambda: recent_commits([repo], ONSET))
        full = timed(lambda: change_evidence([repo], ONSET, "shop-api", tag_pattern="v*"))
    print(f"commits={COMMITS} tags={COMMITS // TAG_EVERY}")
    print(f"recent_commits (baseline): {base * 1000:.0f} ms")
    print(f"change_evidence: {full * 1000:.0f} ms  ratio {full / base:.2f}x baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
