"""Plotly figures of the incident review. Pure: review tables in, figures out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

SEVERITY_COLORS = {
    "SEV-1": "#b71c1c",
    "SEV-2": "#e65100",
    "SEV-3": "#f9a825",
    "SEV-4": "#2e7d32",
    "undecided": "#9e9e9e",
}


def _layout(fig: go.Figure, title: str, y_title: str, x_title: str = "") -> go.Figure:
    fig.update_layout(
        title={"text": title},
        template="plotly_white",
        height=340,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"orientation": "h", "y": -0.2},
        yaxis_title=y_title,
        xaxis_title=x_title,
    )
    return fig


def per_month_chart(per_month: pd.DataFrame) -> go.Figure:
    """Incidents per month, stacked by severity."""
    fig = go.Figure()
    for level, color in SEVERITY_COLORS.items():
        if level in per_month.columns:
            fig.add_trace(
                go.Bar(x=per_month["month"], y=per_month[level], name=level, marker_color=color)
            )
    fig.update_layout(barmode="stack")
    return _layout(fig, "Incidents per month and severity", "incidents")


def timings_chart(timings: pd.DataFrame) -> go.Figure:
    """Median and p90 of the time to detect, mitigate and resolve."""
    fig = go.Figure(
        [
            go.Bar(x=timings["measure"], y=timings["median_min"], name="median"),
            go.Bar(x=timings["measure"], y=timings["p90_min"], name="p90"),
        ]
    )
    fig.update_layout(barmode="group")
    return _layout(fig, "Time from the incident's start", "minutes")


def update_sla_chart(update_sla: pd.DataFrame) -> go.Figure:
    """Resolved incidents that kept or missed their update cadence, per severity."""
    x = update_sla["severity"]
    fig = go.Figure(
        [
            go.Bar(x=x, y=update_sla["kept"], name="kept", marker_color="#2e7d32"),
            go.Bar(x=x, y=update_sla["missed"], name="missed", marker_color="#c62828"),
        ]
    )
    fig.update_layout(barmode="stack")
    return _layout(fig, "Status updates on the severity's cadence", "resolved incidents")


def categories_chart(categories: pd.DataFrame) -> go.Figure:
    """Incidents per root-cause category."""
    fig = go.Figure(go.Bar(x=categories["category"], y=categories["incidents"], name="incidents"))
    return _layout(fig, "Root-cause categories", "incidents")


def owners_chart(owners: pd.DataFrame) -> go.Figure:
    """Action items per owner: overdue, open and not yet due, done."""
    x, not_due = owners["owner"], owners["open"] - owners["overdue"]
    fig = go.Figure(
        [
            go.Bar(x=x, y=owners["overdue"], name="overdue", marker_color="#c62828"),
            go.Bar(x=x, y=not_due, name="open, not due", marker_color="#f9a825"),
            go.Bar(x=x, y=owners["done"], name="done", marker_color="#2e7d32"),
        ]
    )
    fig.update_layout(barmode="stack")
    return _layout(fig, "Action items per owner", "action items")


def concentration_chart(shares: pd.DataFrame) -> go.Figure:
    """Share of incidents each responder worked on, by rank, without names."""
    fig = go.Figure(
        go.Bar(
            x=[f"responder {r}" for r in shares["rank"]],
            y=100 * shares["share"],
            name="share of incidents",
            marker_color="#5c6bc0",
        )
    )
    return _layout(fig, "Share of incidents per responder (by rank)", "% of incidents")
