"""The Markdown post-mortem: the workflow's template filled from the record and the analysis.

Every section of the template is always present, in its order and with its heading; a section
nobody filled in says so. The template's header data (date, severity, duration, author) is one
table, with the severity's reason and the incident's status beside them. The Summary and the
Impact are drafted from the evidence until a person writes them, and say so. After the
template's sections, "Supporting Information" holds what supports the story: the key numbers,
the key charts, the top error signatures and the top suspect changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import jinja2
from slugify import slugify

from incident_nb.core import humanize
from incident_nb.core import text as md
from incident_nb.core.record import IncidentRecord
from incident_nb.core.redact import redact_text
from incident_nb.core.summary import AnalysisSummary
from incident_nb.core.templates import templates_dir
from incident_nb.postmortem import sections, story
from incident_nb.postmortem.sections import EMPTY

TEMPLATE_NAME = "postmortem.md.j2"
TOP_SIGNATURES = 3
TOP_SUSPECTS = 3
SUMMARY_DRAFT_WHERE = "replace it with the Summary of the notebook's post-mortem narrative form"
IMPACT_DRAFT_PARTS = {
    "tenants": "confirm the affected tenants in Step 1 (impact assessment)",
    "user_facing": "describe the user-facing impact in the post-mortem narrative form",
}


def duration(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    """``1 hour 35 minutes``, or the time so far for an ongoing incident."""
    start = sections.incident_start(record, summary)
    end = sections.incident_end(record)
    if end is not None:
        return sections.duration_text(end - start)
    last = sections.evidence_end(summary)
    if last is None:
        return "ongoing"
    so_far = sections.duration_text(last - start)
    return f"{so_far} so far (ongoing at {sections.hhmm(last)} UTC, the end of the evidence)"


def status_text(record: IncidentRecord) -> str:
    """The incident's state, the post-mortem's, and the action items still open."""
    end = sections.incident_end(record)
    if end is not None:
        state = f"Resolved at {humanize.moment(end)}"
    elif record.status == "resolved":
        state = "Resolved"
    else:
        state = "Ongoing"
    doc = "post-mortem final" if record.postmortem_final else "post-mortem draft"
    items = record.action_items
    open_items = sum(1 for a in items if a.status != "DONE")
    actions = f"{open_items} of {humanize.plural(len(items), 'action item')} open" if items else ""
    return "; ".join(part for part in (state, doc, actions) if part)


def header_table(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    """The template's header data as one table: date, severity (why), duration, status, author."""
    author = md.cell(record.narrative.author) if record.narrative.author.strip() else EMPTY
    values = [
        sections.incident_start(record, summary).date().isoformat(),
        sections.severity_line(record, summary).replace("|", "\\|").replace("\n", "<br>"),
        md.cell(duration(record, summary)),
        md.cell(status_text(record)),
        author,
    ]
    return (
        "| Date | Severity | Duration | Status | Author |\n"
        "|------|----------|----------|--------|--------|\n"
        f"| {' | '.join(values)} |"
    )


