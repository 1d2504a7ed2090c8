"""Step 7: the post-mortem's prose (with drafts from the evidence), marking it final, the draft.

The Summary and the user-facing impact are drafted from the evidence and offered under their
fields, not saved: "Use this draft" saves one with a click (then edit it as you like). The
post-mortem draft below the form is rendered again whenever a form of the notebook saves.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from incident_nb.core.record import Narrative
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
from incident_nb.forms.validation import finalize_problems, lines
from incident_nb.postmortem import sections, story
from incident_nb.postmortem.document import render_markdown


class NarrativeForm(Form):
    """Author, summary, user-facing and data impact, what went well and not, lessons learned."""

    title = "Post-mortem narrative"

    def __init__(
        self,
        store: RecordStore,
        summary: AnalysisSummary | None = None,
        events: RecordEvents | None = None,
    ) -> None:
        super().__init__(store, events)
        self.evidence_summary = summary
        n = self.record.narrative
        self.author = text_box(n.author, "name or team", "20rem")
        self.summary = text_box(n.summary, "1-2 sentences: what happened", area=True)
        self.user_facing = text_box(n.user_facing_impact, "what users experienced", area=True)
        self.data_impact = text_box(n.data_impact, "any data loss or corruption", area=True)
        self.went_well = text_box("\n".join(n.went_well), "one per line", area=True)
        self.could_improve = text_box("\n".join(n.could_improve), "one per line", area=True)
        self.lessons = text_box(n.lessons_learned, "key takeaways", area=True)
        self.final = widgets.Checkbox(
            value=self.record.postmortem_final, description="Post-mortem is final", indent=False
        )
        self.final_msg = message_widget()
        for widget, field, convert in (
            (self.author, "narrative.author", str),
            (self.summary, "narrative.summary", str),
            (self.user_facing, "narrative.user_facing_impact", str),
            (self.data_impact, "narrative.data_impact", str),
            (self.went_well, "narrative.went_well", lines),
            (self.could_improve, "narrative.could_improve", lines),
            (self.lessons, "narrative.lessons_learned", str),
        ):
            self.bind(widget, field, convert)
        self.final.observe(self._on_final, names="value")
        drafted = story.summary_draft(self.record, summary, sections.incident_end(self.record))
        self.summary_offer = self._offer(self.summary, drafted)
        self.impact_offer = self._offer(self.user_facing, story.user_facing_draft(summary))
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    f"<b>{self.title}</b>: blameless, about systems and processes, not individuals."
                ),
                row("Author", self.author),
                row("Summary", self.summary),
                self.summary_offer,
                row("User-facing impact", self.user_facing),
                self.impact_offer,
                row("Data impact", self.data_impact),
                row("What went well", self.went_well),
                row("What could be improved", self.could_improve),
                row("Lessons learned", self.lessons),
                widgets.HBox([self.final, self.final_msg]),
                self.status,
            ]
        )

    def _offer(self, box: widgets.Widget, drafted: str) -> widgets.HBox:
        """The evidence's draft under an empty field, with a button that saves it."""
        offer = widgets.HBox(layout=widgets.Layout(align_items="center"))
        if not drafted or box.value.strip():
            return offer
        use = button("Use this draft", "check", "save the draft; then edit it as you like")
        use.add_class("inb-use-draft")
        text = widgets.HTML(
            '<div style="white-space:normal;color:#555">Drafted from the evidence (not saved): '
            f"<i>{html.escape(drafted)}</i></div>",
            layout=widgets.Layout(max_width="40rem"),
        )

        def take(_b: object) -> None:
            box.value = drafted

        def typed(change: dict[str, Any]) -> None:
            if change["new"].strip():
                offer.layout.display = "none"

        use.on_click(take)
        box.observe(typed, names="value")
        offer.children = [label(""), text, use]
        return offer

    def _on_final(self, change: dict[str, Any]) -> None:
        if change["new"] == self.record.postmortem_final:
            return  # our own reset after a refusal, or no change
        if change["new"]:
            problems = finalize_problems(self.store.read())
            if problems:
                show_message(self.final_msg, "not final yet: " + "; ".join(problems.values()))
                self.final.value = False
                return
        self.save("postmortem_final", bool(change["new"]), self.final_msg)

    @property
    def value(self) -> Narrative:
        """The narrative as saved."""
        return self.record.narrative

    def static_markdown(self) -> str:
        """The narrative sections as Markdown."""
        return sections.narrative_section(self.record)


class PostmortemDraft:
    """The post-mortem as it would be exported now, shown again after every save in the session."""

    title = "Post-mortem draft"

    def __init__(
        self,
        store: RecordStore,
        summary: AnalysisSummary | None = None,
        events: RecordEvents | None = None,
    ) -> None:
        self.store = store
        self.summary = summary
        self.output = widgets.Output()
        self.refresh_button = button("Refresh the draft", "refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.widget = widgets.VBox([self.refresh_button, self.output])
        self.refresh()
        (events or RecordEvents()).subscribe(self._on_change)

    def markdown(self) -> str:
        """The post-mortem Markdown from ``incident.json`` as it is now and the evidence."""
        return render_markdown(self.store.read(), self.summary)

    def refresh(self) -> None:
        """Render the draft again (set as the output widget's one output, kernel or not)."""
        text = self.markdown()
        self.output.outputs = (
            {
                "output_type": "display_data",
                "data": {"text/markdown": text, "text/plain": text},
                "metadata": {},
            },
        )

    def _on_change(self, _field: str) -> None:
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle: dict[str, Any] = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/markdown"] = self.markdown()
        bundle["text/plain"] = f"{self.title} (open in JupyterLab to see it follow your edits)"
        return bundle
