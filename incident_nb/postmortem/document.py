"""The Markdown post-mortem: the workflow's template filled from the record and the analysis.

Every section of the template is always present; a section nobody filled in says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import jinja2
from slugify import slugify

from incident_nb.core import text as md
from incident_nb.core.record import IncidentRecord
from incident_nb.core.redact import redact_text
from incident_nb.core.summary import AnalysisSummary
from incident_nb.core.templates import templates_dir
from incident_nb.postmortem import sections
from incident_nb.postmortem.sections import EMPTY

TEMPLATE_NAME = "postmortem.md.j2"


def duration(record: IncidentRecord, summary: AnalysisSummary | None) -> str:
    """``X hours Y minutes``, or the time so far for an ongoing incident."""
    start = sections.incident_start(record, summary)
    end = sections.incident_end(record)
    if end is not None:
        return sections.duration_text(end - start)
    last = sections.evidence_end(summary)
    if last is None:
        return "ongoing"
    so_far = sections.duration_text(last - start)
    return f"{so_far} (ongoing at {sections.hhmm(last)} UTC, the end of the evidence)"


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
    note = summary.onset_note
    if summary.onset is not None and note is not None and note.sentence:
        rows.append(("Onset (UTC)", f"{sections.hhmm(summary.onset)}: {note.sentence}"))
    elif summary.onset is not None:
        rows.append(
            ("Onset (UTC)", f"{sections.hhmm(summary.onset)} ({summary.onset_signal or 'shift'})")
        )
    if rate.since_onset is not None and rate.overall is not None:
        rows.append(
            (
                "Error rate since the onset",
                f"{rate.since_onset:.1%} (whole window {rate.overall:.1%})",
            )
        )
    if rate.peak is not None and rate.peak_at is not None:
        rows.append(("Peak error rate", f"{rate.peak:.1%} at {sections.hhmm(rate.peak_at)}"))
    for e in summary.failing_endpoints:
        p99 = f", p99 {e.p99_ms:.0f} ms" if e.p99_ms is not None else ""
        errors = f"{e.error_rate:.1%} errors" if e.error_rate is not None else "errors"
        rows.append((f"Failing endpoint {md.inline(e.endpoint)}", f"{errors}{p99}"))
    trend = summary.trend
    if trend.judged_from is not None and trend.judged_to is not None:
        rows.append(
            (
                f"Trend ({sections.hhmm(trend.judged_from)}-{sections.hhmm(trend.judged_to)} UTC)",
                f"{trend.direction}, {trend.slope:+.2f} {trend.unit}",
            )
        )
    else:
        rows.append(
            (
                f"Trend (last {trend.minutes} min)",
                f"{trend.direction}, {trend.slope_per_min * 100:+.2f} points/min",
            )
        )
    lines = summary.lines
    rows.append(("Log lines", f"{lines.total:,} read, {lines.malformed:,} malformed"))
    body = "\n".join(f"| {name} | {md.cell(value)} |" for name, value in rows)
    return f"| Key number | Value |\n|---|---|\n{body}"


def render_markdown(
    record: IncidentRecord, summary: AnalysisSummary | None, charts: Sequence[tuple[str, str]] = ()
) -> str:
    """The post-mortem as Markdown, in exactly the workflow template's sections.

    ``charts`` are (title, relative image path) pairs shown in the Impact section.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=False,  # Markdown; every value is escaped by `sections` before it gets here
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    narrative = record.narrative
    values = {
        "title": md.inline(record.title),
        "date": sections.incident_start(record, summary).date().isoformat(),
        "severity": sections.severity_line(record, summary),
        "duration": duration(record, summary),
        "author": md.inline(narrative.author) if narrative.author.strip() else EMPTY,
        "summary": sections.paragraph(narrative.summary),
        "impact": sections.impact_lines(record, summary),
        "key_numbers": key_numbers(summary),
        "charts": [(md.inline(title), path) for title, path in charts],
        "timeline": sections.timeline_table(record, summary),
        "root_cause": sections.root_cause(record),
        "contributing_factors": sections.bullets(record.five_whys.contributing_factors),
        "went_well": sections.bullets(narrative.went_well),
        "could_improve": sections.bullets(narrative.could_improve),
        "action_items": sections.action_items_table(record),
        "lessons_learned": sections.paragraph(narrative.lessons_learned),
    }
    return env.get_template(TEMPLATE_NAME).render(values)
