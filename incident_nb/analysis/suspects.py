"""Suspect changes: which recent change most likely caused the incident, and why.

Pure: the changes and deploys frames of :mod:`incident_nb.sources.changes` and
:mod:`incident_nb.sources.deploys` in, a ranked frame out. A commit is dated by when it went
live (the first deploy that shipped it), else by its commit time. The score is

    score = relevance x (0.7 x proximity(live time) + 0.3 x proximity(commit time))

where proximity halves every :data:`HALF_LIFE_MIN` minutes before the onset (the commit time
separates the changes one deploy shipped together: the newest are the least proven), and
relevance is the largest, over the change's files, of the weight of the file's kind times how
clearly the file belongs to the failing service. A change that went live after the onset is
never a suspect; documentation-only changes always rank below the others.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

import pandas as pd

from incident_nb.analysis.change_kinds import classify_path
from incident_nb.core.humanize import moment
from incident_nb.core.models import utc

HALF_LIFE_MIN = 60.0
LIVE_WEIGHT = 0.7
KIND_WEIGHTS: dict[str, float] = {
    "migration": 1.0,
    "code": 0.9,
    "config": 0.85,
    "infra": 0.8,
    "dependencies": 0.7,
    "deploy": 0.7,
    "ci": 0.3,
    "other": 0.3,
    "tests": 0.15,
    "docs": 0.05,
}
# How clearly a file belongs to the failing service.
OWN_SERVICE, UNKNOWN_OWNER, OTHER_SERVICE = 1.0, 0.5, 0.25
_STOP_WORDS = frozenset(
    [
        "api",
        "apis",
        "v1",
        "v2",
        "v3",
        "http",
        "https",
        "www",
        "service",
        "services",
        "svc",
        "app",
        "server",
        "srv",
        "prod",
        "internal",
    ]
)
SUSPECT_COLUMNS = [
    "rank",
    "score",
    "sha",
    "short_sha",
    "time",
    "live_at",
    "repo",
    "type",
    "subject",
    "author",
    "files",
    "kinds",
    "deploy",
    "reasons",
]


def service_tokens(service: str | None, endpoints: Sequence[str] = ()) -> frozenset[str]:
    """Words that name the failing service or endpoints in file paths (e.g. ``checkout``)."""
    words = re.split(r"[^a-z0-9]+", " ".join([service or "", *endpoints]).lower())
    return frozenset(w for w in words if len(w) >= 3 and w not in _STOP_WORDS and not w.isdigit())


def _ownership(
    path: str, service: str | None, tokens: frozenset[str], path_services: Mapping[str, str]
) -> tuple[float, str]:
    for pattern, owner in path_services.items():
        if fnmatchcase(path, pattern):
            if service is not None and owner == service:
                return OWN_SERVICE, f"{path} belongs to {owner}"
            return OTHER_SERVICE, f"{path} belongs to {owner}, not the failing service"
    words = set(re.split(r"[^a-z0-9]+", path.lower()))
    hits = sorted(tokens & words)
    if hits:
        return OWN_SERVICE, f"{path} matches {', '.join(repr(h) for h in hits)}"
    return UNKNOWN_OWNER, ""


def _relevance(
    files: Sequence[str],
    service: str | None,
    tokens: frozenset[str],
    path_services: Mapping[str, str],
) -> tuple[float, list[str]]:
    best, reasons = 0.0, []
    for path in files:
        kind = classify_path(path)
        owned, why = _ownership(path, service, tokens, path_services)
        value = KIND_WEIGHTS.get(kind, 0.3) * owned
        if value > best:
            best = value
            reasons = [f"changes {kind}: {path}" + (f" ({why})" if why else "")]
    return best, reasons


def proximity(minutes_before: float) -> float:
    """1 at the onset, halving every :data:`HALF_LIFE_MIN` minutes before it."""
    return float(0.5 ** (max(minutes_before, 0.0) / HALF_LIFE_MIN))


def _minutes(onset: datetime, when: datetime) -> float:
    return (utc(onset) - utc(when)).total_seconds() / 60.0


def rank_suspects(
    changes: pd.DataFrame,
    onset: datetime,
    *,
    deploys: pd.DataFrame | None = None,
    service: str | None = None,
    endpoints: Sequence[str] = (),
    path_services: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Rank the changes before ``onset``, best suspect first, each with its score and reasons.

    Args:
        changes: commits, merges and tags (columns of ``recent_changes``).
        onset: when the incident started.
        deploys: deploys with the shas they shipped (columns of ``deploys``).
        service: the failing service.
        endpoints: the failing endpoints (their words are matched against file paths).
        path_services: glob of paths -> the service that owns them.
    """
    onset = utc(onset)
    path_services = path_services or {}
    tokens = service_tokens(service, endpoints)
    deploys = deploys if deploys is not None else pd.DataFrame(columns=["time", "shipped"])
    shipped_by: dict[str, tuple[datetime, str]] = {}
    deploy_records = _records(deploys.sort_values("time", ascending=False))
    for dep in deploy_records:
        label = str(dep.get("version") or dep.get("sha") or "")[:40]
        for sha in dep.get("shipped") or []:
            shipped_by[str(sha)] = (_time(dep["time"]), label)
    rows: list[dict[str, object]] = []
    for change in _records(changes):
        when = _time(change["time"])
        if change.get("type") == "tag" or when > onset:
            continue  # tags rank through the commits they shipped
        rows.append(_score(change, when, onset, shipped_by, service, tokens, path_services))
    for dep in deploy_records:
        dep_time = _time(dep["time"])
        if dep.get("source") == "log" and not dep.get("shipped") and dep_time <= onset:
            rows.append(_deploy_row(dep, dep_time, onset, service))
    out = pd.DataFrame([r for r in rows if r], columns=[*SUSPECT_COLUMNS, "docs_only"])
    if out.empty:
        return out[SUSPECT_COLUMNS]
    out = out.sort_values(["docs_only", "score", "time"], ascending=[True, False, False])
    out["rank"] = range(1, len(out) + 1)
    return out[SUSPECT_COLUMNS].reset_index(drop=True)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _time(value: Any) -> datetime:
    return utc(pd.Timestamp(value).to_pydatetime())


