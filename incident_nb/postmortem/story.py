"""What the evidence says, in sentences: the headline and the drafted Summary and Impact.

Pure: the record and the analysis summary in, text out. The demo's closing headline, the
notebook's opening lines, the post-mortem's drafted Summary and its Impact all come from here,
so each number reads the same everywhere. Drafted text is only a proposal: once a person wrote
the Summary (or the user-facing impact), theirs is used, and until then the post-mortem marks
the draft as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident_nb.core import humanize
from incident_nb.core.findings import SuspectNote
from incident_nb.core.models import utc
from incident_nb.core.record import IncidentRecord
from incident_nb.core.summary import AnalysisSummary

DRAFT_MARK = "**Draft from the evidence**, not yet reviewed by a person"
MAX_TENANTS_NAMED = 5


def draft_note(where: str) -> str:
    """The Markdown line that marks drafted text, saying where a person replaces it."""
    return f"> {DRAFT_MARK}: {where}."


def tenants_text(names: list[str], total: int) -> str:
    """``3 of 8 tenants (38%): acme, globex, initech`` (at most five named)."""
    shown = ", ".join(names[:MAX_TENANTS_NAMED])
    more = f" and {len(names) - MAX_TENANTS_NAMED} more" if len(names) > MAX_TENANTS_NAMED else ""
    count = (
        f"{len(names)} of {total} tenants ({len(names) / total:.0%})"
        if total
        else humanize.plural(len(names), "tenant")
    )
    return f"{count}: {shown}{more}"


def latency_text(summary: AnalysisSummary, of: str = "") -> str:
    """``latency rose from 39 ms to 234 ms`` (a latency incident's affected group; else '').

    ``of``: what slowed, named after ``latency`` (``the latency of /api/e3 rose...``).
    """
    slowed = summary.slowed
    if slowed is None:
        return ""
    before, after = (humanize.milliseconds(v) for v in slowed)
    return f"{f'the latency of {of}' if of else 'latency'} rose from {before} to {after}"


def endpoints_label(summary: AnalysisSummary) -> str:
    """``Slow endpoint`` in a latency incident, ``Failing endpoint`` otherwise."""
    return "Slow endpoint" if summary.slowed else "Failing endpoint"


def failing_text(summary: AnalysisSummary) -> str:
    """``/api/v1/checkout: 34.2% of requests failing since the onset`` (each failing endpoint).

    In a latency incident: ``/api/e3: latency rose from 39 ms to 234 ms since the onset``.
    """
    slow = latency_text(summary)
    if slow:
        names = ", ".join(e.endpoint for e in summary.failing_endpoints)
        return f"{names}: {slow} since the onset" if names else ""
    parts = [
        f"{e.endpoint}: {humanize.percent(e.error_rate)} of requests failing"
        for e in summary.failing_endpoints
    ]
    return "; ".join(parts) + " since the onset" if parts else ""


def onset_text(summary: AnalysisSummary) -> str:
    """``2026-11-20 14:07 UTC (error rate shift)``, or why there is none."""
    if summary.onset is None:
        return "no shift found in the evidence"
    signal = f" ({summary.onset_signal} shift)" if summary.onset_signal else ""
    return f"{humanize.moment(summary.onset)}{signal}"


def suspect_text(suspect: SuspectNote, onset: datetime | None) -> str:
    """``f719c84b "Add discount codes to checkout", live with v2.14.0 at 14:04 UTC, 3 min ...``."""
    what = suspect.subject if not suspect.sha else f'{suspect.sha} "{suspect.subject}"'
    if suspect.live_at is None:
        return what
    shipped = f" with {suspect.deploy}" if suspect.deploy else ""
    text = f"{what}, live{shipped} at {humanize.moment(suspect.live_at)}"
    if onset is not None and utc(suspect.live_at) <= utc(onset):
        text += f", {humanize.minutes_between(onset, suspect.live_at)} before the onset"
    return text


def severity_text(summary: AnalysisSummary) -> str:
    """``SEV-2: major feature broken: ...; significant tenant subset affected: ...``."""
    return summary.severity_suggestion.text()


def headline(summary: AnalysisSummary) -> list[tuple[str, str]]:
    """The evidence's findings as (label, value) lines, most important first."""
    lines = [("Onset", onset_text(summary))]
    failing = failing_text(summary)
    lines.append((endpoints_label(summary), failing or "no endpoint's errors rose at the onset"))
    names = [t.tenant for t in summary.affected_tenants]
    lines.append(
        (
            "Affected tenants",
            tenants_text(names, summary.tenants_total) if names else "none measured",
        )
    )
    trend = summary.trend
    lines.append(("Trend", trend.text()))
    lines.append(("Suggested severity", severity_text(summary)))
    if summary.suspects:
        lines.append(("Top suspect change", suspect_text(summary.suspects[0], summary.onset)))
    return lines


def user_facing_draft(summary: AnalysisSummary | None) -> str:
    """What users experienced, as far as the evidence tells (empty when it does not)."""
    if summary is None or not summary.failing_endpoints:
        return ""
    if summary.slowed:
        return failing_text(summary)
    parts = [
        f"{e.endpoint} failed {humanize.percent(e.error_rate)} of requests"
        for e in summary.failing_endpoints
    ]
    return "; ".join(parts) + " since the onset"


def summary_draft(
    record: IncidentRecord, summary: AnalysisSummary | None, end: datetime | None = None
) -> str:
    """One to three sentences on what happened, drafted from the evidence ('' without any).

    ``end`` is when the incident ended, if it did.
    """
    if summary is None or summary.onset is None:
        return ""
    service = f" on {record.service}" if record.service.strip() else ""
    names = [t.tenant for t in summary.affected_tenants]
    who = f" for {tenants_text(names, summary.tenants_total)}" if names else ""
    failing = summary.failing_endpoints
    slow = latency_text(summary)
    if slow and failing:
        what = latency_text(summary, of=" and ".join(e.endpoint for e in failing))
    elif failing:
        what = " and ".join(
            f"{e.endpoint} failed {humanize.percent(e.error_rate)}" for e in failing
        )
        what += " of requests"
    else:
        what = f"{humanize.percent(summary.error_rate.since_onset)} of requests failed"
    if end is not None:
        until = humanize.hhmm(end, summary.onset.date())
        span = f"From {humanize.moment(summary.onset)} to {until} UTC"
    else:
        span = f"Since {humanize.moment(summary.onset)}"
    sentences = [f"{span}, {what}{service}{who}."]
    trend, last = summary.trend, summary.window_end
    if end is None and last is not None:
        still = "still " if trend.direction == "worsening" else ""
        measure, slope = (
            ("latency", f"{trend.slope:+.2f} {trend.unit}")
            if slow
            else ("error rate", humanize.slope_text(trend.slope_per_min))
        )
        sentences.append(
            f"At {humanize.hhmm(last)} UTC, the end of the evidence, the {measure} was {still}"
            f"{trend.direction} ({slope})."
        )
    if summary.suspects:
        sentences.append(
            f"The top suspect is change {suspect_text(summary.suspects[0], summary.onset)}."
        )
    return " ".join(sentences)


@dataclass(frozen=True)
class ImpactSuggestion:
    """Step 1 answers the evidence suggests, as the values a person would record."""

    affected_tenants: tuple[str, ...]
    broken_functionality: str
    started_at: datetime | None
    trend: str


def impact_suggestion(summary: AnalysisSummary | None) -> ImpactSuggestion | None:
    """What the evidence suggests for the impact questions (``None`` without evidence)."""
    if summary is None:
        return None
    trend = summary.trend
    return ImpactSuggestion(
        affected_tenants=tuple(t.tenant for t in summary.affected_tenants),
        broken_functionality=user_facing_draft(summary),
        started_at=summary.onset,
        trend=trend.text(),
    )


def onset_notes(summary: AnalysisSummary | None) -> list[str]:
    """Further sentences about how the incident began, for Step 1 and the Impact section.

    Where the onset search found it: the group whose rate changed first, its levels before
    and after and the strength of the evidence (``Where it started: failures of POST /x for 3
    tenants (a, b, c) rose from 0.2% to 58% at 09:37 UTC; p < 1e-9.``).
    """
    note = summary.onset_note if summary else None
    if note is None or not note.sentence:
        return []
    return [f"Where it started: {note.sentence}."]
