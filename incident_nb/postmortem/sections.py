"""Record and analysis rendered as Markdown sections, shared by the notebook and the exports.

Pure functions of the incident record and the analysis summary. Everything a person, an alert
or a log wrote is escaped, so that text such as ``<script>`` or ``### Root Cause`` shows as
text wherever Markdown is rendered; what sits in a one-line place (a bullet, a title) is kept on
one line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from incident_nb.core import humanize
from incident_nb.core.models import utc
from incident_nb.core.record import IncidentRecord, TimelineEvent
from incident_nb.core.severity import level_info
from incident_nb.core.summary import AnalysisSummary
from incident_nb.core.text import cell, inline, text
from incident_nb.core.workflow import DEPLOYMENT_CHECKLIST, FIX_CHECKLIST, STAGING_STEPS
from incident_nb.postmortem import story

EMPTY = "_Not recorded yet._"


def bullets(items: Iterable[str]) -> str:
    """A Markdown bullet list, or the "not recorded" marker when there are no items."""
    lines = [f"- {inline(i)}" for i in items if i.strip()]
    return "\n".join(lines) if lines else EMPTY


def paragraph(value: str) -> str:
    """Escaped prose, or the "not recorded" marker."""
    return text(value) if value.strip() else EMPTY


def hhmm(when: datetime, day: date | None = None) -> str:
    """``HH:MM`` in UTC, with the date in front when it is not ``day``."""
    return humanize.hhmm(when, day)


def duration_text(delta: timedelta) -> str:
    """``1 hour 35 minutes`` (the template's ``X hours Y minutes``, in good English)."""
    return humanize.duration_text(delta)


def incident_start(record: IncidentRecord, summary: AnalysisSummary | None) -> datetime:
    """When the incident started: a person's answer, else the detected onset, else the alert."""
    if record.impact.started_at is not None:
        return utc(record.impact.started_at)
    if summary and summary.onset is not None:
        return utc(summary.onset)
    return utc(record.alert.started_at)


def incident_end(record: IncidentRecord) -> datetime | None:
    """When the incident ended, if it did."""
    if record.resolved_at is not None:
        return utc(record.resolved_at)
    if record.alert.status == "resolved" and record.alert.ends_at is not None:
        return utc(record.alert.ends_at)
    return None


def evidence_end(summary: AnalysisSummary | None) -> datetime | None:
    """The last moment the evidence covers."""
    return utc(summary.window_end) if summary and summary.window_end else None


def severity_line(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    """The severity with its reason: ``SEV-2: <reason>``, or the suggestion marked as such."""
    level = record.severity.level
    if level is not None:
        reason = record.severity.reason.strip()
        return (
            f"{level.value}: {inline(reason)}" if reason else f"{level.value} (no reason recorded)"
        )
    if summary:
        note = summary.severity_suggestion
        reasons = "; ".join(inline(r) for r in note.reasons)
        why = f": {reasons}" if reasons else ""
        if note.level is None:
            return f"not suggested: the evidence cannot judge{why}"
        return f"{note.level.value}, suggested from the evidence (not yet confirmed){why}"
    return EMPTY


def severity_detail(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    """The chosen or suggested severity with its reasons and the response it implies."""
    lines = []
    suggestion = summary.severity_suggestion if summary else None
    level = record.severity.level or (suggestion.level if suggestion else None)
    if level is None:
        return EMPTY
    info = level_info(level)
    if record.severity.level is not None:
        lines.append(f"**Severity: {level.value}** (decided)")
        if record.severity.reason.strip():
            lines.append(f"- Reason: {inline(record.severity.reason)}")
    else:
        lines.append(f"**Suggested severity: {level.value}** (not yet confirmed)")
    if suggestion:
        lines.extend(f"- Evidence: {inline(r)}" for r in suggestion.reasons)
    lines.append(f"- Criteria: {info.criteria}")
    lines.append(f"- Response: {info.response}")
    lines.append(f"- Watch period after the fix: {info.watch_period_min} minutes")
    return "\n".join(lines)


def affected_tenants(
    record: IncidentRecord, summary: AnalysisSummary | None
) -> tuple[list[str], int]:
    """Affected tenant names (a person's list wins over the evidence) and the tenant total."""
    total = summary.tenants_total if summary else 0
    if record.impact.affected_tenants:
        return list(record.impact.affected_tenants), total
    names = [t.tenant for t in summary.affected_tenants] if summary else []
    return names, total


def time_span(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    """``14:07 to 15:42 UTC``, or how far the evidence reaches while the incident is ongoing."""
    start = incident_start(record, summary)
    end = incident_end(record)
    if end is not None:
        return f"{hhmm(start)} to {hhmm(end, start.date())} UTC"
    if (last := evidence_end(summary)) is not None:
        return (
            f"{hhmm(start)} to {hhmm(last, start.date())} UTC (ongoing at the end of the evidence)"
        )
    return f"{hhmm(start)} UTC to ongoing"


def impact_lines(record: IncidentRecord, summary: AnalysisSummary | None) -> list[str]:
    """The four bullets of the template's Impact section (and what the onset adds)."""
    names, total = affected_tenants(record, summary)
    if names:
        share = f" ({len(names) / total:.0%} of total)" if total else ""
        tenants = f"{len(names)}{share}: {', '.join(inline(n) for n in names)}"
    else:
        tenants = "0 measured" if summary else EMPTY
    user_facing = record.narrative.user_facing_impact.strip()
    drafted = story.user_facing_draft(summary)
    facing = inline(user_facing) if user_facing else (inline(drafted) if drafted else EMPTY)
    data = record.narrative.data_impact.strip()
    lost = "Data loss reported" if record.impact.data_loss else EMPTY
    data_text = inline(data) if data else lost
    lines = [
        f"- **Tenants affected**: {tenants}",
        f"- **Duration**: {time_span(record, summary)}",
        f"- **User-facing impact**: {facing}",
        f"- **Data impact**: {data_text}",
    ]
    return lines + [f"- {text(note)}" for note in story.onset_notes(summary)]


def timeline(record: IncidentRecord, summary: AnalysisSummary | None) -> list[TimelineEvent]:
    """The record's timeline, plus the evidence's first error when nobody recorded it; sorted."""
    events = list(record.timeline)
    names = {e.event.lower() for e in events}
    first = summary.first_error.ts if summary and summary.first_error else None
    if first is not None and "first error logged" not in names:
        events.append(
            TimelineEvent(
                time=first,
                event="First error logged",
                source="evidence",
            )
        )
    return sorted(events, key=lambda e: utc(e.time))


def timeline_table(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    """The Timeline (UTC) table."""
    events = timeline(record, summary)
    if not events:
        return EMPTY
    day = incident_start(record, summary).date()
    rows = ["| Time | Event |", "|------|-------|"]
    rows.extend(f"| {hhmm(e.time, day)} | {cell(e.event)} |" for e in events)
    return "\n".join(rows)


def root_cause(record: IncidentRecord) -> str:
    """The 5 Whys as a numbered list, then the root cause and its category."""
    fw = record.five_whys
    answered = [w for w in fw.whys if w.answer.strip()]
    if not (fw.problem.strip() or answered or fw.root_cause.strip()):
        return EMPTY
    out = [f"**Problem**: {paragraph(fw.problem)}"]
    if answered:
        steps = []
        for number, why in enumerate(answered, start=1):
            question = why.why.strip() or "Why?"
            answer = " ".join(why.answer.split())
            steps.append(f"{number}. **{text(question)}** {text(answer)}")
        out.append("\n".join(steps))
    out.append(f"**Root Cause**: {paragraph(fw.root_cause)}")
    if fw.category:
        out.append(f"**Category**: {fw.category}")
    if len(answered) < 5:
        out.append(f"_The chain has {len(answered)} of at least 5 whys: it may stop at a symptom._")
    if fw.would_still_happen:
        out.append("_If this were fixed, the incident would still have happened: dig deeper._")
    return "\n\n".join(out)


def action_items_table(record: IncidentRecord) -> str:
    """The Action Items table."""
    if not record.action_items:
        return EMPTY
    rows = ["| Action | Owner | Due Date | Status |", "|--------|-------|----------|--------|"]
    for item in record.action_items:
        due = item.due.isoformat() if item.due else "(none)"
        rows.append(
            f"| {cell(item.action)} | {cell(item.owner) or '(none)'} | {due} | {item.status} |"
        )
    return "\n".join(rows)


def checklist(items: Iterable[str], state: Mapping[str, bool]) -> str:
    """A workflow checklist as ``[x]``/``[ ]`` lines, in the workflow's order."""
    return "\n".join(f"- [{'x' if state.get(i) else ' '}] {i}" for i in items)


def fix_section(record: IncidentRecord) -> str:
    """Step 4: the fix checklist and the rollback plan."""
    plan = paragraph(record.rollback_plan)
    return f"{checklist(FIX_CHECKLIST, record.fix_checklist)}\n\n**Rollback plan**: {plan}"


def staging_section(record: IncidentRecord) -> str:
    """Step 5: the staging verification steps."""
    return checklist(STAGING_STEPS, record.staging_checklist)


def deployment_section(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    """Step 6: the deployment checklist and the watch period the severity implies."""
    level = record.severity.level
    if level is None and summary:
        level = summary.severity_suggestion.level
    watch = f"{level_info(level).watch_period_min} minutes ({level.value})" if level else EMPTY
    items = checklist(DEPLOYMENT_CHECKLIST, record.deployment_checklist)
    return f"{items}\n\n**Watch period**: {watch}"


SUGGESTED = "not confirmed; the evidence suggests: {}"


def impact_section(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    """Step 1 as a person recorded it (the evidence's suggestions marked), then the severity."""
    impact = record.impact
    hint = story.impact_suggestion(summary)

    def answer(recorded: str, suggested: str) -> str:
        if recorded.strip():
            return recorded
        return SUGGESTED.format(suggested) if suggested else "not recorded"

    workaround = {None: "not assessed", True: f"yes: {impact.workaround_text}", False: "no"}
    started = hhmm(impact.started_at) if impact.started_at else ""
    rows = [
        (
            "Affected tenants",
            answer(
                ", ".join(impact.affected_tenants), ", ".join(hint.affected_tenants) if hint else ""
            ),
        ),
        (
            "Broken functionality",
            answer(impact.broken_functionality, hint.broken_functionality if hint else ""),
        ),
        (
            "Started at (UTC)",
            answer(started, hhmm(hint.started_at) if hint and hint.started_at else ""),
        ),
        ("Trend", answer(impact.trend, hint.trend if hint else "")),
        ("Workaround", workaround[impact.workaround]),
        ("Data loss", "yes" if impact.data_loss else "no"),
        ("Security breach", "yes" if impact.security_breach else "no"),
    ]
    table = "| Question | Answer |\n|---|---|\n" + "\n".join(
        f"| {question} | {cell(value)} |" for question, value in rows
    )
    return f"{table}\n\n{severity_detail(record, summary)}"


def narrative_section(record: IncidentRecord) -> str:
    """The post-mortem's prose fields."""
    n = record.narrative
    return "\n\n".join(
        [
            f"**Author**: {paragraph(n.author)}",
            f"**Summary**: {paragraph(n.summary)}",
            f"**User-facing impact**: {paragraph(n.user_facing_impact)}",
            f"**Data impact**: {paragraph(n.data_impact)}",
            f"**What went well**\n\n{bullets(n.went_well)}",
            f"**What could be improved**\n\n{bullets(n.could_improve)}",
            f"**Lessons learned**: {paragraph(n.lessons_learned)}",
        ]
    )
