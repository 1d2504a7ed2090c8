"""Plotly figures of the evidence. Pure: DataFrames in, figures out; nothing is shown or saved.

Every chart says its unit in its title and on its axis, keeps its legend to the right of the
plot (clear of the axis titles), and marks events (deploys, the onset, the alert) with dashed
lines whose labels sit above the plot, one row per event in time order, so that two labels
never overlap however close the events are; each label's full text is also on hover, as
Grafana's annotations are. Events outside the charted time range are left out (they would
stretch the axis). The static renderer (:mod:`incident_nb.postmortem.images`) draws the same
figure data, so the HTML, the Markdown's PNGs and the PDF show the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from incident_nb.analysis.impact import error_rates
from incident_nb.core.models import utc

MARKER_COLORS = {"onset": "#d62728", "alert": "#ff7f0e", "deploy": "#2ca02c"}
OTHER_MARKER_COLOR = "#7f7f7f"
MARKER_ROW_PX = 22
"""Height of one row of event labels above the plot, in pixels."""
MAX_LABELLED_MARKERS = 6
"""Events labelled above a chart; further deploys are drawn as unlabelled lines."""
MAX_TENANTS = 5
"""The tenant chart draws at most this many tenants (the most affected)."""
MAX_ENDPOINTS = 5
"""The error-rate chart draws at most this many endpoints (failing ones first)."""
COLORWAY = (
    "#1f77b4", "#9467bd", "#17becf", "#8c564b", "#e377c2",
    "#bcbd22", "#393b79", "#637939", "#843c39", "#7b4173",
)  # fmt: skip
"""Line colours in trace order, written into each trace so every renderer uses the same; the
marker colours (red, orange, green) are left to the markers."""
TITLE_PX = 46
"""Room for the chart's title above the event labels."""
TIME_AXIS = "time (UTC)"


def _kind(label: str) -> str:
    return label.split(maxsplit=1)[0].lower() if label.strip() else ""


def _clock(when: datetime) -> str:
    return utc(when).strftime("%H:%M")


def visible_markers(
    markers: Sequence[tuple[str, datetime]], start: datetime | None, end: datetime | None
) -> list[tuple[str, datetime]]:
    """The markers inside ``[start, end]`` (all of them without a range), in time order."""
    inside = [
        (label, utc(when))
        for label, when in markers
        if (start is None or utc(when) >= start) and (end is None or utc(when) <= end)
    ]
    return sorted(inside, key=lambda m: m[1])


def labelled_markers(markers: Sequence[tuple[str, datetime]]) -> list[tuple[str, datetime]]:
    """The markers that get a label: every non-deploy event, then the latest deploys."""
    if len(markers) <= MAX_LABELLED_MARKERS:
        return list(markers)
    others = [m for m in markers if _kind(m[0]) != "deploy"]
    deploys = [m for m in markers if _kind(m[0]) == "deploy"]
    room = max(MAX_LABELLED_MARKERS - len(others), 0)
    keep = others + (deploys[-room:] if room else [])
    return sorted(keep, key=lambda m: m[1])


def _range(x: pd.Series) -> tuple[datetime | None, datetime | None]:
    times = pd.to_datetime(x, utc=True) if len(x) else pd.Series(dtype="datetime64[ns, UTC]")
    if times.empty:
        return None, None
    return times.min().to_pydatetime(), times.max().to_pydatetime()


def add_markers(
    fig: go.Figure,
    markers: Sequence[tuple[str, datetime]],
    start: datetime | None = None,
    end: datetime | None = None,
) -> int:
    """Draw the markers inside ``[start, end]``; return how many label rows they take."""
    shown = visible_markers(markers, start, end)
    labelled = labelled_markers(shown)
    span = (end - start).total_seconds() if start is not None and end is not None else 0.0
    for label, when in shown:
        color = MARKER_COLORS.get(_kind(label), OTHER_MARKER_COLOR)
        x = pd.Timestamp(when).isoformat()
        fig.add_shape(
            type="line",
            x0=x,
            x1=x,
            y0=0,
            y1=1,
            yref="paper",
            line={"color": color, "dash": "dash", "width": 1.5},
        )
    for row, (label, when) in enumerate(labelled):
        color = MARKER_COLORS.get(_kind(label), OTHER_MARKER_COLOR)
        # Left of the line in the right part of the chart, so the label stays inside it.
        late = span > 0 and start is not None and (when - start).total_seconds() > 0.5 * span
        fig.add_annotation(
            x=pd.Timestamp(when).isoformat(),
            y=1,
            yref="paper",
            yshift=4 + MARKER_ROW_PX * (len(labelled) - 1 - row),
            text=f"{label} {_clock(when)}",
            hovertext=f"{label} at {utc(when):%Y-%m-%d %H:%M:%S} UTC",
            showarrow=False,
            xanchor="right" if late else "left",
            yanchor="bottom",
            font={"color": color, "size": 11},
            bgcolor="rgba(255,255,255,0.9)",
            bordercolor=color,
            borderwidth=1,
            borderpad=2,
        )
    return len(labelled)


