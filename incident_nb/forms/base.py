"""What every form shares: binding widgets to record fields, messages next to fields, display.

A form is a thin layer over the record: its widgets show the saved values (so re-running a cell,
restarting the kernel or re-executing with papermill shows what was entered, not defaults), each
change is saved at once through :class:`~incident_nb.core.store.RecordStore`, and ``.value``
returns the domain object. Displayed, a form is a live widget with a static Markdown rendering
of its values beside it for viewers without a kernel.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from incident_nb.core.errors import RecordError
from incident_nb.core.store import RecordStore, get_path

LABEL_WIDTH = "12rem"


def message_widget() -> widgets.HTML:
    """An empty message area, shown next to a field."""
    return widgets.HTML(value="", layout=widgets.Layout(margin="0 0 0 0.5rem"))


def show_message(target: widgets.HTML, text: str, ok: bool = False) -> None:
    """Put a message (red problem or grey confirmation) into a message area."""
    if not text:
        target.value = ""
        return
    color = "#2a7a2a" if ok else "#c62828"
    target.value = f'<span style="color:{color}">{html.escape(text)}</span>'


def row(label: str, widget: widgets.Widget, message: widgets.HTML | None = None) -> widgets.HBox:
    """A labelled field, with its message area to the right."""
    parts: list[widgets.Widget] = [
        widgets.Label(label, layout=widgets.Layout(width=LABEL_WIDTH)),
        widget,
    ]
    if message is not None:
        parts.append(message)
    return widgets.HBox(parts, layout=widgets.Layout(align_items="center"))


def _set_seen(data: dict[str, Any], field: str, value: Any) -> None:
    *parents, last = field.split(".")
    for part in parents:
        data = data[part]
    data[last] = value


class Form:
    """Base class of the forms: the store, the last-seen record, saving and display."""

    title = ""

    def __init__(self, store: RecordStore) -> None:
        self.store = store
        self.record = store.read()
        self._seen = self.record.model_dump(mode="json")
        self.status = message_widget()
        self.widget: widgets.Widget = widgets.VBox()

    def save(self, field: str, value: Any, message: widgets.HTML | None = None) -> bool:
        """Save one field now; show a problem next to the field (or in the status line)."""
        target = message if message is not None else self.status
        try:
            updated = self.store.update(field, value, expected=get_path(self._seen, field))
        except RecordError as exc:
            show_message(target, str(exc))
            return False
        # What this form has seen changes only for the field it saved: other fields still show
        # what they showed, so a later edit of them is checked against that.
        self.record = updated
        _set_seen(self._seen, field, get_path(updated.model_dump(mode="json"), field))
        show_message(target, "")
        show_message(self.status, f"saved to {self.store.folder.name}/incident.json", ok=True)
        return True

    def bind(
        self,
        widget: widgets.Widget,
        field: str,
        convert: Callable[[Any], Any] = lambda v: v,
        message: widgets.HTML | None = None,
    ) -> None:
        """Save ``field`` whenever ``widget`` changes, converting the value first.

        A ``ValueError`` from ``convert`` is shown next to the field and nothing is saved.
        """

        def on_change(change: dict[str, Any]) -> None:
            target = message if message is not None else self.status
            try:
                value = convert(change["new"])
            except ValueError as exc:
                show_message(target, str(exc))
                return
            self.save(field, value, message)

        widget.observe(on_change, names="value")

    def static_markdown(self) -> str:
        """The form's values as Markdown, for viewers without a kernel."""
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle: dict[str, Any] = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/markdown"] = self.static_markdown()
        bundle["text/plain"] = f"{self.title} (open in JupyterLab to edit)"
        return bundle


def text_box(
    value: str, placeholder: str = "", width: str = "32rem", area: bool = False
) -> widgets.Widget:
    """A text field (or area) that reports its value when editing is done, not per keystroke."""
    cls = widgets.Textarea if area else widgets.Text
    return cls(
        value=value,
        placeholder=placeholder,
        continuous_update=False,
        layout=widgets.Layout(width=width, height="5rem" if area else None),
    )
