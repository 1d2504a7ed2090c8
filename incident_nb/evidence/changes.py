"""Change evidence: recent commits, merges and tags before an onset, deploys, ranked suspects.

:func:`change_evidence` reads git repositories (and an optional deploy log) and ranks the
changes most likely to have caused the incident; it raises
:class:`~incident_nb.core.errors.EvidenceError` naming a repository or log it cannot read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd

from incident_nb.analysis.suspects import rank_suspects
from incident_nb.core.findings import SuspectNote
from incident_nb.core.models import utc
from incident_nb.sources.changes import recent_changes, release_tags, with_tags
from incident_nb.sources.deploys import deploys as load_deploys
from incident_nb.sources.deploys import read_deploy_log

DEFAULT_LOOKBACK = timedelta(hours=24)
SUMMARY_SUSPECTS = 5
"""How many suspects the analysis summary carries (the post-mortem shows the top ones)."""
DEPLOY_LOOKAHEAD = timedelta(hours=24)
"""How far after the onset deploys are read: a change first deployed then is not a suspect."""


@dataclass(frozen=True)
class ChangeEvidence:
    """Recent changes before an onset, the deploys around it, and the ranked suspects."""

    changes: pd.DataFrame
    deploys: pd.DataFrame
    suspects: pd.DataFrame


def change_evidence(
    repos: Sequence[str | Path],
    onset: datetime,
    service: str | None = None,
    *,
    lookback: timedelta = DEFAULT_LOOKBACK,
    deploy_log: str | Path | None = None,
    tag_pattern: str | None = "*",
    endpoints: Sequence[str] = (),
    path_services: Mapping[str, str] | None = None,
) -> ChangeEvidence:
    """Changes in ``[onset - lookback, onset]``, deploys and suspects ranked best first.

    Raises:
        EvidenceError: a repository or the deploy log cannot be read.
    """
    onset = utc(onset)
    since, until = onset - lookback, onset + DEPLOY_LOOKAHEAD
    log = read_deploy_log(deploy_log) if deploy_log is not None else None
    commits = recent_changes(repos, onset, lookback, tag_pattern=None)
    tags = None
    if tag_pattern is not None:
        known = dict(zip(commits["sha"], commits["files"], strict=True))
        tags = release_tags(repos, since, until, tag_pattern, known_files=known)
    changes = with_tags(commits, tags, since, onset)
    deploys = load_deploys(repos, since, until, deploy_log=log, tags=tags)
    ranked = rank_suspects(
        changes,
        onset,
        deploys=deploys,
        service=service,
        endpoints=endpoints,
        path_services=path_services,
    )
    return ChangeEvidence(changes, deploys, ranked)


def suspect_notes(suspects: pd.DataFrame, limit: int = SUMMARY_SUSPECTS) -> tuple[SuspectNote, ...]:
    """The top ``limit`` rows of a ranked suspects frame, as the summary's typed notes."""
    rows = suspects.head(limit).to_dict("records")
    return tuple(SuspectNote.from_json({str(k): v for k, v in row.items()}) for row in rows)
