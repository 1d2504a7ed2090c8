"""What every form shares: binding widgets to record fields, messages next to fields, display.

A form is a thin layer over the record: its widgets show the saved values (so re-running a cell,
restarting the kernel or re-executing with papermill shows what was entered, not defaults), each
change is saved at once through :class:`~incident_nb.core.store.RecordStore`, and ``.value``
returns the domain object. Displayed, a form is a live widget with a static Markdown rendering
of its values beside it for viewers without a kernel.

Forms of one notebook share a :class:`RecordEvents`: a saved change is announced to the others,
so what depends on it (the update cadence of the chosen severity, the watch period, the
post-mortem draft) is shown afresh at once. Labels wrap and buttons fit their text: no label,
answer or button is ever cut off.
"""

from __future__ import annotations

import html
import weakref
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


def label(text: str, width: str = LABEL_WIDTH, bold: bool = False) -> widgets.HTML:
    """A field's label that wraps onto more lines rather than being cut off."""
    weight = "font-weight:bold;" if bold else ""
    return widgets.HTML(
        f'<div style="white-space:normal;line-height:1.3;overflow-wrap:anywhere;{weight}">'
        f"{html.escape(text)}</div>",
        layout=widgets.Layout(width=width, min_width=width),
    ).add_class("inb-label")


def button(description: str, icon: str = "", tooltip: str = "") -> widgets.Button:
    """A button as wide as its text."""
    return widgets.Button(
        description=description,
        icon=icon,
        tooltip=tooltip or description,
        layout=widgets.Layout(width="auto", min_width="fit-content", align_self="flex-start"),
    )


def row(
    label_text: str, widget: widgets.Widget, message: widgets.HTML | None = None
) -> widgets.HBox:
    """A labelled field, with its message area to the right."""
    parts: list[widgets.Widget] = [label(label_text), widget]
    if message is not None:
        parts.append(message)
    return widgets.HBox(parts, layout=widgets.Layout(align_items="center"))


class RecordEvents:
    """Tells the forms of one notebook session that a field of the record was saved.

    Listeners are held weakly: a form whose cell was re-run (and so replaced) stops listening
    when it is collected.
    """

    def __init__(self) -> None:
        self._listeners: list[weakref.WeakMethod[Callable[[str], None]]] = []

    def subscribe(self, listener: Callable[[str], None]) -> None:
        """Call the bound method ``listener(field)`` after every save."""
        self._listeners.append(weakref.WeakMethod(listener))

    def changed(self, field: str) -> None:
        """Announce that ``field`` was saved."""
        alive = []
        for ref in self._listeners:
            listener = ref()
            if listener is not None:
                alive.append(ref)
                listener(field)
        self._listeners = alive


def _set_seen(data: dict[str, Any], field: str, value: Any) -> None:
    *parents, last = field.split(".")
    for part in parents:
        data = data[part]
    data[last] = value


class Form:
    """Base class of the forms: the store, the last-seen record, saving and display."""

    title = ""

    def __init__(self, store: RecordStore, events: RecordEvents | None = None) -> None:
        self.store = store
        self.events = events or RecordEvents()
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
        self.events.changed(field)
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
    value: str, placeholder: str = "", width: str = "32rem", area: bool = False, rows: int = 0
) -> widgets.Widget:
    """A text field (or area) that reports its value when editing is done, not per keystroke.

    ``rows`` makes a text area of that many lines (long answers are then shown whole).
    """
    if rows:
        return widgets.Textarea(
            value=value,
            placeholder=placeholder,
            continuous_update=False,
            rows=rows,
            layout=widgets.Layout(width=width),
        )
    cls = widgets.Textarea if area else widgets.Text
    return cls(
        value=value,
        placeholder=placeholder,
        continuous_update=False,
        layout=widgets.Layout(width=width, height="5rem" if area else None),
    )
