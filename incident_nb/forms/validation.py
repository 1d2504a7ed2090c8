"""Validation of what people type into the forms. Pure functions, tested without a kernel.

Each returns the problems found as ``{field: message}``; an empty dict means valid.
"""

from __future__ import annotations

from datetime import date, datetime

from incident_nb.core.models import Severity, parse_utc
from incident_nb.core.record import ActionItem, FiveWhys, IncidentRecord, SeverityDecision
from incident_nb.core.workflow import MIN_WHYS


def parse_time(text: str) -> datetime:
    """A UTC time typed by a person: ISO-8601, ``YYYY-MM-DD HH:MM[:SS]`` (UTC) accepted.

    Raises:
        ValueError: with a message saying which forms are accepted.
    """
    raw = text.strip().replace(" ", "T", 1)
    if not raw:
        raise ValueError("enter a time, e.g. 2026-11-20 14:07 (UTC)")
    try:
        return parse_utc(raw)
    except ValueError:
        raise ValueError(f"{text!r} is not a time; use e.g. 2026-11-20 14:07 (UTC)") from None


def parse_day(text: str) -> date:
    """A due date typed by a person (``YYYY-MM-DD``).

    Raises:
        ValueError: naming the expected form.
    """
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def lines(text: str) -> list[str]:
    """Non-empty lines of a text area, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def severity_problems(decision: SeverityDecision, suggested: Severity | None) -> dict[str, str]:
    """A severity other than the suggestion needs a reason."""
    if decision.level is None or suggested is None or decision.level == suggested:
        return {}
    if decision.reason.strip():
        return {}
    return {
        "severity.reason": (
            f"{decision.level.value} differs from the suggested {suggested.value}: say why"
        )
    }


def five_whys_problems(analysis: FiveWhys) -> dict[str, str]:
    """The 5 Whys must reach five answered steps, a root cause and a category."""
    problems: dict[str, str] = {}
    answered = sum(1 for w in analysis.whys if w.answer.strip())
    if answered < MIN_WHYS:
        problems["five_whys.whys"] = (
            f"{answered} of at least {MIN_WHYS} whys answered: symptoms are not root causes"
        )
    if not analysis.root_cause.strip():
        problems["five_whys.root_cause"] = "state the root cause"
    if analysis.category is None:
        problems["five_whys.category"] = "choose a root-cause category"
    if analysis.would_still_happen:
        problems["five_whys.would_still_happen"] = (
            "the incident would still have happened if this were fixed: dig deeper"
        )
    return problems


def action_item_problems(item: ActionItem, final: bool) -> list[str]:
    """Problems of one action item; owners and due dates are required once final."""
    problems = []
    if not item.action.strip():
        problems.append("describe the action")
    if final and not item.owner.strip():
        problems.append("an owner is required before the post-mortem is final")
    if final and item.due is None:
        problems.append("a due date is required before the post-mortem is final")
    return problems


def finalize_problems(record: IncidentRecord) -> dict[str, str]:
    """What must be fixed before the post-mortem can be marked final."""
    problems: dict[str, str] = {}
    for index, item in enumerate(record.action_items):
        found = action_item_problems(item, final=True)
        if found:
            problems[f"action_items.{index}"] = f"{item.action or '(untitled)'}: {'; '.join(found)}"
    if record.severity.level is None:
        problems["severity.level"] = "decide the severity"
    problems.update(five_whys_problems(record.five_whys))
    if not record.narrative.summary.strip():
        problems["narrative.summary"] = "write the summary"
    if not record.narrative.author.strip():
        problems["narrative.author"] = "name the author"
    return problems
