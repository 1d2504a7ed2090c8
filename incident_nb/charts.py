"""Plotly figures of the evidence. Pure: DataFrames in, figures out; nothing is shown or saved."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from incident_nb.analysis.impact import error_rates

_MARKER_COLORS = {"onset": "#d62728", "alert": "#ff7f0e", "deploy": "#2ca02c"}


def _add_markers(fig: go.Figure, markers: Sequence[tuple[str, datetime]]) -> None:
    """Vertical dashed lines with a label for events such as the onset and the alert."""
    for label, when in markers:
        kind = label.split()[0].lower()
        color = _MARKER_COLORS.get(kind, "#7f7f7f")
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
        fig.add_annotation(
            x=x,
            y=1,
            yref="paper",
            text=label,
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font={"color": color, "size": 11},
        )


def _layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title},
        template="plotly_white",
        height=380,
        margin={"l": 60, "r": 20, "t": 70, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
        yaxis_title=y_title,
        xaxis_title="time (UTC)",
    )
    return fig


def error_rate_chart(
    per_minute: pd.DataFrame,
    per_minute_endpoint: pd.DataFrame | None = None,
    markers: Sequence[tuple[str, datetime]] = (),
    endpoints: Sequence[str] | None = None,
) -> go.Figure:
    """Error rate (% of requests) per minute, overall and per endpoint."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=per_minute["minute"],
            y=100 * error_rates(per_minute),
            name="overall",
            mode="lines",
            line={"width": 3, "color": "#222"},
        )
    )
    if per_minute_endpoint is not None and not per_minute_endpoint.empty:
        names = (
            endpoints
            if endpoints is not None
            else sorted(per_minute_endpoint["endpoint"].dropna().unique())
        )
        for name in names:
            part = per_minute_endpoint[per_minute_endpoint["endpoint"] == name]
            fig.add_trace(
                go.Scatter(
                    x=part["minute"], y=100 * error_rates(part), name=str(name), mode="lines"
                )
            )
    _add_markers(fig, markers)
    return _layout(fig, "Error rate per minute", "errors (% of requests)")


def tenant_error_chart(
    per_minute_tenant: pd.DataFrame,
    tenants: pd.DataFrame,
    markers: Sequence[tuple[str, datetime]] = (),
    top: int = 8,
) -> go.Figure:
    """Error rate (% of requests) per minute of the ``top`` most affected tenants.

    Args:
        per_minute_tenant: minute, tenant, requests, errors.
        tenants: the assessment's tenant table (tenant, errors, affected), most errors first.
        markers: vertical markers (label, time).
        top: how many tenants to draw; affected ones first.
    """
    ranked = tenants[tenants["tenant"] != "(none)"].sort_values(
        ["affected", "errors"], ascending=False
    )
    fig = go.Figure()
    for name in ranked["tenant"].head(top):
        part = per_minute_tenant[per_minute_tenant["tenant"] == name]
        fig.add_trace(
            go.Scatter(x=part["minute"], y=100 * error_rates(part), name=str(name), mode="lines")
        )
    _add_markers(fig, markers)
    return _layout(fig, "Error rate per minute of the most affected tenants", "errors (%)")


def latency_chart(
    per_minute: pd.DataFrame, markers: Sequence[tuple[str, datetime]] = ()
) -> go.Figure:
    """Latency p50/p95/p99 per minute."""
    fig = go.Figure()
    for column, label, dash in (
        ("p50_ms", "p50", "solid"),
        ("p95_ms", "p95", "dot"),
        ("p99_ms", "p99", "dash"),
    ):
        fig.add_trace(
            go.Scatter(
                x=per_minute["minute"],
                y=per_minute[column],
                name=label,
                mode="lines",
                line={"dash": dash},
            )
        )
    _add_markers(fig, markers)
    return _layout(fig, "Latency percentiles per minute", "latency (ms)")


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
        title={"text": title or "Where failing requests spend their time"},
        template="plotly_white",
        barmode="group",
        height=max(260, 60 + 48 * len(comparison)),
        margin={"l": 160, "r": 20, "t": 70, "b": 40},
        legend={"orientation": "h", "y": -0.15},
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
