"""The incident review as one value, and its terminal summary.

Pure: the records (already read) in, a :class:`Review` of DataFrames out; :func:`summary_text`
formats it for a terminal. Reading records is ``sources.records``; the HTML page is ``html``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from incident_nb.core.humanize import plural
from incident_nb.review import aggregate
from incident_nb.review.frames import Reviewed, actions_frame, incidents_frame

TERMINAL_ROWS = 12


@dataclass(frozen=True)
class Review:
    """Every table of the incident review."""

    as_of: date
    since: date | None
    incidents: pd.DataFrame
    actions: pd.DataFrame
    per_severity: pd.DataFrame
    per_month: pd.DataFrame
    timings: pd.DataFrame
    update_sla: pd.DataFrame
    categories: pd.DataFrame
    recurring: pd.DataFrame
    signatures: pd.DataFrame
    """Error signatures new since the onset in more than one incident."""
    owners: pd.DataFrame
    concentration: aggregate.Concentration
    postmortem_gaps: pd.DataFrame
    skipped: tuple[tuple[str, str], ...] = ()
    """(path, reason) of each record that could not be read."""
    migrated: dict[int, int] = field(default_factory=dict)
    """Records read from an older schema version: version -> count."""


def build_review(
    items: Sequence[Reviewed],
    as_of: date,
    *,
    since: date | None = None,
    skipped: Sequence[tuple[str, str]] = (),
    migrated: dict[int, int] | None = None,
) -> Review:
    """The review of ``items`` (incidents starting on or after ``since``) as of ``as_of``."""
    incidents = incidents_frame(items)
    actions = actions_frame(items, as_of)
    if since is not None:
        incidents = incidents[incidents["start"].dt.date >= since].reset_index(drop=True)
        actions = actions[actions["incident"].isin(incidents["id"])].reset_index(drop=True)
    return Review(
        as_of=as_of,
        since=since,
        incidents=incidents,
        actions=actions,
        per_severity=aggregate.per_severity(incidents),
        per_month=aggregate.per_month(incidents),
        timings=aggregate.timings(incidents),
        update_sla=aggregate.update_sla(incidents),
        categories=aggregate.categories(incidents),
        recurring=aggregate.recurring_causes(incidents),
        signatures=aggregate.recurring_signatures(incidents),
        owners=aggregate.actions_per_owner(actions),
        concentration=aggregate.concentration(incidents),
        postmortem_gaps=aggregate.postmortem_gaps(incidents),
        skipped=tuple(skipped),
        migrated=dict(migrated or {}),
    )


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def minutes_text(value: float) -> str:
    """Minutes as ``1h 05m`` or ``12.5 min``; a dash when unknown."""
    if math.isnan(value):
        return "-"
    if value >= 60:
        whole = round(value)
        return f"{whole // 60}h {whole % 60:02d}m"
    return f"{value:.1f} min"


def concentration_sentence(c: aggregate.Concentration) -> str:
    """The "don't heroize" finding in words, about the system and never about a person."""
    if not c.incidents:
        return "No responders are recorded, so concentration cannot be measured."
    return (
        f"The most involved responder worked on {c.top_share:.0%} of the {c.incidents} "
        f"incidents with known responders ({c.responders} people in all); the three most "
        f"involved on {c.top3_share:.0%}. When one person is in most incidents the system "
        "depends on them: spread on-call, pair on investigations and write runbooks."
    )


def summary_text(review: Review) -> str:
    """The review for a terminal."""
    inc = review.incidents
    lines = [f"Incident review as of {review.as_of.isoformat()}"]
    if review.since:
        lines[0] += f", incidents since {review.since.isoformat()}"
    resolved = int((inc["status"] == "resolved").sum())
    counts = f" ({resolved} resolved, {len(inc) - resolved} open)" if len(inc) else ""
    lines.append(f"{plural(len(inc), 'incident')}{counts}")
    for version, count in sorted(review.migrated.items()):
        lines.append(f"{count} record(s) of schema version {version} read (migrated in memory)")
    for path, reason in review.skipped:
        lines.append(f"skipped {path}: {reason}")
    severities = ", ".join(
        f"{r['severity']} {r['incidents']}" for r in _rows(review.per_severity) if r["incidents"]
    )
    months = ", ".join(f"{r['month']} {r['total']}" for r in _rows(review.per_month))
    lines += ["", f"Per severity: {severities or 'none'}", f"Per month:    {months or 'none'}"]
    lines += ["", "Timings (from the incident's start)   median      p90   incidents"]
    for r in _rows(review.timings):
        lines.append(
            f"  {r['measure']:<35} {minutes_text(r['median_min']):>8} "
            f"{minutes_text(r['p90_min']):>8}   {r['incidents']}"
        )
    lines += ["", "Status updates on the severity's cadence (resolved incidents):"]
    for r in _rows(review.update_sla):
        if r["incidents"]:
            lines.append(
                f"  {r['severity']}: kept {r['kept']} of {r['incidents']}, missed {r['missed']} "
                f"({r['missed_gaps']} late update(s))"
            )
    causes = ", ".join(
        f"{r['category']} {r['incidents']}" for r in _rows(review.categories) if r["incidents"]
    )
    lines += ["", f"Root-cause categories: {causes or 'none recorded'}"]
    if not review.recurring.empty:
        lines.append("Recurring root causes:")
        for r in _rows(review.recurring):
            lines.append(f"  {r['incidents']}x {r['root_cause']} ({', '.join(r['ids'])})")
    if not review.signatures.empty:
        lines.append("Error signatures that came with more than one incident:")
        for r in _rows(review.signatures):
            lines.append(f"  {r['incidents']}x {r['signature']} ({', '.join(r['ids'])})")
    acts = review.actions
    open_, overdue = int((acts["state"] != "done").sum()), int((acts["state"] == "overdue").sum())
    lines += [
        "",
        f"Action items: {len(acts)}: {open_} open ({overdue} overdue), {len(acts) - open_} done"
        if len(acts)
        else "Action items: none",
    ]
    for r in _rows(review.owners):
        lines.append(
            f"  {r['owner']:<20} open {r['open']:>3}  overdue {r['overdue']:>3}  "
            f"done {r['done']:>3}"
        )
    lines += ["", "Don't heroize: " + concentration_sentence(review.concentration)]
    gaps = review.postmortem_gaps
    lines += ["", f"Post-mortems missing or incomplete: {len(gaps)}"]
    for r in _rows(gaps.head(TERMINAL_ROWS)):
        state = "exported" if r["postmortem_exported"] else "not exported"
        issues = f"; check: {r['postmortem_issues']}" if r["postmortem_findings"] else ""
        lines.append(f"  {r['id']} ({r['severity']}): {state}{issues}")
    if len(gaps) > TERMINAL_ROWS:
        lines.append(f"  ... and {len(gaps) - TERMINAL_ROWS} more (all of them in the HTML report)")
    return "\n".join(lines) + "\n"
