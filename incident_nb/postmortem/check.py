"""The blameless and completeness check run before export (and by ``incident-nb check``).

Pure: the record in, findings out. Blame language is a table of phrases; personal names are the
people the record knows about (authors of changes, the post-mortem author, action item owners,
and any names passed in, e.g. commit authors), looked for in the root cause and the narrative.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from incident_nb.core.record import IncidentRecord
from incident_nb.core.text import BLOCK_MARKUP
from incident_nb.core.workflow import MIN_WHYS

BLAME_PHRASES: tuple[str, ...] = (
    "blame",
    "fault",
    "careless",
    "negligent",
    "negligence",
    "incompetent",
    "sloppy",
    "stupid",
    "lazy",
    "should have known",
    "should have caught",
    "human error",
    "dropped the ball",
    "screwed up",
    "messed up",
    "failed to notice",
    "didn't bother",
    "did not bother",
    "mistake by",
    "because of him",
    "because of her",
)
_BLAME = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in BLAME_PHRASES) + r")\w*", re.IGNORECASE
)


# Login names of machines and services, not people.
SYSTEM_ACCOUNTS = frozenset({"root", "admin", "jovyan", "ubuntu", "runner", "user", "ci", "bot"})


@dataclass(frozen=True)
class Finding:
    """One problem found: where, what, and whether it is about blame or completeness."""

    kind: str  # "blame", "name", "structure" or "missing"
    where: str
    message: str


def _texts(record: IncidentRecord) -> list[tuple[str, str]]:
    fw, n = record.five_whys, record.narrative
    texts = [("five_whys.problem", fw.problem), ("five_whys.root_cause", fw.root_cause)]
    texts += [(f"five_whys.whys.{i}", f"{w.why} {w.answer}") for i, w in enumerate(fw.whys)]
    texts += [
        (f"five_whys.contributing_factors.{i}", f) for i, f in enumerate(fw.contributing_factors)
    ]
    texts += [
        ("narrative.summary", n.summary),
        ("narrative.user_facing_impact", n.user_facing_impact),
        ("narrative.data_impact", n.data_impact),
        ("narrative.lessons_learned", n.lessons_learned),
    ]
    texts += [(f"narrative.went_well.{i}", t) for i, t in enumerate(n.went_well)]
    texts += [(f"narrative.could_improve.{i}", t) for i, t in enumerate(n.could_improve)]
    return [(where, text) for where, text in texts if text.strip()]


def people(record: IncidentRecord, extra: Iterable[str] = ()) -> set[str]:
    """Names of people the record knows about (and ``extra``), as written."""
    names = {c.who for c in record.changes} | {record.narrative.author}
    names |= {item.owner for item in record.action_items} | set(extra)
    out = set()
    for name in names:
        cleaned = name.strip().lstrip("@")
        if (
            len(cleaned) >= 3
            and cleaned.lower() not in SYSTEM_ACCOUNTS
            and " team" not in cleaned.lower()
        ):
            out.add(cleaned)
    return out


def _name_patterns(names: Iterable[str]) -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for name in sorted(names):
        parts = [name, *name.split()] if " " in name else [name]
        for part in parts:
            if len(part) >= 3:
                patterns.append(
                    (name, re.compile(rf"(?<![\w@])@?{re.escape(part)}\b", re.IGNORECASE))
                )
    return patterns


def _all_texts(record: IncidentRecord) -> list[tuple[str, str]]:
    """Every text a person or an alert wrote into the record, with where it is."""
    texts = [("title", record.title), ("service", record.service)]
    texts += [("narrative.author", record.narrative.author), *_texts(record)]
    texts += [("severity.reason", record.severity.reason)]
    texts += [(f"timeline.{i}", e.event) for i, e in enumerate(record.timeline)]
    for i, item in enumerate(record.action_items):
        texts += [
            (f"action_items.{i}.action", item.action),
            (f"action_items.{i}.owner", item.owner),
        ]
    return texts


def structure_findings(record: IncidentRecord) -> list[Finding]:
    """Texts holding a line that Markdown would read as structure (``### Root Cause``, ``---``).

    The exports show such a line as text, so it can add no section; the finding says where it
    is, because a title or a field that looks like a section of its own is still misleading.
    """
    findings = []
    for where, value in _all_texts(record):
        lines = [line for line in value.splitlines() if BLOCK_MARKUP.match(line)]
        if lines:
            findings.append(
                Finding(
                    "structure",
                    where,
                    f"{lines[0].strip()[:40]!r} reads as a Markdown heading or block; it is shown "
                    "as text, but say it in words",
                )
            )
    return findings


def check_postmortem(record: IncidentRecord, extra_people: Iterable[str] = ()) -> list[Finding]:
    """Blame language, personal names, Markdown structure and missing pieces of a post-mortem."""
    findings: list[Finding] = structure_findings(record)
    patterns = _name_patterns(people(record, extra_people))
    for where, text in _texts(record):
        for match in _BLAME.finditer(text):
            findings.append(
                Finding(
                    "blame",
                    where,
                    f"blame language {match.group(0)!r}: describe the system, not a person",
                )
            )
        named = sorted({name for name, pattern in patterns if pattern.search(text)})
        findings.extend(
            Finding(
                "name", where, f"names a person ({name}): say what the system or process allowed"
            )
            for name in named
        )
    n, fw = record.narrative, record.five_whys
    for field, value in (
        ("narrative.summary", n.summary),
        ("narrative.author", n.author),
        ("narrative.user_facing_impact", n.user_facing_impact),
        ("narrative.data_impact", n.data_impact),
        ("narrative.lessons_learned", n.lessons_learned),
        ("five_whys.root_cause", fw.root_cause),
    ):
        if not value.strip():
            findings.append(Finding("missing", field, "section is empty"))
    for field, items in (
        ("narrative.went_well", n.went_well),
        ("narrative.could_improve", n.could_improve),
    ):
        if not items:
            findings.append(Finding("missing", field, "section is empty"))
    if not record.action_items:
        findings.append(Finding("missing", "action_items", "no action items"))
    for i, item in enumerate(record.action_items):
        if not item.owner.strip():
            findings.append(
                Finding("missing", f"action_items.{i}", f"{item.action!r} has no owner")
            )
        if item.due is None:
            findings.append(
                Finding("missing", f"action_items.{i}", f"{item.action!r} has no due date")
            )
    if record.severity.level is None:
        findings.append(Finding("missing", "severity.level", "severity not decided"))
    elif not record.severity.reason.strip():
        findings.append(
            Finding("missing", "severity.reason", f"{record.severity.level.value} has no reason")
        )
    answered = sum(1 for w in fw.whys if w.answer.strip())
    if answered < MIN_WHYS:
        findings.append(
            Finding(
                "missing", "five_whys.whys", f"the 5 Whys stop after {answered}: dig to the root"
            )
        )
    if fw.would_still_happen:
        findings.append(
            Finding(
                "missing",
                "five_whys.would_still_happen",
                "the incident would still have happened: not the root yet",
            )
        )
    return findings
