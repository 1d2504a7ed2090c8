"""Drafting a stakeholder update from the incident record and the analysis summary.

Pure: the record, the summary the notebook published (or ``None``) and the time in; the update
as plain text and as Markdown out, ready to paste into a chat channel or a status page. What a
person recorded wins over what the evidence suggests (severity, tenants, broken functionality,
trend); the evidence fills what nobody recorded yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident_nb.core import humanize
from incident_nb.core.models import Severity, utc
from incident_nb.core.record import IncidentRecord, TimelineEvent
from incident_nb.core.severity import UpdateDue, next_update
from incident_nb.core.summary import AnalysisSummary

MAX_TENANTS_NAMED = 5
RECENT_ACTIONS = 3
MITIGATION_PREFIXES = ("fix deployed", "rolled back", "rollback deployed", "mitigated")


@dataclass(frozen=True)
class Draft:
    """One drafted update: the same content as plain text and as Markdown."""

    created_at: datetime
    level: Severity | None
    text: str
    markdown: str
    due: UpdateDue | None
    """When the update after this one is due, counting this one as sent now."""
    current: UpdateDue | None = None
    """When this update was (or is) due, before it is sent."""

    def cadence_line(self) -> str:
        """When this update is due and, once it is sent, when the next one is: one sentence.

        The command line says this beside the drafted text, whose "Next update" is the same
        time, so the two never disagree.
        """
        current, after = self.current, self.due
        if current is None:
            return "No cadence yet: decide the severity (SEV-1 every 15 min, SEV-2 every 30)."
        now = self.created_at
        if current.due_at is None or current.overdue:
            line = current.describe(now)
        else:
            left = int((current.due_at - now).total_seconds() // 60)
            line = (
                f"This update is due at {current.due_at:%H:%M} UTC, in {left} min ({current.rule})."
            )
        if after is not None and after.due_at is not None:
            line += f" Once it is sent, the next is due by {after.due_at:%H:%M} UTC."
        return line


def severity_of(record: IncidentRecord, summary: AnalysisSummary | None) -> Severity | None:
    """The decided severity, else the evidence's suggestion, else ``None``."""
    if record.severity.level is not None:
        return record.severity.level
    return summary.severity_suggestion.level if summary else None


def is_mitigation(event: TimelineEvent) -> bool:
    """Whether a timeline event marks the mitigation (its kind, or the fix wording)."""
    if event.kind is not None:
        return event.kind == "mitigated"
    return event.event.strip().lower().startswith(MITIGATION_PREFIXES)


def phase(record: IncidentRecord) -> str:
    """Resolved, mitigated, identified (a root cause is recorded) or investigating."""
    if record.status == "resolved":
        return "resolved"
    if any(is_mitigation(e) for e in record.timeline):
        return "mitigated"
    if record.five_whys.root_cause.strip():
        return "identified"
    return "investigating"


