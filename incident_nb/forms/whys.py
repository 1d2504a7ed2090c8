"""Step 3 form: the 5 Whys, the root cause and its category, contributing factors."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from incident_nb.core.record import FiveWhys, Why
from incident_nb.core.store import RecordStore
from incident_nb.core.workflow import MIN_WHYS, ROOT_CAUSE_CATEGORIES
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
from incident_nb.forms.validation import five_whys_problems, lines
from incident_nb.postmortem import sections

UNSET = "(choose)"
STILL_QUESTION = "If we fix this, would the incident still have happened?"
NOT_CHECKED = "not checked yet"
ROOT_FOUND = "No: this is the root cause"
DIG_DEEPER = "Yes: dig deeper"
_STILL = {NOT_CHECKED: None, ROOT_FOUND: False, DIG_DEEPER: True}
"""The check's answers; "No" is the one that lets the analysis stop."""


class FiveWhysForm(Form):
    """Problem statement, a chain of why/answer steps (add/remove), root cause and the check."""

    title = "5 Whys"

    def __init__(
        self,
        store: RecordStore,
        hypotheses: Sequence[tuple[str, str]] = (),
        events: RecordEvents | None = None,
    ) -> None:
        """``hypotheses`` are (where from, answer) pairs the evidence offers as a first answer.

        E.g. ("Top suspect change", ...) and ("Service most likely at fault", ...): each shows
        with a button that puts it into the first why's answer; none is saved until then.
        """
        super().__init__(store, events)
        fw = self.record.five_whys
        self.problem = text_box(fw.problem, "Users getting 500 errors on /api/v1/...")
        self.whys_box = widgets.VBox()
        self.whys_msg = message_widget()
        self.root_cause = text_box(fw.root_cause, "the root cause", area=True)
        self.category = widgets.Dropdown(
            options=[UNSET, *ROOT_CAUSE_CATEGORIES], value=fw.category or UNSET
        )
        self.factors = text_box(
            "\n".join(fw.contributing_factors), "one factor per line", area=True
        )
        self.still = widgets.ToggleButtons(
            options=list(_STILL),
            value=next(k for k, v in _STILL.items() if v == fw.would_still_happen),
            style={"button_width": "auto"},
            tooltips=[
                "the check has not been made",
                "fixing this would have prevented the incident: the analysis can stop",
                "the incident would still have happened: ask why once more",
            ],
        )
        self.still.add_class("inb-still")
        self.check_msg = message_widget()
        self.add = button("Add a why", "plus")
        self.add.on_click(lambda _b: self._set_whys([*self._whys(), Why()]))

        self.bind(self.problem, "five_whys.problem")
        self.bind(self.root_cause, "five_whys.root_cause")
        self.bind(self.category, "five_whys.category", lambda v: None if v == UNSET else v)
        self.bind(self.factors, "five_whys.contributing_factors", lines)
        self.bind(self.still, "five_whys.would_still_happen", _STILL.__getitem__)
        self.still.observe(self._on_check, names="value")
        rows = list(fw.whys) + [Why() for _ in range(MIN_WHYS - len(fw.whys))]
        self._render_rows(rows)
        self.hypothesis = widgets.VBox()
        if not any(w.answer.strip() for w in fw.whys):
            self.hypothesis.children = [self._offer(where, text) for where, text in hypotheses]
        self._on_check(None)

        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    f"<b>{self.title}</b>: don't stop at the first why; "
                    "symptoms are not root causes."
                ),
                row("Problem", self.problem),
                widgets.HTML("Why? → answer, one step per line (at least five):"),
                self.hypothesis,
                self.whys_box,
                widgets.HBox([self.add, self.whys_msg]),
                row("Root cause", self.root_cause),
                row("Category", self.category),
                row("Contributing factors", self.factors),
                widgets.HTML(f"<b>Check</b>: {html.escape(STILL_QUESTION)}"),
                widgets.HBox(
                    [label(""), self.still, self.check_msg],
                    layout=widgets.Layout(align_items="center", flex_flow="row wrap"),
                ),
                self.status,
            ]
        )

    def _whys(self) -> list[Why]:
        out = []
        for line in self.whys_box.children:
            why, answer = line.children[1], line.children[2]
            out.append(Why(why=why.value, answer=answer.value))
        return out

    def _render_rows(self, whys: list[Why]) -> None:
        rows = []
        for index, step in enumerate(whys):
            why = text_box(step.why, "Why? (optional question)", "16rem", rows=2)
            answer = text_box(step.answer, "the answer", "34rem", rows=2)
            answer.add_class("inb-why-answer")
            remove = widgets.Button(
                icon="trash", tooltip="remove this step", layout=widgets.Layout(width="3rem")
            )
            for widget in (why, answer):
                widget.observe(
                    lambda _c: self._set_whys(self._whys(), rerender=False), names="value"
                )
            remove.on_click(
                lambda _b, i=index: self._set_whys(
                    [w for j, w in enumerate(self._whys()) if j != i]
                )
            )
            rows.append(
                widgets.HBox(
                    [
                        label(f"{index + 1}.", "2rem"),
                        why,
                        answer,
                        remove,
                    ]
                )
            )
        self.whys_box.children = rows

    def _set_whys(self, whys: list[Why], rerender: bool = True) -> None:
        if rerender:
            self._render_rows(whys)
        self.save("five_whys.whys", [w.model_dump() for w in whys], self.whys_msg)
        problem = five_whys_problems(self.record.five_whys).get("five_whys.whys", "")
        if problem and self.whys_msg.value == "":
            show_message(self.whys_msg, problem)

    def _offer(self, where: str, hypothesis: str) -> widgets.HBox:
        use = button("Use as first answer", "arrow-down")
        use.add_class("inb-use-hypothesis")
        use.on_click(lambda _b: self._use_hypothesis(hypothesis))
        offer = widgets.HTML(
            f'<div style="white-space:normal">{html.escape(where)} (not saved): '
            f"<i>{html.escape(hypothesis)}</i></div>",
            layout=widgets.Layout(max_width="46rem"),
        )
        return widgets.HBox([offer, use], layout=widgets.Layout(align_items="center"))

    def _use_hypothesis(self, hypothesis: str) -> None:
        whys = self._whys()
        whys[0] = Why(why=whys[0].why, answer=hypothesis)
        self._set_whys(whys)
        self.hypothesis.children = []

    def _on_check(self, _change: dict[str, Any] | None) -> None:
        if self.still.value == DIG_DEEPER:
            show_message(self.check_msg, "then this is not yet the root: dig deeper")
        else:
            show_message(self.check_msg, "")

    @property
    def value(self) -> FiveWhys:
        """The 5 Whys as saved."""
        return self.record.five_whys

    def static_markdown(self) -> str:
        """The chain, root cause and factors as Markdown."""
        factors = sections.bullets(self.record.five_whys.contributing_factors)
        return f"{sections.root_cause(self.record)}\n\n**Contributing factors**\n\n{factors}"
