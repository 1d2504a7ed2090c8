"""Forms over lists in the record: the timeline (kept sorted) and the action items."""

from __future__ import annotations

from datetime import datetime

import ipywidgets as widgets

from incident_nb.core.models import iso, utc
from incident_nb.core.record import ActionItem, TimelineEvent
from incident_nb.core.store import RecordStore
from incident_nb.core.workflow import ACTION_STATUSES
from incident_nb.forms.base import (
    Form,
    RecordEvents,
    button,
    label,
    message_widget,
    show_message,
    text_box,
)
from incident_nb.forms.validation import action_item_problems, parse_day, parse_time
from incident_nb.postmortem import sections


def _key(event: TimelineEvent) -> tuple[datetime, str]:
    return utc(event.time), event.event


# What a timeline event marks, for the review's time to detect, mitigate and resolve.
KIND_OPTIONS: list[tuple[str, str]] = [
    ("(nothing)", ""),
    ("detected", "detected"),
    ("mitigated", "mitigated"),
    ("resolved", "resolved"),
    ("update", "update"),
]


def kind_box(value: str | None) -> widgets.Dropdown:
    """A selector of what an event marks (detected, mitigated, resolved, an update).

    Its value is ``""`` for an event that marks nothing (saved as ``None``).
    """
    return widgets.Dropdown(
        options=KIND_OPTIONS,
        value=value or "",
        tooltip="what this event marks, for the review's time to detect, mitigate, resolve",
        layout=widgets.Layout(width="9rem"),
    )


def header(*columns: tuple[str, str]) -> widgets.HBox:
    """Column headings above a list's rows: (text, width) pairs."""
    return widgets.HBox([label(text, width, bold=True) for text, width in columns]).add_class(
        "inb-list-header"
    )


class TimelineForm(Form):
    """Timeline events in UTC; evidence events are proposed and accepted (or edited) here."""

    title = "Timeline (UTC)"

    def __init__(
        self,
        store: RecordStore,
        proposals: list[TimelineEvent] | None = None,
        events: RecordEvents | None = None,
    ) -> None:
        super().__init__(store, events)
        self.proposals = proposals or []
        self.rows = widgets.VBox()
        self.proposed = widgets.VBox()
        self.new_time = text_box("", "YYYY-MM-DD HH:MM", "12rem")
        self.new_text = text_box("", "what happened", "28rem")
        self.new_kind = kind_box(None)
        self.add = button("Add event", "plus")
        self.add_msg = message_widget()
        self.add.on_click(lambda _b: self._add())
        self._render()
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<b>{self.title}</b>"),
                header(("Time (UTC)", "12rem"), ("Event", "28rem"), ("Marks", "9rem")),
                self.rows,
                widgets.HBox([self.new_time, self.new_text, self.new_kind, self.add, self.add_msg]),
                widgets.HTML("<i>Proposed from the evidence</i>"),
                self.proposed,
                self.status,
            ]
        )

    def _events(self) -> list[TimelineEvent]:
        return sorted(self.record.timeline, key=_key)

    def _save_events(
        self, events: list[TimelineEvent], message: widgets.HTML | None = None
    ) -> None:
        ordered = sorted(events, key=_key)
        if self.save("timeline", [e.model_dump(mode="json") for e in ordered], message):
            self._render()

    def _add(self) -> None:
        try:
            when = parse_time(self.new_time.value)
        except ValueError as exc:
            show_message(self.add_msg, str(exc))
            return
        if not self.new_text.value.strip():
            show_message(self.add_msg, "describe the event")
            return
        kind = self.new_kind.value or None
        text = self.new_text.value.strip()
        event = TimelineEvent(time=when, event=text, source="person", kind=kind)
        self._save_events([*self._events(), event], self.add_msg)
        self.new_time.value, self.new_text.value, self.new_kind.value = "", "", ""

    def _render(self) -> None:
        rows = []
        events = self._events()
        for index, event in enumerate(events):
            when = text_box(iso(event.time), width="12rem")
            text = text_box(event.event, width="28rem")
            kind = kind_box(event.kind)
            message = message_widget()
            remove = widgets.Button(
                icon="trash", tooltip="remove", layout=widgets.Layout(width="3rem")
            )
            remove.on_click(
                lambda _b, i=index: self._save_events(
                    [e for j, e in enumerate(self._events()) if j != i]
                )
            )

            def edit(
                _change: object,
                i: int = index,
                w: widgets.Text = when,
                t: widgets.Text = text,
                k: widgets.Dropdown = kind,
                m: widgets.HTML = message,
            ) -> None:
                try:
                    moment = parse_time(w.value)
                except ValueError as exc:
                    show_message(m, str(exc))
                    return
                events = self._events()
                changes = {"time": moment, "event": t.value.strip(), "kind": k.value or None}
                events[i] = events[i].model_copy(update=changes)
                self._save_events(events, m)

            when.observe(edit, names="value")
            text.observe(edit, names="value")
            kind.observe(edit, names="value")
            rows.append(widgets.HBox([when, text, kind, remove, message]))
        self.rows.children = rows
        known = {(utc(e.time).replace(microsecond=0), e.event.lower()) for e in events}
        proposals = []
        for proposal in self.proposals:
            if (utc(proposal.time).replace(microsecond=0), proposal.event.lower()) in known:
                continue
            accept = button("Accept", "check", f"add to the timeline: {proposal.event}")
            accept.on_click(lambda _b, p=proposal: self._save_events([*self._events(), p]))
            proposals.append(
                widgets.HBox(
                    [label(iso(proposal.time), "12rem"), label(proposal.event, "28rem"), accept],
                    layout=widgets.Layout(align_items="center"),
                )
            )
        self.proposed.children = proposals or [label("(none left)")]

    @property
    def value(self) -> list[TimelineEvent]:
        """The timeline, sorted."""
        return self._events()

    def static_markdown(self) -> str:
        """The timeline table."""
        return sections.timeline_table(self.record, None)


