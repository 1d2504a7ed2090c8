"""Recent changes from git repositories (gitpython): commits, merges and tags before an onset.

Each change is classified by the kinds of files it touches (code, config, infra, migration, ...),
and each release tag lists the commits it shipped, so that deploys can be tied to commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import Path

import git
import pandas as pd

from incident_nb.analysis.change_kinds import classify_files
from incident_nb.core.errors import EvidenceError
from incident_nb.core.models import utc

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


CHANGE_TABLE_COLUMNS = [
    "time",
    "repo",
    "type",
    "sha",
    "short_sha",
    "subject",
    "author",
    "files",
    "kinds",
    "shipped",
]


def open_repo(path: str | Path) -> git.Repo:
    """Open a git repository.

    Raises:
        EvidenceError: the path is not a git repository.
    """
    try:
        return git.Repo(path, search_parent_directories=False)
    except (git.NoSuchPathError, git.InvalidGitRepositoryError):
        raise EvidenceError(
            f"not a git repository: {path}; pass --repo a repository folder"
        ) from None


def recent_changes(
    repos: Sequence[str | Path],
    until: datetime,
    lookback: timedelta = timedelta(hours=24),
    tag_pattern: str | None = "*",
) -> pd.DataFrame:
    """Commits, merges and tags of ``[until - lookback, until]``, newest first, classified.

    Columns: time, repo, type (``commit``, ``merge`` or ``tag``), sha (full; a tag's commit),
    short_sha, subject, author, files, kinds (see :mod:`incident_nb.analysis.change_kinds`) and
    shipped (for a tag: the shas of the commits it released since the previous matching tag).

    Raises:
        EvidenceError: a path is not a git repository.
    """
    commits = recent_commits(repos, until, lookback)
    commits["type"] = ["merge" if m else "commit" for m in commits["merge"]]
    commits["kinds"] = [classify_files(f) for f in commits["files"]]
    commits["shipped"] = [[] for _ in range(len(commits))]
    since = utc(until) - lookback
    tags = None
    if tag_pattern is not None:
        known = dict(zip(commits["sha"], commits["files"], strict=True))
        tags = release_tags(repos, since, utc(until), tag_pattern, known_files=known)
    return with_tags(commits[CHANGE_TABLE_COLUMNS], tags, since, utc(until))


def with_tags(
    changes: pd.DataFrame, tags: pd.DataFrame | None, since: datetime, until: datetime
) -> pd.DataFrame:
    """The changes with the tags (of :func:`release_tags`) dated in ``[since, until]`` added."""
    frames = [changes[CHANGE_TABLE_COLUMNS]]
    if tags is not None and not tags.empty:
        times = pd.to_datetime(tags["time"], utc=True)
        frames.append(tags[(times >= since) & (times <= until)][CHANGE_TABLE_COLUMNS])
    frame = pd.concat([f for f in frames if not f.empty] or frames, ignore_index=True)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return frame.sort_values("time", ascending=False, ignore_index=True)


def release_tags(
    repos: Sequence[str | Path],
    since: datetime,
    until: datetime,
    pattern: str = "*",
    known_files: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Tags whose name matches ``pattern`` (fnmatch) dated in ``[since, until]``.

    A tag's time is its tagger date (annotated tags) or its commit's date; ``shipped`` lists the
    commits reachable from it and not from the previous matching tag (all commits since
    ``since`` for the first one). ``files`` and ``kinds`` cover everything it shipped; the
    files of commits in ``known_files`` (sha -> files) are not read again.
    """
    known_files = known_files or {}
    rows: list[dict[str, object]] = []
    for path in repos:
        with open_repo(path) as repo:
            name = Path(repo.working_tree_dir or path).name
            tags = []
            for ref in repo.tags:
                if not fnmatchcase(ref.name, pattern):
                    continue
                obj = ref.tag
                when = (
                    datetime.fromtimestamp(obj.tagged_date, UTC)
                    if obj is not None
                    else utc(ref.commit.committed_datetime)
                )
                subject = obj.message.strip().splitlines()[0] if obj and obj.message else ""
                tags.append((when, ref.name, ref.commit, subject or f"Tag {ref.name}"))
            tags.sort(key=lambda item: item[0])
            previous: str | None = None
            for when, tag_name, commit, subject in tags:
                before, previous = previous, commit.hexsha
                if not since <= when <= until:
                    continue
                rev = f"{before}..{commit.hexsha}" if before else commit.hexsha
                shipped = [
                    c
                    for c in repo.iter_commits(rev, max_count=1000)
                    if before or utc(c.committed_datetime) >= since
                ]
                files = sorted(
                    {str(f) for c in shipped for f in (known_files.get(c.hexsha) or c.stats.files)}
                )
                rows.append(
                    {
                        "time": when,
                        "repo": name,
                        "type": "tag",
                        "sha": commit.hexsha,
                        "short_sha": commit.hexsha[:8],
                        "subject": subject,
                        "author": str(obj.tagger.name) if obj is not None else "",
                        "files": files,
                        "kinds": classify_files(files),
                        "shipped": [c.hexsha for c in shipped],
                        "version": tag_name,
                    }
                )
    return pd.DataFrame(rows, columns=[*CHANGE_TABLE_COLUMNS, "version"])