def _score(  # noqa: PLR0917 - private helper of rank_suspects
    change: Mapping[str, Any],
    when: datetime,
    onset: datetime,
    shipped_by: Mapping[str, tuple[datetime, str]],
    service: str | None,
    tokens: frozenset[str],
    path_services: Mapping[str, str],
) -> dict[str, object]:
    sha = str(change.get("sha", ""))
    files = [str(f) for f in change.get("files") or []]
    kinds = [str(k) for k in change.get("kinds") or []]
    reasons: list[str] = []
    deploy = shipped_by.get(sha)
    if deploy is not None and deploy[0] > onset:
        return {}  # went live after the onset: cannot have caused it
    if deploy is not None:
        live, label = deploy
        before = f"{_minutes(onset, live):.0f} min before the onset"
        reasons.append(f"deployed by {label} at {moment(live)}, {before}")
    else:
        live, label = when, ""
        reasons.append(
            f"committed {_minutes(onset, when):.0f} min before the onset "
            "(no deploy found that shipped it; dated by its commit time)"
        )
    relevance, why = _relevance(files, service, tokens, path_services)
    reasons.extend(why)
    if "migration" in kinds:
        reasons.append("includes a database migration")
    docs_only = bool(kinds) and set(kinds) <= {"docs"}
    if docs_only:
        reasons.append("documentation only: ranked below code and configuration changes")
    timing = LIVE_WEIGHT * proximity(_minutes(onset, live)) + (1 - LIVE_WEIGHT) * proximity(
        _minutes(onset, when)
    )
    return {
        "rank": 0,
        "score": round(relevance * timing, 4),
        "sha": sha,
        "short_sha": sha[:8],
        "time": when,
        "live_at": live,
        "repo": change.get("repo", ""),
        "type": change.get("type", "commit"),
        "subject": change.get("subject", ""),
        "author": change.get("author", ""),
        "files": files,
        "kinds": kinds,
        "deploy": label,
        "reasons": reasons,
        "docs_only": docs_only,
    }


def _deploy_row(
    dep: Mapping[str, Any], when: datetime, onset: datetime, service: str | None
) -> dict[str, object]:
    dep_service = str(dep.get("service") or "")
    owned = OWN_SERVICE if service and dep_service == service else OTHER_SERVICE
    version = str(dep.get("version") or "")
    sha = str(dep.get("sha") or "")
    reasons = [
        f"deploy of {dep_service or 'a service'} {version} at {moment(when)}, "
        f"{_minutes(onset, when):.0f} min before the onset",
        "its commits are not in the given repositories",
    ]
    return {
        "rank": 0,
        "score": round(KIND_WEIGHTS["deploy"] * owned * proximity(_minutes(onset, when)), 4),
        "sha": sha,
        "short_sha": sha[:8],
        "time": when,
        "live_at": when,
        "repo": "",
        "type": "deploy",
        "subject": f"Deploy {dep_service} {version}".strip(),
        "author": "",
        "files": [],
        "kinds": ["deploy"],
        "deploy": version,
        "reasons": reasons,
        "docs_only": False,
    }


def first_hypothesis(suspects: pd.DataFrame, onset: datetime | None = None) -> str | None:
    """The top suspect phrased as the first answer of the 5 Whys, or None without suspects.

    In words a person would write: which change, when it went live (with which deploy) and,
    given the onset, how long before the errors began.
    """
    if suspects.empty:
        return None
    top = suspects.iloc[0]
    deploy = str(top["deploy"] or "")
    if top["type"] == "deploy":
        what = str(top["subject"])
    else:
        what = f'Change {top["short_sha"]} "{top["subject"]}"'
    live = pd.Timestamp(top["live_at"])
    if pd.isna(live):
        return f"{what} was made before the errors began"
    when = utc(live.to_pydatetime())
    shipped = f" with {deploy}" if deploy and top["type"] != "deploy" else ""
    before = (
        f", {_minutes(utc(onset), when):.0f} min before the errors began"
        if onset is not None
        else ", before the errors began"
    )
    return f"{what} went live{shipped} at {moment(when)}{before}"