def _layout(fig: go.Figure, title: str, y_title: str, rows: int) -> go.Figure:
    top = TITLE_PX + MARKER_ROW_PX * rows
    fig.update_layout(
        title={
            "text": title,
            "x": 0,
            "xref": "paper",
            "xanchor": "left",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 12},
        },
        template="plotly_white",
        height=340 + top,
        margin={"l": 70, "r": 20, "t": top, "b": 50},
        legend={"x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
        hovermode="x unified",
        yaxis_title=y_title,
        xaxis_title=TIME_AXIS,
    )
    return fig


def _line(x: pd.Series, y: pd.Series, name: str, index: int, **line: object) -> go.Scatter:
    style = {"color": COLORWAY[index % len(COLORWAY)], **line}
    return go.Scatter(x=x, y=y, name=name, mode="lines", line=style)


def top_endpoints(per_minute_endpoint: pd.DataFrame, limit: int = MAX_ENDPOINTS) -> list[str]:
    """The endpoints with the most errors in the frame, most first."""
    totals = per_minute_endpoint.groupby("endpoint", dropna=True)["errors"].sum()
    ranked = totals.sort_values(ascending=False, kind="stable")
    return [str(e) for e in ranked.index[:limit]]


def error_rate_chart(
    per_minute: pd.DataFrame,
    per_minute_endpoint: pd.DataFrame | None = None,
    markers: Sequence[tuple[str, datetime]] = (),
    endpoints: Sequence[str] | None = None,
) -> go.Figure:
    """Error rate (% of requests) per minute, overall and per endpoint (the most failing)."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=per_minute["minute"],
            y=100 * error_rates(per_minute),
            name="overall",
            mode="lines",
            line={"width": 3, "color": "#222222"},
        )
    )
    if per_minute_endpoint is not None and not per_minute_endpoint.empty:
        names = list(endpoints) if endpoints is not None else top_endpoints(per_minute_endpoint)
        for index, name in enumerate(names):
            part = per_minute_endpoint[per_minute_endpoint["endpoint"] == name]
            fig.add_trace(_line(part["minute"], 100 * error_rates(part), str(name), index))
    rows = add_markers(fig, markers, *_range(per_minute["minute"]))
    return _layout(fig, "Error rate per minute (% of requests)", "errors (% of requests)", rows)


def tenant_error_chart(
    per_minute_tenant: pd.DataFrame,
    tenants: pd.DataFrame,
    markers: Sequence[tuple[str, datetime]] = (),
    top: int = MAX_TENANTS,
) -> go.Figure:
    """Error rate (% of requests) per minute of the most affected tenants (at most five).

    Args:
        per_minute_tenant: minute, tenant, requests, errors.
        tenants: the assessment's tenant table (tenant, errors, affected), most errors first.
        markers: vertical markers (label, time).
        top: how many tenants to draw (at most :data:`MAX_TENANTS`); affected ones first.
    """
    count = min(top, MAX_TENANTS)
    ranked = tenants[tenants["tenant"] != "(none)"].sort_values(
        ["affected", "errors"], ascending=False, kind="stable"
    )
    fig = go.Figure()
    for index, row in enumerate(ranked.head(count).to_dict("records")):
        name = str(row["tenant"])
        part = per_minute_tenant[per_minute_tenant["tenant"] == name]
        label = name if row["affected"] else f"{name} (not affected)"
        width = 2.0 if row["affected"] else 1.0
        fig.add_trace(_line(part["minute"], 100 * error_rates(part), label, index, width=width))
    rows = add_markers(fig, markers, *_range(per_minute_tenant["minute"]))
    title = "Error rate per minute of the most affected tenants (% of requests)"
    return _layout(fig, title, "errors (% of requests)", rows)


def latency_chart(
    per_minute: pd.DataFrame, markers: Sequence[tuple[str, datetime]] = ()
) -> go.Figure:
    """Latency p50/p95/p99 per minute, in milliseconds."""
    fig = go.Figure()
    for index, (column, label, dash) in enumerate(
        (("p50_ms", "p50", "solid"), ("p95_ms", "p95", "dot"), ("p99_ms", "p99", "dash"))
    ):
        fig.add_trace(_line(per_minute["minute"], per_minute[column], label, index, dash=dash))
    rows = add_markers(fig, markers, *_range(per_minute["minute"]))
    return _layout(fig, "Latency per minute: p50, p95, p99 (ms)", "latency (ms)", rows)


def deploy_markers(deploys: pd.DataFrame) -> list[tuple[str, datetime]]:
    """Markers ("deploy <version>", time) for the charts' ``markers`` from a deploys frame.

    The frame is the one of ``incident_nb.sources.deploys.deploys`` (time, version, sha, ...);
    a deploy without a version is labelled by its short sha.
    """
    markers: list[tuple[str, datetime]] = []
    for row in deploys.to_dict("records"):
        label = str(row.get("version") or "") or str(row.get("sha") or "")[:8]
        service = str(row.get("service") or "")
        text = f"deploy {service} {label}" if service else f"deploy {label}"
        markers.append((text.strip(), pd.Timestamp(row["time"]).to_pydatetime()))
    return markers


def trace_comparison_chart(comparison: pd.DataFrame, title: str = "") -> go.Figure:
    """Mean span duration in failing vs successful traces, one pair of bars per group.

    ``comparison`` is the frame of :func:`incident_nb.analysis.traces.compare_failing` (by
    service, or by service and operation); the hover shows the spans, p95 and error spans.
    """
    keys = [k for k in ("service", "operation") if k in comparison.columns]
    labels: list[str] = (
        comparison[keys].astype(str).agg(" ".join, axis=1).tolist() if len(comparison) else []
    )
    fig = go.Figure()
    for side, name, color in (
        ("failing", "failing traces", "#d62728"),
        ("ok", "successful", "#1f77b4"),
    ):
        fig.add_trace(
            go.Bar(
                y=labels,
                x=comparison[f"mean_ms_{side}"],
                name=name,
                orientation="h",
                marker={"color": color},
                customdata=comparison[[f"spans_{side}", f"p95_ms_{side}", "errors"]],
                hovertemplate="%{y}: mean %{x:.1f} ms, p95 %{customdata[1]:.1f} ms, "
                "%{customdata[0]} spans, %{customdata[2]} error spans<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(
        title={"text": title or "Where failing requests spend their time (mean ms per span)"},
        template="plotly_white",
        barmode="group",
        height=max(260, 60 + 48 * len(comparison)),
        margin={"l": 160, "r": 20, "t": 70, "b": 50},
        legend={"x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
        xaxis_title="mean span duration (ms)",
        yaxis={"autorange": "reversed"},
    )
    return fig


_SIGNAL_COLORS = {
    "latency": "#1f77b4",
    "errors": "#d62728",
    "logs": "#9467bd",
    "resources": "#ff7f0e",
}
_NEW_FACTOR = 10.0
"""How far past the largest finite change a change from nothing is drawn."""


def localization_chart(
    findings: pd.DataFrame,
    ranking: Sequence[str],
    top: int = 3,
    per_service: int = 4,
    min_score: float = 0.1,
) -> go.Figure:
    """The top services' strongest findings against the baseline, one panel per service.

    ``findings`` is :attr:`incident_nb.analysis.localize.Localization.findings` and
    ``ranking`` the services best first; findings scoring under ``min_score`` are left out.
    Each bar runs from the baseline (1x) to the window's value as a multiple of it, on a log
    scale, coloured by signal; a value that was zero in the baseline (a new error, a new path)
    is drawn past the others and labelled ``new``. The hover shows the finding's sentence with
    its numbers.
    """
    strong = findings[findings["score"] >= min_score] if len(findings) else findings
    chosen = [s for s in ranking if s in set(strong["service"])][:top] if len(strong) else []
    rows = max(1, len(chosen))
    fig = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=[f"{i}. {s}" for i, s in enumerate(chosen, 1)] or ["no findings"],
    )
    parts = []
    for service in chosen:
        mine = strong[strong["service"] == service]
        parts.append(mine.sort_values("score", ascending=False).head(per_service))
    ratios = [
        (p["window"].astype(float) / p["baseline"].astype(float)).where(p["baseline"] > 0)
        for p in parts
    ]
    every = pd.concat(ratios).to_numpy(dtype="float64") if ratios else np.zeros(0)
    finite = every[np.isfinite(every)]
    ceiling = max(float(finite.max()) if len(finite) else 1.0, 2.0) * _NEW_FACTOR
    shown: set[str] = set()
    for row, (part, ratio) in enumerate(zip(parts, ratios, strict=True), 1):
        for signal, group in part.groupby("signal", sort=False):
            values = ratio[group.index].fillna(ceiling).clip(lower=1e-3)
            labels = [_chart_label(str(i)) for i in group["item"]]
            fig.add_trace(
                go.Bar(
                    y=labels,
                    x=values - 1.0,
                    base=1.0,
                    orientation="h",
                    name=str(signal),
                    legendgroup=str(signal),
                    showlegend=str(signal) not in shown,
                    marker={"color": _SIGNAL_COLORS.get(str(signal), "#7f7f7f")},
                    text=["new" if pd.isna(r) else f"{r:.3g}x" for r in ratio[group.index]],
                    textposition="outside",
                    customdata=group[["summary", "score"]],
                    hovertemplate="%{customdata[0]}<br>score %{customdata[1]:.2f}<extra></extra>",
                ),
                row=row,
                col=1,
            )
            shown.add(str(signal))
        fig.update_yaxes(autorange="reversed", row=row, col=1)
    fig.update_xaxes(type="log", title_text="window / baseline", row=rows, col=1)
    fig.add_vline(x=1, line={"color": "#7f7f7f", "dash": "dot", "width": 1})
    fig.update_layout(
        title={"text": "Which service is at fault: its signals against the baseline"},
        template="plotly_white",
        height=max(300, 90 + 170 * rows),
        margin={"l": 260, "r": 40, "t": 80, "b": 50},
        legend={"orientation": "h", "y": -0.12},
        barmode="group",
    )
    return fig


def _chart_label(item: str, width: int = 40) -> str:
    text = " ".join(item.split())
    return text if len(text) <= width else text[: width - 1] + "…"
