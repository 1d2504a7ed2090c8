"""Steps 4-6 forms: the fix, staging and deployment checklists, rollback plan, watch period."""

from __future__ import annotations

import ipywidgets as widgets

from incident_nb.core.models import Severity
from incident_nb.core.severity import level_info
from incident_nb.core.store import RecordStore
from incident_nb.core.workflow import DEPLOYMENT_CHECKLIST, FIX_CHECKLIST, STAGING_STEPS
from incident_nb.forms.base import Form, RecordEvents, row, text_box
from incident_nb.postmortem import sections

CHECKLISTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "fix_checklist": ("Fix checklist", FIX_CHECKLIST),
    "staging_checklist": ("Verify in staging", STAGING_STEPS),
    "deployment_checklist": ("Deployment checklist", DEPLOYMENT_CHECKLIST),
}


def watch_period_text(level_value: str | None, suggested: str | None) -> str:
    """The watch period the (decided, else suggested) severity implies, as HTML."""
    rule = "minimum 15 minutes for SEV-1/SEV-2, 5 minutes for SEV-3/SEV-4"
    chosen = level_value or suggested
    if chosen is None:
        return f"Watch period: decide the severity first ({rule})."
    minutes = level_info(Severity(chosen)).watch_period_min
    basis = chosen if level_value else f"suggested {chosen}"
    return f"Watch period after the deploy: <b>{minutes} minutes</b> ({basis}; {rule})."


class ChecklistForm(Form):
    """One of the workflow's checklists, with its exact items."""

    def __init__(
        self,
        store: RecordStore,
        field: str,
        suggested: str | None = None,
        events: RecordEvents | None = None,
    ) -> None:
        super().__init__(store, events)
        self.field = field
        self.suggested = suggested
        self.title, items = CHECKLISTS[field]
        state: dict[str, bool] = getattr(self.record, field)
        self.boxes = {
            item: widgets.Checkbox(
                value=bool(state.get(item)),
                description=item,
                indent=False,
                layout=widgets.Layout(width="auto"),
            )
            for item in items
        }
        for box in self.boxes.values():
            box.observe(lambda _c: self._save_list(), names="value")
        parts: list[widgets.Widget] = [widgets.HTML(f"<b>{self.title}</b>"), *self.boxes.values()]
        if field == "fix_checklist":
            self.rollback = text_box(self.record.rollback_plan, "how to roll back", area=True)
            self.bind(self.rollback, "rollback_plan")
            parts.append(row("Rollback plan", self.rollback))
        self.watch = widgets.HTML()
        if field == "deployment_checklist":
            self._show_watch()
            parts.append(self.watch)
            self.events.subscribe(self._on_change)
        self.widget = widgets.VBox([*parts, self.status])

    def _show_watch(self) -> None:
        level = self.record.severity.level
        self.watch.value = watch_period_text(level.value if level else None, self.suggested)

    def _on_change(self, field: str) -> None:
        if field == "severity":
            self.record = self.store.read()
            self._show_watch()

    def _save_list(self) -> None:
        self.save(self.field, {item: box.value for item, box in self.boxes.items()})

    @property
    def value(self) -> dict[str, bool]:
        """The checklist as {item: done}, in the workflow's order."""
        state: dict[str, bool] = getattr(self.record, self.field)
        return {item: bool(state.get(item)) for item in self.boxes}

    def static_markdown(self) -> str:
        """The checklist as a Markdown task list."""
        if self.field == "fix_checklist":
            return sections.fix_section(self.record)
        if self.field == "staging_checklist":
            return sections.staging_section(self.record)
        return sections.deployment_section(self.record, None)
