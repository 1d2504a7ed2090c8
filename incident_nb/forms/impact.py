"""Step 1 form: the impact assessment and the severity decision.

What a field shows is what ``incident.json`` holds. Where nobody answered yet and the evidence
has an answer, the answer is shown under the field as a suggestion, with a button that accepts
it (one click; "Accept all suggestions" takes every one); until then the record, and so the
post-mortem, keeps the field empty and says the evidence only suggests it.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from incident_nb.analysis.assessment import Assessment
from incident_nb.core import humanize
from incident_nb.core.models import Severity, iso
from incident_nb.core.record import ImpactAssessment, SeverityDecision
from incident_nb.core.severity import SeveritySuggestion, cadence_words, level_info
from incident_nb.core.store import RecordStore
from incident_nb.core.summary import AnalysisSummary
from incident_nb.forms.base import (
    Form,
    RecordEvents,
    button,
    label,
    message_widget,
    row,
    show_message,
    text_box,
)
from incident_nb.forms.validation import parse_time, severity_problems
from incident_nb.postmortem import sections, story

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
        events: RecordEvents | None = None,
    ) -> None:
        super().__init__(store, events)
        self.assessment = assessment
        self.summary = summary
        impact = self.record.impact
        self.tenants = widgets.TagsInput(
            value=list(impact.affected_tenants), allow_duplicates=False
        )
        self.broken = text_box(impact.broken_functionality, "what is broken", "40rem", rows=2)
        start = impact.started_at
        self.started = text_box(iso(start) if start else "", "YYYY-MM-DD HH:MM (UTC)", "16rem")
        self.trend = text_box(impact.trend, "getting worse, stable or recovering", "40rem", rows=2)
        self.workaround = widgets.ToggleButtons(
            options=list(_WORKAROUND),
            value=next(k for k, v in _WORKAROUND.items() if v == impact.workaround),
            style={"button_width": "auto"},
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

        self.hints: dict[str, widgets.HBox] = {}
        hint = story.impact_suggestion(summary)
        if hint is not None:
            offers: list[tuple[str, widgets.Widget, Any, str]] = [
                (
                    "tenants",
                    self.tenants,
                    list(hint.affected_tenants),
                    ", ".join(hint.affected_tenants),
                ),
                ("broken", self.broken, hint.broken_functionality, hint.broken_functionality),
                (
                    "started",
                    self.started,
                    iso(hint.started_at) if hint.started_at else "",
                    humanize.moment(hint.started_at) if hint.started_at else "",
                ),
                ("trend", self.trend, hint.trend, hint.trend),
            ]
            for name, widget, value, shown in offers:
                if value and not widget.value:
                    self.hints[name] = self._hint(widget, value, shown)
        self.accept_all = button("Accept all suggestions", "check")
        self.accept_all.on_click(lambda _b: self.accept_suggestions())
        self.accept_all.layout.display = "" if self.hints else "none"

        def field(name: str, text: str, widget: widgets.Widget, msg: Any = None) -> list[Any]:
            return [row(text, widget, msg), *([self.hints[name]] if name in self.hints else [])]

        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    f"<b>{self.title}</b>: saved to incident.json as you edit; suggestions from "
                    "the evidence are not saved until you accept them."
                ),
                self.accept_all,
                *field("tenants", "Affected tenants", self.tenants),
                *field("broken", "Broken functionality", self.broken),
                *field("started", "Started at (UTC)", self.started, self.started_msg),
                *field("trend", "Trend", self.trend),
                row("Workaround", self.workaround),
                row("", self.workaround_text),
                row("Flags", widgets.HBox([self.data_loss, self.breach])),
                row("Severity", self.severity),
                row("Reason", self.reason, self.reason_msg),
                self.advice,
                self.status,
            ]
        )

    def _hint(self, widget: widgets.Widget, value: Any, shown: str) -> widgets.HBox:
        """A suggestion line under a field: the evidence's answer and a button accepting it."""
        accept = button("Accept", "check", f"save the suggestion: {shown}")
        accept.add_class("inb-accept")
        text = widgets.HTML(
            f'<div style="white-space:normal;color:#555">Suggested from the evidence (not '
            f"saved): <i>{html.escape(shown)}</i></div>",
            layout=widgets.Layout(max_width="40rem"),
        )
        box = widgets.HBox([label(""), text, accept], layout=widgets.Layout(align_items="center"))
        box.add_class("inb-suggestion")

        def take(_b: object = None) -> None:
            widget.value = value

        def typed(change: dict[str, Any]) -> None:
            if change["new"]:
                box.layout.display = "none"
                if all(h.layout.display == "none" for h in self.hints.values()):
                    self.accept_all.layout.display = "none"

        accept.on_click(take)
        widget.observe(typed, names="value")
        return box

    def accept_suggestions(self) -> None:
        """Save every suggestion of the evidence for the fields still empty."""
        for box in self.hints.values():
            if box.layout.display != "none":
                box.children[2].click()

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
            cadence = cadence_words(level)
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
