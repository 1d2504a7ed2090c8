"""Step 7 form: the post-mortem's prose, and marking the post-mortem final."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from incident_nb.core.record import Narrative
from incident_nb.core.store import RecordStore
from incident_nb.forms.base import Form, message_widget, row, show_message, text_box
from incident_nb.forms.validation import finalize_problems, lines
from incident_nb.postmortem import sections


class NarrativeForm(Form):
    """Author, summary, user-facing and data impact, what went well and not, lessons learned."""

    title = "Post-mortem narrative"

    def __init__(self, store: RecordStore) -> None:
        super().__init__(store)
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
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    f"<b>{self.title}</b>: blameless, about systems and processes, not individuals."
                ),
                row("Author", self.author),
                row("Summary", self.summary),
                row("User-facing impact", self.user_facing),
                row("Data impact", self.data_impact),
                row("What went well", self.went_well),
                row("What could be improved", self.could_improve),
                row("Lessons learned", self.lessons),
                widgets.HBox([self.final, self.final_msg]),
                self.status,
            ]
        )

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