class ActionItemsForm(Form):
    """Action items: action, owner, due date, status; rows can be added and removed."""

    title = "Action items"

    def __init__(self, store: RecordStore, events: RecordEvents | None = None) -> None:
        super().__init__(store, events)
        self.rows = widgets.VBox()
        self.add = button("Add action item", "plus")
        self.add.add_class("inb-add-action")
        self.add.on_click(
            lambda _b: self._save_items([*self.record.action_items, ActionItem(action="")])
        )
        self._render()
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<b>{self.title}</b>"),
                header(
                    ("Action", "22rem"), ("Owner", "10rem"), ("Due", "9rem"), ("Status", "9rem")
                ),
                self.rows,
                self.add,
                self.status,
            ]
        )

    def _save_items(
        self, items: list[ActionItem], message: widgets.HTML | None = None, render: bool = True
    ) -> None:
        if (
            self.save("action_items", [i.model_dump(mode="json") for i in items], message)
            and render
        ):
            self._render()

    def _render(self) -> None:
        rows = []
        for index, item in enumerate(self.record.action_items):
            action = text_box(item.action, "action", "22rem")
            owner = text_box(item.owner, "@owner", "10rem")
            due = text_box(item.due.isoformat() if item.due else "", "YYYY-MM-DD", "9rem")
            for widget, name in ((action, "text"), (owner, "owner"), (due, "due")):
                widget.add_class(f"inb-action-{name}")
            status = widgets.Dropdown(
                options=list(ACTION_STATUSES),
                value=item.status,
                layout=widgets.Layout(width="9rem"),
            )
            remove = widgets.Button(
                icon="trash", tooltip="remove", layout=widgets.Layout(width="3rem")
            )
            message = message_widget()
            problems = action_item_problems(item, final=self.record.postmortem_final)
            show_message(
                message,
                "; ".join(problems)
                if item.action or index < len(self.record.action_items) - 1
                else "",
            )

            def edit(
                _change: object,
                i: int = index,
                widgets: tuple[widgets.Widget, ...] = (action, owner, due, status),
                m: widgets.HTML = message,
            ) -> None:
                a, o, d, s = (w.value for w in widgets)
                try:
                    day = parse_day(d) if d.strip() else None
                except ValueError as exc:
                    show_message(m, str(exc))
                    return
                items = list(self.record.action_items)
                items[i] = ActionItem(action=a.strip(), owner=o.strip(), due=day, status=s)
                self._save_items(items, m, render=False)
                show_message(
                    m, "; ".join(action_item_problems(items[i], final=self.record.postmortem_final))
                )

            for widget in (action, owner, due, status):
                widget.observe(edit, names="value")
            remove.on_click(
                lambda _b, i=index: self._save_items(
                    [x for j, x in enumerate(self.record.action_items) if j != i]
                )
            )
            rows.append(widgets.HBox([action, owner, due, status, remove, message]))
        self.rows.children = rows

    @property
    def value(self) -> list[ActionItem]:
        """The action items as saved."""
        return list(self.record.action_items)

    def static_markdown(self) -> str:
        """The Action Items table."""
        return sections.action_items_table(self.record)
