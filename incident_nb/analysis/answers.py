"""The five impact questions of Step 1 answered from the evidence and the record, as text.

Pure: an :class:`~incident_nb.analysis.assessment.Assessment` and the record in, text out.
"""

from __future__ import annotations

import pandas as pd

from incident_nb.analysis.assessment import Assessment
from incident_nb.core import text as md
from incident_nb.core.humanize import milliseconds, percent, slope_text
from incident_nb.core.models import utc
from incident_nb.core.record import IncidentRecord

QUESTIONS = (
    "Which tenants are affected?",
    "What functionality is broken?",
    "When did it start?",
    "Is it getting worse?",
    "Is there a workaround?",
)


def workaround_answer(record: IncidentRecord) -> str:
    """The person's answer on a workaround (the evidence cannot tell)."""
    impact = record.impact
    if impact.workaround is None:
        return "not assessed yet"
    return f"yes: {impact.workaround_text}" if impact.workaround else "no"


def start_answer(assessment: Assessment, record: IncidentRecord) -> str:
    """Onset (with the shift that marks it), first error and alert time."""
    onset = assessment.onset
    group = assessment.group_onset
    if group is not None:
        text = f"{group.at:%H:%M} UTC: {group.sentence()}"
    elif onset is None:
        text = "no shift found in the window"
    elif onset.signal == "error rate":
        text = (
            f"{onset.at:%H:%M} UTC (error rate rose from {percent(onset.before)} to "
            f"{percent(onset.after)})"
        )
    else:
        text = (
            f"{onset.at:%H:%M} UTC "
            f"({onset.signal} rose from {onset.before:.0f} to {onset.after:.0f} ms)"
        )
    if assessment.first_error:
        text += f"; first error {pd.Timestamp(assessment.first_error['ts']):%H:%M:%S}"
    return text + f"; alert fired {utc(record.alert.started_at):%H:%M:%S}"


UNTOLD = "cannot tell: the logs have no status, outcome or level field (see the warnings in Step 2)"


def _trend_answer(assessment: Assessment) -> str:
    """The affected group's trend: where it went, over which minutes, how fast."""
    incident = assessment.incident
    assert incident is not None
    t = incident.trend
    what = "failure share" if t.unit == "pp/min" else "typical latency"
    if incident.onset is None:
        what = "error rate"
    levels = (
        f"{t.start_level:.1f}% → {t.end_level:.1f}%"
        if t.unit == "pp/min"
        else f"{t.start_level:,.0f} ms → {t.end_level:,.0f} ms"
    )
    return (
        f"{t.direction}: {what} {levels} over {t.minutes} min "
        f"({incident.trend_from:%H:%M}-{incident.trend_to:%H:%M} UTC, {t.slope:+.2f} {t.unit})"
    )


def onset_paragraph(assessment: Assessment | None, problem: str = "") -> str:
    """Where the onset was found and how sure that is, and the trend, as Markdown."""
    if assessment is None:
        return md.text(problem or "No log evidence.")
    group = assessment.group_onset
    if group is None:
        lines = [
            "**Onset:** no change found in the whole service nor in any endpoint, tenant or "
            "tenant on one endpoint, nor in the failures of any one status (each searched with "
            "a significance test over every minute)."
        ]
    else:
        among = (
            f" among the failures of status {md.text(group.status)} alone (those of each "
            "status were searched once the failures as a whole showed no change)"
            if group.status is not None
            else ""
        )
        lines = [
            f"**Onset:** {md.text(group.sentence())}.",
            "",
            f"Found in the {md.text(group.found_in)} level{among}, among "
            f"{group.groups_searched:,} groups searched; the p-value allows for every group, "
            "minute and signal tried.",
        ]
    if assessment.incident is not None:
        lines += ["", f"**Trend:** {md.text(assessment.incident.trend_words())}."]
    return "\n".join(lines)


def impact_answers(
    assessment: Assessment | None,
    record: IncidentRecord,
    problem: str = "",
    *,
    errors_known: bool = True,
) -> list[str]:
    """Answers to :data:`QUESTIONS`, in order.

    When the logs cannot tell errors (``errors_known`` False), the answers that rest on error
    counts say so instead of reporting none.
    """
    workaround = workaround_answer(record)
    if assessment is None:
        return [problem or "no log evidence"] * 4 + [workaround]
    group = assessment.group_onset
    if not errors_known and (group is None or group.signal == "errors"):
        # (a latency onset still names its affected group: latency needs no error field)
        return [UNTOLD, UNTOLD, start_answer(assessment, record), UNTOLD, workaround]
    a = assessment
    total = int((a.tenants["tenant"] != "(none)").sum())
    tenants = ", ".join(a.affected_tenants) or "none measured"
    rates = a.endpoints.set_index("endpoint")["error_rate"]
    if group is not None and group.signal == "latency":  # slow endpoints, not failing ones
        levels = (
            f"latency {milliseconds(group.before)} → {milliseconds(group.after)} since the onset"
        )
        broken = "; ".join(f"{e} is slow: {levels}" for e in a.failing_endpoints)
    else:
        broken = "; ".join(
            f"{e} fails {percent(float(rates[e]))} of requests" for e in a.failing_endpoints
        )
    t = a.trend
    trend = (
        f"{t.direction}: error rate {percent(t.start_rate)} → {percent(t.end_rate)} over the "
        f"last {t.minutes} minutes ({slope_text(t.slope_per_min)})"
    )
    if a.incident is not None:
        trend = _trend_answer(a)
    return [
        f"{tenants} ({len(a.affected_tenants)} of {total})",
        broken or "no endpoint's errors rose",
        start_answer(a, record),
        trend,
        workaround,
    ]
