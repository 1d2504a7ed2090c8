"""Step 1 form: the impact assessment and the severity decision."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from incident_nb.analysis.answers import impact_answers
from incident_nb.analysis.assessment import Assessment
from incident_nb.core.models import Severity, iso
from incident_nb.core.record import ImpactAssessment, SeverityDecision
from incident_nb.core.severity import SeveritySuggestion, level_info
from incident_nb.core.store import RecordStore
from incident_nb.core.summary import AnalysisSummary
from incident_nb.forms.base import Form, message_widget, row, show_message, text_box
from incident_nb.forms.validation import parse_time, severity_problems
from incident_nb.postmortem import sections

UNDECIDED = "(not decided)"
_WORKAROUND = {"unknown": None, "yes": True, "no": False}


def effective_suggestion(
    suggestion: SeveritySuggestion | None, data_loss: bool, security_breach: bool
) -> SeveritySuggestion | None:
    """The evidence's suggestion, raised to SEV-1 when a person reports data loss or a breach."""
    flagged = [
        reason
        for reason, on in (
            ("data loss reported", data_loss),
            ("security breach reported", security_breach),
        )
        if on
    ]
    if flagged:
        return SeveritySuggestion(Severity.SEV1, tuple(flagged))
    return suggestion


class ImpactForm(Form):
    """Affected tenants, broken functionality, start, trend, workaround, flags and severity."""

    title = "Impact assessment"

    def __init__(
        self,
        store: RecordStore,
        assessment: Assessment | None = None,
        summary: AnalysisSummary | None = None,
    ) -> None:
        super().__init__(store)
        self.assessment = assessment
        self.summary = summary
        impact = self.record.impact
        evidence = impact_answers(assessment, self.record) if assessment else [""] * 5
        self.tenants = widgets.TagsInput(
            value=impact.affected_tenants or (assessment.affected_tenants if assessment else []),
            allow_duplicates=False,
        )
        self.broken = text_box(impact.broken_functionality or evidence[1])
        start = impact.started_at or (
            assessment.onset.at if assessment and assessment.onset else None
        )
        self.started = text_box(iso(start) if start else "", "2026-11-20 14:07 (UTC)", "16rem")
        self.trend = text_box(impact.trend or evidence[3])
        self.workaround = widgets.ToggleButtons(
            options=list(_WORKAROUND),
            value=next(k for k, v in _WORKAROUND.items() if v == impact.workaround),
        )
        self.workaround_text = text_box(impact.workaround_text, "how affected users can get by")
        self.data_loss = widgets.Checkbox(
            value=impact.data_loss, description="Data loss", indent=False
        )
        self.breach = widgets.Checkbox(
            value=impact.security_breach, description="Security breach", indent=False
        )
        level = self.record.severity.level
        self.severity = widgets.Dropdown(
            options=[UNDECIDED, *(s.value for s in Severity)],
            value=level.value if level else UNDECIDED,
        )
        self.reason = text_box(self.record.severity.reason, "why this severity", area=True)
        self.advice = widgets.HTML()
        self.severity.add_class("inb-severity")
        self.reason.add_class("inb-severity-reason")
        self.started_msg, self.reason_msg = message_widget(), message_widget()

        self.bind(self.tenants, "impact.affected_tenants", list)
        self.bind(self.broken, "impact.broken_functionality")
        self.bind(
            self.started,
            "impact.started_at",
            lambda v: iso(parse_time(v)) if v.strip() else None,
            self.started_msg,
        )
        self.bind(self.trend, "impact.trend")
        self.bind(self.workaround, "impact.workaround", _WORKAROUND.__getitem__)
        self.bind(self.workaround_text, "impact.workaround_text")
        self.bind(self.data_loss, "impact.data_loss")
        self.bind(self.breach, "impact.security_breach")
        self.severity.observe(self._on_severity, names="value")
        self.reason.observe(self._on_severity, names="value")
        for flag in (self.data_loss, self.breach):
            flag.observe(lambda _change: self._refresh_advice(), names="value")
        self._refresh_advice()

        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<b>{self.title}</b> (saved to incident.json as you edit)"),
                row("Affected tenants", self.tenants),
                row("Broken functionality", self.broken),
                row("Started at (UTC)", self.started, self.started_msg),
                row("Trend", self.trend),
                row("Workaround", self.workaround),
                row("", self.workaround_text),
                row("Flags", widgets.HBox([self.data_loss, self.breach])),
                row("Severity", self.severity),
                row("Reason", self.reason, self.reason_msg),
                self.advice,
                self.status,
            ]
        )

    @property
    def suggestion(self) -> SeveritySuggestion | None:
        """The suggested severity, given the evidence and the flags ticked here."""
        base = self.assessment.severity if self.assessment else None
        return effective_suggestion(base, self.data_loss.value, self.breach.value)

    def _refresh_advice(self) -> None:
        suggestion = self.suggestion
        chosen = Severity(self.severity.value) if self.severity.value != UNDECIDED else None
        parts = []
        if suggestion is not None:
            reasons = "".join(f"<li>{html.escape(r)}</li>" for r in suggestion.reasons)
            parts.append(f"Suggested: <b>{suggestion.level.value}</b>, because:<ul>{reasons}</ul>")
        level = chosen or (suggestion.level if suggestion else None)
        if level is not None:
            info = level_info(level)
            cadence = (
                f"every {info.update_every_min} min" if info.update_every_min else "on resolution"
            )
            parts.append(
                f"{level.value} means: {html.escape(info.criteria)}. Response: "
                f"{html.escape(info.response)} (stakeholder updates {cadence}; watch "
                f"{info.watch_period_min} min after the fix)."
            )
        self.advice.value = "<br>".join(parts)

    def _on_severity(self, _change: dict[str, Any]) -> None:
        self._refresh_advice()
        decision = self._decision()
        problems = severity_problems(decision, self.suggestion.level if self.suggestion else None)
        show_message(self.reason_msg, problems.get("severity.reason", ""))
        if problems:
            return
        self.save("severity", decision.model_dump(mode="json"), self.reason_msg)

    def _decision(self) -> SeverityDecision:
        level = None if self.severity.value == UNDECIDED else Severity(self.severity.value)
        return SeverityDecision(level=level, reason=self.reason.value.strip())

    @property
    def value(self) -> tuple[ImpactAssessment, SeverityDecision]:
        """The impact assessment and the severity decision, as saved."""
        return self.record.impact, self.record.severity

    def static_markdown(self) -> str:
        """The saved assessment as Markdown."""
        return sections.impact_section(self.record, self.summary)
