"""Deploys: from a deploy log (JSON lines or CSV: time, service, version, sha) and release tags.

Each deploy is tied to the commits it shipped (those reachable from its sha and not from the
previous deploy of the same service), so a change can be dated by when it went live.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import git
import pandas as pd
import pydantic

from incident_nb.core.errors import EvidenceError
from incident_nb.core.models import parse_utc, utc
from incident_nb.sources.changes import open_repo, release_tags

DEPLOY_COLUMNS = ["time", "source", "service", "version", "sha", "repo", "shipped"]


class _DeployLine(pydantic.BaseModel):
    time: str
    service: str = ""
    version: str = ""
    sha: str = ""

    @pydantic.field_validator("time")
    @classmethod
    def _iso(cls, value: str) -> str:
        parse_utc(value)
        return value


def read_deploy_log(path: str | Path) -> pd.DataFrame:
    """Read a deploy log: ``.jsonl``/``.json`` (one object a line) or ``.csv`` with a header.

    Returns columns time (UTC), service, version, sha, oldest first.

    Raises:
        EvidenceError: the file is missing, or a record has no valid ``time`` (its line is named;
            nothing is skipped silently).
    """
    file = Path(path)
    if not file.is_file():
        raise EvidenceError(f"deploy log not found: {file}")
    records: list[tuple[int, object]] = []
    if file.suffix.lower() == ".csv":
        frame = pd.read_csv(file, dtype=str, keep_default_na=False)
        records = [(i + 2, row) for i, row in enumerate(frame.to_dict("records"))]
    else:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                raise EvidenceError(f"{file} line {number}: invalid JSON ({exc.msg})") from None
    rows: list[dict[str, object]] = []
    for number, record in records:
        try:
            entry = _DeployLine.model_validate(record)
        except pydantic.ValidationError as exc:
            problem = exc.errors()[0]
            raise EvidenceError(
                f"{file} line {number}: {'.'.join(map(str, problem['loc']))}: {problem['msg']}; "
                "each deploy needs an ISO-8601 time (and service, version, sha)"
            ) from None
        rows.append(
            {
                "time": parse_utc(entry.time),
                "service": entry.service,
                "version": entry.version,
                "sha": entry.sha,
            }
        )
    out = pd.DataFrame(rows, columns=["time", "service", "version", "sha"])
    out["time"] = pd.to_datetime(out["time"], utc=True)
    return out.sort_values("time", ignore_index=True)


def _resolve(repos: list[git.Repo], ref: str) -> tuple[git.Repo, git.Commit] | None:
    for repo in repos:
        if not ref:
            continue
        try:
            return repo, repo.commit(ref)
        except (git.BadName, ValueError):
            continue
    return None


def deploys(
    repos: Sequence[str | Path],
    since: datetime,
    until: datetime,
    *,
    deploy_log: pd.DataFrame | None = None,
    tag_pattern: str | None = None,
    tags: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Deploys in ``[since, until]`` from the log and/or release tags, with what they shipped.

    A log entry is tied to a commit by its ``sha``, else by a tag named like its ``version``.
    Columns: time, source (``log`` or ``tag``), service, version, sha, repo, shipped (shas).
    Tags already read with ``release_tags`` for the same window can be passed as ``tags``.
    """
    rows: list[dict[str, object]] = []
    opened = [open_repo(p) for p in repos]
    try:
        if deploy_log is not None and not deploy_log.empty:
            previous: dict[tuple[str, str], str] = {}
            for entry in deploy_log.sort_values("time").itertuples(index=False):
                found = _resolve(opened, str(entry.sha)) or _resolve(opened, str(entry.version))
                shipped: list[str] = []
                repo_name, sha = "", str(entry.sha)
                if found is not None:
                    repo, commit = found
                    repo_name, sha = Path(repo.working_tree_dir or "").name, commit.hexsha
                    before = previous.get((str(entry.service), repo_name))
                    rev = f"{before}..{sha}" if before else sha
                    shipped = [
                        c.hexsha
                        for c in repo.iter_commits(rev, max_count=1000)
                        if before or utc(c.committed_datetime) >= since
                    ]
                    previous[(str(entry.service), repo_name)] = sha
                when = pd.Timestamp(str(entry.time)).to_pydatetime()
                if since <= when <= until:
                    rows.append(
                        {
                            "time": when,
                            "source": "log",
                            "service": str(entry.service),
                            "version": str(entry.version),
                            "sha": sha,
                            "repo": repo_name,
                            "shipped": shipped,
                        }
                    )
    finally:
        for repo in opened:
            repo.close()
    if tags is None and tag_pattern is not None:
        tags = release_tags(repos, since, until, tag_pattern)
    if tags is not None:
        rows.extend(
            {
                "time": tag.time,
                "source": "tag",
                "service": "",
                "version": tag.version,
                "sha": tag.sha,
                "repo": tag.repo,
                "shipped": tag.shipped,
            }
            for tag in tags.itertuples(index=False)
        )
    out = pd.DataFrame(rows, columns=DEPLOY_COLUMNS)
    out["time"] = pd.to_datetime(out["time"], utc=True)
    return out.sort_values("time", ignore_index=True)
