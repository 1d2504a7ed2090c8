"""Recent changes from git repositories (gitpython): the commits before an incident's onset."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import git
import pandas as pd

from incident_nb.errors import EvidenceError
from incident_nb.models import utc

CHANGE_COLUMNS = ["time", "repo", "sha", "short_sha", "subject", "author", "files", "merge"]


def recent_commits(
    repos: Sequence[str | Path], until: datetime, lookback: timedelta = timedelta(hours=24)
) -> pd.DataFrame:
    """Commits of every branch committed in ``[until - lookback, until]``, newest first.

    Raises:
        EvidenceError: a path is not a git repository.
    """
    since = utc(until) - lookback
    rows: list[dict[str, object]] = []
    for path in repos:
        try:
            repo = git.Repo(path, search_parent_directories=False)
        except (git.NoSuchPathError, git.InvalidGitRepositoryError):
            raise EvidenceError(
                f"not a git repository: {path}; pass --repo a repository folder"
            ) from None
        with repo:
            if not repo.head.is_valid():
                continue
            seen: set[str] = set()
            for commit in repo.iter_commits(
                "--all", since=since.isoformat(), until=utc(until).isoformat()
            ):
                if commit.hexsha in seen:
                    continue
                seen.add(commit.hexsha)
                when = utc(commit.committed_datetime)
                if not since <= when <= utc(until):
                    continue
                rows.append(
                    {
                        "time": when,
                        "repo": Path(repo.working_tree_dir or path).name,
                        "sha": commit.hexsha,
                        "short_sha": commit.hexsha[:8],
                        "subject": str(commit.summary),
                        "author": str(commit.author.name),
                        "files": sorted(str(f) for f in commit.stats.files),
                        "merge": len(commit.parents) > 1,
                    }
                )
    frame = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    if not frame.empty:
        frame["time"] = pd.to_datetime(frame["time"], utc=True)
        frame = frame.sort_values("time", ascending=False, ignore_index=True)
    return frame