def _tenants(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    names = list(record.impact.affected_tenants)
    if not names and summary:
        names = [t.tenant for t in summary.affected_tenants]
    total = summary.tenants_total if summary else 0
    if not names:
        return "no affected tenants identified yet"
    shown = ", ".join(names[:MAX_TENANTS_NAMED])
    more = f" and {len(names) - MAX_TENANTS_NAMED} more" if len(names) > MAX_TENANTS_NAMED else ""
    of = f" of {total}" if total else ""
    return f"{len(names)}{of} tenants affected ({shown}{more})"


def _features(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    slowed = summary.slowed if summary else None
    if summary and slowed:  # a latency incident: its endpoints are slow, not failing
        before, after = (humanize.milliseconds(v) for v in slowed)
        failing = [
            f"{e.endpoint} is slow (latency up from {before} to {after})"
            for e in summary.failing_endpoints
        ]
    else:
        failing = [
            f"{e.endpoint} fails {humanize.percent(e.error_rate)} of requests"
            for e in (summary.failing_endpoints if summary else ())
            if e.error_rate is not None
        ]
    broken = record.impact.broken_functionality.strip()
    if broken and failing:
        return f"{broken} ({'; '.join(failing)})"
    return broken or "; ".join(failing) or "broken functionality not identified yet"


def _trend(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    parts = []
    rates = summary.error_rate if summary else None
    if rates is not None and rates.since_onset is not None:
        parts.append(f"error rate {humanize.percent(rates.since_onset)} since the onset")
    if rates is not None and rates.peak is not None and rates.peak_at is not None:
        parts.append(f"peak {humanize.percent(rates.peak)} at {utc(rates.peak_at):%H:%M} UTC")
    if record.impact.trend.strip():
        parts.append(f"trend: {record.impact.trend.strip()}")
    elif summary is not None and summary.slowed:
        parts.append(f"latency trend: {summary.trend.text()}")
    elif summary is not None:
        trend = summary.trend
        parts.append(
            f"trend: {trend.direction} ({humanize.slope_text(trend.slope_per_min)} over the "
            f"last {trend.minutes} min)"
        )
    return "; ".join(parts) or "no error-rate evidence yet"


def _cause(record: IncidentRecord) -> str:
    fw = record.five_whys
    if fw.root_cause.strip():
        category = f" ({fw.category})" if fw.category else ""
        return f"{fw.root_cause.strip()}{category}"
    answers = [w.answer.strip() for w in fw.whys if w.answer.strip()]
    if answers:
        return f"under investigation; so far: {answers[-1]}"
    return "under investigation"


def _actions(record: IncidentRecord) -> list[str]:
    people = sorted(
        (e for e in record.timeline if e.source == "person" and e.kind != "update"),
        key=lambda e: utc(e.time),
    )
    done = [f"{utc(e.time):%H:%M} UTC {e.event.strip()}" for e in people[-RECENT_ACTIONS:]]
    if record.rollback_plan.strip() and record.status != "resolved":
        done.append(f"rollback plan: {record.rollback_plan.strip()}")
    return done or ["investigating the evidence"]


def _next_line(due: UpdateDue | None, resolved: bool) -> str:
    if resolved:
        return "final update: the incident is resolved"
    if due is None:
        return "on resolution (severity not decided yet)"
    if due.due_at is None:
        return due.rule
    return f"by {due.due_at:%H:%M} UTC ({due.rule})"


def draft_update(record: IncidentRecord, summary: AnalysisSummary | None, now: datetime) -> Draft:
    """Draft the stakeholder update of ``record`` at ``now`` (aware UTC)."""
    now = utc(now)
    level = severity_of(record, summary)
    resolved = record.status == "resolved"
    before = [utc(u.time) for u in record.updates]
    resolved_at = utc(record.resolved_at) if record.resolved_at else None
    opened = utc(record.created_at)
    due = next_update(level, opened, [*before, now], now, resolved_at) if level else None
    current = next_update(level, opened, before, now, resolved_at) if level else None
    state = phase(record)
    number = len(record.updates) + 1
    sev = level.value if level else "SEV-?"
    head = f"[{sev}] {record.title} ({record.service}): {state}"
    stamp = f"Update {number}, {now:%Y-%m-%d %H:%M} UTC"
    fields = [
        ("Impact", f"{_tenants(record, summary)}; {_features(record, summary)}"),
        ("Trend", _trend(record, summary)),
        ("Cause", _cause(record)),
        ("Being done", "; ".join(_actions(record))),
        ("Next update", _next_line(due, resolved)),
    ]
    if resolved and record.resolved_at is not None:
        fields.insert(0, ("Resolved", f"{utc(record.resolved_at):%Y-%m-%d %H:%M} UTC"))
    text = "\n".join([head, stamp, *(f"{k}: {v}" for k, v in fields)]) + "\n"
    markdown = (
        "\n".join(
            [f"**{_md(head)}**", f"_{stamp}_", "", *(f"- **{k}:** {_md(v)}" for k, v in fields)]
        )
        + "\n"
    )
    return Draft(now, level, text, markdown, due, current)


def _md(value: str) -> str:
    """Keep chat Markdown from interpreting recorded text (links, emphasis, mentions)."""
    out = value
    for char in "\\*_`[]<>":
        out = out.replace(char, "\\" + char)
    return out