def postmortem_filename(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    """``postmortem-YYYY-MM-DD-short-description.md``."""
    day = sections.incident_start(record, summary).date().isoformat()
    short = slugify(redact_text(record.title), max_length=48, word_boundary=True) or "incident"
    return f"postmortem-{day}-{short}.md"


def key_numbers(summary: AnalysisSummary | None) -> str:
    """The evidence's key numbers as a Markdown table (empty without analysed log lines)."""
    if not summary or not summary.lines.total:
        return ""
    rate = summary.error_rate
    rows = []
    if summary.onset is not None:
        rows.append(("Onset", story.onset_text(summary)))
    if rate.since_onset is not None and rate.overall is not None:
        rows.append(
            (
                "Error rate since the onset",
                f"{humanize.percent(rate.since_onset)} "
                f"(whole window {humanize.percent(rate.overall)})",
            )
        )
    day = summary.onset.date() if summary.onset else None
    if rate.peak is not None and rate.peak_at is not None:
        peak_at = sections.hhmm(rate.peak_at, day)
        rows.append(("Peak error rate", f"{humanize.percent(rate.peak)} at {peak_at} UTC"))
    slow, label = story.latency_text(summary), story.endpoints_label(summary)
    for e in summary.failing_endpoints:
        p99 = f", p99 {humanize.milliseconds(e.p99_ms)}" if e.p99_ms is not None else ""
        what = f"{slow} since the onset" if slow else f"{humanize.percent(e.error_rate)} errors"
        rows.append((f"{label} {md.inline(e.endpoint)}", f"{what}{p99}"))
    trend = summary.trend
    rows.append(("Trend", trend.text()))
    lines = summary.lines
    rows.append(("Log lines", f"{lines.total:,} read, {lines.malformed:,} malformed"))
    body = "\n".join(f"| {name} | {md.cell(value)} |" for name, value in rows)
    return f"| Key number | Value |\n|---|---|\n{body}"


def top_signatures(summary: AnalysisSummary | None, limit: int = TOP_SIGNATURES) -> str:
    """The most frequent error signatures, new ones marked (empty without any)."""
    notes = list(summary.signatures[:limit]) if summary else []
    if not notes or summary is None:
        return ""
    day = summary.onset.date() if summary.onset else None
    rows = [
        f"| {_literal(md.cell(s.template))} | {s.count:,} | "
        f"{sections.hhmm(s.first_seen, day) if s.first_seen else '-'} | "
        f"{'new since the onset' if s.new_since_onset else 'seen before the onset'} |"
        for s in notes
    ]
    head = "| Error signature | Count | First seen (UTC) | New? |\n|---|---:|---|---|"
    total = len(summary.signatures)
    return "\n".join([f"**Top error signatures** ({len(notes)} of {total})", "", head, *rows])


def _literal(escaped: str) -> str:
    """Escaped text whose ``*`` and ``_`` (as in a template's ``<*>``) are not emphasis."""
    return escaped.replace("*", "\\*").replace("_", "\\_")


def top_suspects(summary: AnalysisSummary | None, limit: int = TOP_SUSPECTS) -> str:
    """The best-ranked suspect changes with why they are suspected (empty without any)."""
    notes = list(summary.suspects[:limit]) if summary else []
    if not notes:
        return ""
    rows = []
    for s in notes:
        change = f"{s.sha} {s.subject}".strip()
        live = humanize.moment(s.live_at) if s.live_at else "-"
        live += f" ({s.deploy})" if s.deploy else ""
        why = "; ".join(s.reasons)
        rows.append(f"| {s.rank} | {md.cell(change)} | {md.cell(live)} | {md.cell(why)} |")
    head = "| Rank | Change | Live since | Why it is suspected |\n|---:|---|---|---|"
    return "\n".join(["**Top suspect changes**", "", head, *rows])


def impact_note(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    """The draft mark of the Impact section, naming what a person has yet to confirm."""
    if summary is None:
        return ""
    todo = []
    if not record.impact.affected_tenants and summary.affected_tenants:
        todo.append(IMPACT_DRAFT_PARTS["tenants"])
    if not record.narrative.user_facing_impact.strip() and story.user_facing_draft(summary):
        todo.append(IMPACT_DRAFT_PARTS["user_facing"])
    return story.draft_note("; ".join(todo)) if todo else ""


def supporting_information(
    summary: AnalysisSummary | None, charts: Sequence[tuple[str, str]] = ()
) -> list[str]:
    """The parts of "Supporting Information" (empty when the evidence has none)."""
    images = [f"![{md.inline(title)}]({path})" for title, path in charts]
    parts = [key_numbers(summary), *images, top_signatures(summary), top_suspects(summary)]
    return [p for p in parts if p]


def render_markdown(
    record: IncidentRecord,
    summary: AnalysisSummary | None,
    charts: Sequence[tuple[str, str]] = (),
    *,
    supporting: bool = True,
) -> str:
    """The post-mortem as Markdown: the workflow template's sections, then the supporting ones.

    ``charts`` are (title, relative image path) pairs shown in Supporting Information;
    ``supporting=False`` leaves that section out (the HTML export draws it itself, with the
    interactive charts).
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=False,  # Markdown; every value is escaped by `sections` before it gets here
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    narrative = record.narrative
    drafted_summary = (
        ""
        if narrative.summary.strip()
        else story.summary_draft(record, summary, sections.incident_end(record))
    )
    values = {
        "title": md.inline(record.title),
        "header": header_table(record, summary),
        "summary": (
            f"{story.draft_note(SUMMARY_DRAFT_WHERE)}\n\n{md.text(drafted_summary)}"
            if drafted_summary
            else sections.paragraph(narrative.summary)
        ),
        "impact": sections.impact_lines(record, summary),
        "impact_note": impact_note(record, summary),
        "timeline": sections.timeline_table(record, summary),
        "root_cause": sections.root_cause(record),
        "contributing_factors": sections.bullets(record.five_whys.contributing_factors),
        "went_well": sections.bullets(narrative.went_well),
        "could_improve": sections.bullets(narrative.could_improve),
        "action_items": sections.action_items_table(record),
        "lessons_learned": sections.paragraph(narrative.lessons_learned),
        "supporting": supporting_information(summary, charts) if supporting else [],
    }
    return env.get_template(TEMPLATE_NAME).render(values)
