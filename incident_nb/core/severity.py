"""The workflow's severity table, the update cadence it implies, and the severity rubric.

The table is data, copied word for word from the incident-response workflow; the rubric is a
pure function that says which of the table's criteria the evidence meets, and why; the cadence
functions say when the next stakeholder update is due and whether it is overdue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_nb.core.humanize import percent
from incident_nb.core.models import Severity


@dataclass(frozen=True)
class SeverityLevel:
    """One row of the workflow's severity table, with the cadences it implies."""

    level: Severity
    criteria: str
    response: str
    update_every_min: int | None
    watch_period_min: int


SEVERITY_TABLE: tuple[SeverityLevel, ...] = (
    SeverityLevel(
        Severity.SEV1,
        "Service down, data loss, security breach, all tenants affected",
        "All hands, continuous updates every 15 min",
        15,
        15,
    ),
    SeverityLevel(
        Severity.SEV2,
        "Major feature broken, significant tenant subset affected",
        "Dedicated team, updates every 30 min",
        30,
        15,
    ),
    SeverityLevel(
        Severity.SEV3,
        "Minor feature degraded, few tenants affected",
        "Next business day, update on resolution",
        None,
        5,
    ),
    SeverityLevel(
        Severity.SEV4,
        "Cosmetic issue, no functionality impact",
        "Backlog, fix in next sprint",
        None,
        5,
    ),
)


def level_info(level: Severity) -> SeverityLevel:
    """Return the table row of ``level``."""
    return next(row for row in SEVERITY_TABLE if row.level is level)


def update_cadence(level: Severity) -> timedelta | None:
    """How often stakeholders get an update at ``level``; ``None``: on resolution only."""
    minutes = level_info(level).update_every_min
    return None if minutes is None else timedelta(minutes=minutes)


def cadence_words(level: Severity) -> str:
    """``every 30 min`` or ``on resolution``: the stakeholder-update cadence of ``level``."""
    minutes = level_info(level).update_every_min
    return f"every {minutes} min" if minutes else "on resolution"


@dataclass(frozen=True)
class UpdateDue:
    """When the next stakeholder update is due, and whether it is late."""

    level: Severity
    due_at: datetime | None
    """``None``: nothing due now (SEV-3/4 while open, or resolved and already announced)."""
    overdue: bool
    late_by: timedelta
    rule: str
    """The cadence in words, e.g. "SEV-1: updates every 15 min"."""

    def describe(self, now: datetime) -> str:
        """One line for people: when the next update is due, or how late it is."""
        if self.due_at is None:
            return f"No update due now: {self.rule}."
        stamp = f"{self.due_at:%H:%M} UTC"
        if self.overdue:
            minutes = int(self.late_by.total_seconds() // 60)
            return f"OVERDUE: the update due at {stamp} is {minutes} min late ({self.rule})."
        left = int((self.due_at - now).total_seconds() // 60)
        return f"Next update due at {stamp}, in {left} min ({self.rule})."


def next_update(
    level: Severity,
    opened_at: datetime,
    sent: Iterable[datetime],
    now: datetime,
    resolved_at: datetime | None = None,
) -> UpdateDue:
    """When the next update is due at ``level``, given the updates already ``sent``.

    SEV-1 and SEV-2 are due one cadence after the last update (or after ``opened_at`` when none
    was sent yet); SEV-3 and SEV-4 only on resolution. Once resolved, one update at or after
    the resolution is due at every severity, and then nothing more.
    """
    cadence = update_cadence(level)
    rule = f"{level.value}: updates {cadence_words(level)}"
    times = sorted(sent)
    due_at: datetime | None
    if resolved_at is not None:
        announced = any(t >= resolved_at for t in times)
        due_at = None if announced else resolved_at
    elif cadence is None:
        due_at = None
    else:
        due_at = (times[-1] if times else opened_at) + cadence
    late = now - due_at if due_at is not None and now > due_at else timedelta(0)
    return UpdateDue(level, due_at, late > timedelta(0), late, rule)


@dataclass(frozen=True)
class ImpactFacts:
    """What the evidence (and the person) established about impact; the rubric's input."""

    tenants_total: int
    tenants_affected: int
    endpoints_failing: tuple[tuple[str, float], ...] = ()
    """(endpoint, error rate since onset) of each endpoint whose errors rose at the onset."""
    endpoints_slow: tuple[tuple[str, float], ...] = ()
    """(endpoint, times slower than before) of each endpoint whose latency rose at the onset."""
    overall_error_rate: float = 0.0
    """Share of all requests since the onset that failed."""
    data_loss: bool = False
    security_breach: bool = False


# Thresholds of the rubric. They interpret the table's words for measured data:
SERVICE_DOWN_ERROR_RATE = 0.9  # "service down": nearly every request fails
SIGNIFICANT_TENANT_SHARE = 0.25  # "significant tenant subset": a quarter of tenants or more
MAJOR_FEATURE_ERROR_RATE = 0.5  # "major feature broken": most calls to an endpoint fail


@dataclass(frozen=True)
class SeveritySuggestion:
    """The suggested severity and the table criteria that the evidence matched."""

    level: Severity
    reasons: tuple[str, ...]


def suggest_severity(facts: ImpactFacts) -> SeveritySuggestion:
    """Suggest a severity from measured impact, naming the criteria of the table that matched.

    The worst matching row wins; every matched criterion of that row is given as a reason.
    """
    share = facts.tenants_affected / facts.tenants_total if facts.tenants_total else 0.0
    tenants = f"{facts.tenants_affected} of {facts.tenants_total} tenants affected ({share:.0%})"
    sev1: list[str] = []
    if facts.security_breach:
        sev1.append("security breach reported")
    if facts.data_loss:
        sev1.append("data loss reported")
    if facts.overall_error_rate >= SERVICE_DOWN_ERROR_RATE:
        sev1.append(
            f"service down: {percent(facts.overall_error_rate)} of requests fail since onset"
        )
    if facts.tenants_total and facts.tenants_affected == facts.tenants_total:
        sev1.append(f"all tenants affected ({facts.tenants_total})")
    if sev1:
        return SeveritySuggestion(Severity.SEV1, tuple(sev1))

    sev2: list[str] = []
    major = [(ep, rate) for ep, rate in facts.endpoints_failing if rate >= MAJOR_FEATURE_ERROR_RATE]
    sev2.extend(
        f"major feature broken: {ep} fails {percent(rate)} of requests since onset"
        for ep, rate in major
    )
    if facts.tenants_affected and share >= SIGNIFICANT_TENANT_SHARE:
        sev2.append(f"significant tenant subset affected: {tenants}")
    if sev2:
        return SeveritySuggestion(Severity.SEV2, tuple(sev2))

    if facts.tenants_affected or facts.endpoints_failing or facts.endpoints_slow:
        sev3 = [
            f"minor feature degraded: {ep} fails {percent(rate)} of requests since onset"
            for ep, rate in facts.endpoints_failing
        ]
        sev3.extend(
            f"minor feature degraded: {ep} is {times:.1f}x slower since onset"
            for ep, times in facts.endpoints_slow
        )
        if facts.tenants_affected:
            sev3.append(f"few tenants affected: {tenants}")
        return SeveritySuggestion(Severity.SEV3, tuple(sev3))

    return SeveritySuggestion(
        Severity.SEV4, ("no functionality impact measured: no tenant or endpoint error increase",)
    )
