"""Plotly figures of the incident review. Pure: review tables in, figures (or why none) out.

A chart with nothing to show is replaced by a sentence saying so (:func:`review_charts`), so a
review of zero, one or two incidents reads as text rather than as empty axes. Months are
calendar months, labelled as such (``Nov 2026``), never as dates with a time of day.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from incident_nb.review.aggregate import Concentration

SEVERITY_COLORS = {
    "SEV-1": "#b71c1c",
    "SEV-2": "#e65100",
    "SEV-3": "#f9a825",
    "SEV-4": "#2e7d32",
    "undecided": "#9e9e9e",
}


@dataclass(frozen=True)
class ReviewChart:
    """One chart of the review, or the sentence shown in its place."""

    title: str
    figure: go.Figure | None
    empty: str = ""


def _layout(
    fig: go.Figure, title: str, y_title: str, x_title: str = "", count: float | None = None
) -> go.Figure:
    """The review's chart layout; ``count`` (the tallest bar) makes a whole-number axis."""
    fig.update_layout(
        title={"text": title},
        template="plotly_white",
        height=340,
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
        legend={"x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
        showlegend=len(fig.data) > 1 or bool(fig.data and fig.data[0].name in SEVERITY_COLORS),
        yaxis_title=y_title,
        xaxis_title=x_title,
    )
    fig.update_yaxes(rangemode="tozero")
    if count is not None:  # counts: whole numbers, one tick per unit while they are few
        fig.update_yaxes(tickformat=",d", dtick=1 if count <= 10 else None)
    return fig


def month_label(month: str) -> str:
    """``2026-11`` as ``Nov 2026``."""
    return pd.Period(month, "M").strftime("%b %Y")


def per_month_chart(per_month: pd.DataFrame) -> go.Figure:
    """Incidents per calendar month, stacked by severity."""
    fig = go.Figure()
    labels = [month_label(m) for m in per_month["month"]]
    for level, color in SEVERITY_COLORS.items():
        if level in per_month.columns:
            fig.add_trace(go.Bar(x=labels, y=per_month[level], name=level, marker_color=color))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    top = float(per_month["total"].max()) if len(per_month) else 0.0
    return _layout(fig, "Incidents per month and severity", "incidents", count=top)


def timings_chart(timings: pd.DataFrame) -> go.Figure:
    """Median and p90 of the time to detect, mitigate and resolve."""
    fig = go.Figure(
        [
            go.Bar(x=timings["measure"], y=timings["median_min"], name="median"),
            go.Bar(x=timings["measure"], y=timings["p90_min"], name="p90"),
        ]
    )
    fig.update_layout(barmode="group")
    return _layout(fig, "Time from the incident's start (minutes)", "minutes")


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
    top = float(update_sla["incidents"].max()) if len(update_sla) else 0.0
    return _layout(fig, "Status updates on the severity's cadence", "resolved incidents", count=top)


def categories_chart(categories: pd.DataFrame) -> go.Figure:
    """Incidents per root-cause category."""
    fig = go.Figure(go.Bar(x=categories["category"], y=categories["incidents"], name="incidents"))
    top = float(categories["incidents"].max()) if len(categories) else 0.0
    return _layout(fig, "Root-cause categories", "incidents", count=top)


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
    top = float((owners["open"] + owners["done"]).max()) if len(owners) else 0.0
    return _layout(fig, "Action items per owner", "action items", count=top)


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
    return _layout(fig, "Share of incidents per responder (by rank, %)", "% of incidents")


def review_charts(
    *,
    per_month: pd.DataFrame,
    timings: pd.DataFrame,
    update_sla: pd.DataFrame,
    categories: pd.DataFrame,
    owners: pd.DataFrame,
    concentration: Concentration,
) -> list[ReviewChart]:
    """Every chart of the review, each replaced by a sentence when it would be empty."""
    recorded = categories[categories["category"] != "not recorded"]
    return [
        ReviewChart(
            "Incidents per month and severity",
            per_month_chart(per_month) if per_month["total"].sum() else None,
            "No incidents in this period.",
        ),
        ReviewChart(
            "Time from the incident's start",
            timings_chart(timings) if timings["incidents"].sum() else None,
            "No incident has a detection, mitigation or resolution time yet.",
        ),
        ReviewChart(
            "Status updates on the severity's cadence",
            update_sla_chart(update_sla) if update_sla["incidents"].sum() else None,
            "No resolved incident with a decided severity yet: the update cadence is judged "
            "once an incident is resolved.",
        ),
        ReviewChart(
            "Root-cause categories",
            categories_chart(categories) if recorded["incidents"].sum() else None,
            "No root-cause category is recorded yet.",
        ),
        ReviewChart(
            "Action items per owner",
            owners_chart(owners) if len(owners) else None,
            "No action items yet.",
        ),
        ReviewChart(
            "Share of incidents per responder (by rank)",
            concentration_chart(concentration.shares) if concentration.incidents else None,
            "No responders are recorded yet.",
        ),
    ]
