"""Static chart images (PNG) for the Markdown and PDF post-mortems, drawn without a browser.

The figures are the plotly figures the notebook showed (as their JSON, already redacted);
matplotlib draws the same data: lines and bars with their colours and dashes, the event markers
with their labels in rows above the plot, the titles, axis titles and the legend beside the
plot. Nothing here needs Chromium, so the Markdown export works on any machine with Python.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from incident_nb.core.durable import write_bytes_atomic
from incident_nb.core.errors import ExportError

WIDTH, HEIGHT = 1000, 400
DPI = 100
DEFAULT_COLORWAY = (
    "#636efa", "#EF553B", "#00cc96", "#ab63fa", "#FFA15A",
    "#19d3f3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52",
)  # fmt: skip
"""plotly's own colour sequence, for traces that do not name their colour."""
DASHES = {"solid": "-", "dot": ":", "dash": "--", "longdash": "--", "dashdot": "-.", None: "-"}


def chart_title(figure: Mapping[str, Any], default: str) -> str:
    """The figure's title text, or ``default``."""
    title = figure.get("layout", {}).get("title", {})
    text = title.get("text") if isinstance(title, Mapping) else title
    return str(text) if text else default


def _values(data: Any) -> list[Any]:
    """A plotly array: a list, or the typed-array form ``{"dtype", "bdata"[, "shape"]}``."""
    if isinstance(data, Mapping) and "bdata" in data:
        raw = np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"]))
        return list(raw.tolist())
    return list(data) if data is not None else []


def _numbers(data: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array([np.nan if v is None else v for v in _values(data)], dtype=float)  # None: a gap


def _axis_values(data: Any) -> tuple[Any, bool]:
    """Values for an axis, as UTC times when they read as times; and whether they did."""
    values = _values(data)
    if values and all(isinstance(v, str) for v in values):
        times = pd.to_datetime(pd.Series(values), utc=True, errors="coerce", format="ISO8601")
        if times.notna().all():
            return times.dt.tz_convert(None).to_numpy(), True
    return values, False


def _time(value: Any) -> Any:
    return pd.Timestamp(value).tz_convert(None) if pd.Timestamp(value).tzinfo else value


def _colorway(layout: Mapping[str, Any]) -> Sequence[str]:
    template = layout.get("template", {})
    way = layout.get("colorway") or (template.get("layout", {}) if template else {}).get("colorway")
    return tuple(way) if way else DEFAULT_COLORWAY


def _title_text(value: Any) -> str:
    text = value.get("text", "") if isinstance(value, Mapping) else value
    return str(text or "")


def static_figure(figure: Mapping[str, Any]) -> Any:
    """The plotly figure (its JSON) as a matplotlib ``Figure``, not yet drawn to a file."""
    from matplotlib import dates as mdates  # noqa: PLC0415 - only when drawing
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    layout: Mapping[str, Any] = figure.get("layout", {})
    traces: list[Mapping[str, Any]] = list(figure.get("data", []))
    colors = _colorway(layout)
    annotations = [a for a in layout.get("annotations", []) if a.get("yref") == "paper"]
    rows_px = max((float(a.get("yshift", 0)) for a in annotations), default=0.0)
    height = max(HEIGHT, int(layout.get("height") or HEIGHT))
    fig = Figure(figsize=(WIDTH / DPI, height / DPI), dpi=DPI)
    canvas = FigureCanvasAgg(fig)  # draws to memory: no window, no display, no browser
    margin = layout.get("margin", {})
    top_px = float(margin.get("t", 60)) if annotations else 50.0
    top_px = max(top_px, rows_px + 46.0)
    fig.subplots_adjust(
        left=80 / WIDTH,
        right=1 - 20 / WIDTH,
        top=1 - top_px / height,
        bottom=60 / height,
    )
    ax = fig.add_subplot()
    ax.set_facecolor("white")
    ax.grid(True, color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    time_axis = False
    bars = [t for t in traces if t.get("type") == "bar"]
    for index, trace in enumerate(traces):
        color = (trace.get("line") or trace.get("marker") or {}).get("color") or colors[
            index % len(colors)
        ]
        name = str(trace.get("name") or "")
        if trace.get("type") == "bar":
            _bar(
                ax,
                trace,
                position=bars.index(trace),
                count=len(bars),
                layout=layout,
                color=color,
                name=name,
            )
            continue
        x, is_time = _axis_values(trace.get("x"))
        time_axis = time_axis or is_time
        y = _numbers(trace.get("y"))
        line = trace.get("line") or {}
        ax.plot(
            x,
            y,
            label=name,
            color=color,
            linewidth=float(line.get("width", 2)) * 0.8,
            linestyle=DASHES.get(line.get("dash"), "-"),
        )

    for shape in layout.get("shapes", []):
        if shape.get("type") == "line" and shape.get("yref") == "paper":
            line = shape.get("line", {})
            ax.axvline(
                _time(shape["x0"]) if time_axis else shape["x0"],
                color=line.get("color", "#7f7f7f"),
                linestyle=DASHES.get(line.get("dash"), "--"),
                linewidth=float(line.get("width", 1.5)),
            )
    for note in annotations:
        color = note.get("font", {}).get("color", "#333333")
        ax.annotate(
            str(note.get("text", "")),
            xy=(_time(note["x"]) if time_axis else note["x"], 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, float(note.get("yshift", 0)) * 72 / DPI),
            textcoords="offset points",
            ha=str(note.get("xanchor", "left")).replace("center", "center"),
            va="bottom",
            fontsize=9,
            color=color,
            bbox={"boxstyle": "square,pad=0.2", "fc": "white", "ec": color, "lw": 0.8},
            annotation_clip=False,
        )

    if time_axis:
        locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(
            mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
        )
    yaxis, xaxis = layout.get("yaxis", {}), layout.get("xaxis", {})
    if yaxis.get("autorange") == "reversed":
        ax.invert_yaxis()
    ax.set_xlabel(_title_text(xaxis.get("title")))
    ax.set_ylabel(_title_text(yaxis.get("title")))
    fig.suptitle(chart_title(figure, ""), x=80 / WIDTH, y=1 - 10 / height, ha="left", va="top")
    if len(traces) > 1:
        legend = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
        # Make room for the legend's longest label: measure it, then narrow the plot to fit.
        renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
        width = legend.get_window_extent(renderer).width
        fig.subplots_adjust(right=1 - (width + 24) / WIDTH)
    return fig


def _draw(figure: Mapping[str, Any]) -> bytes:
    buffer = io.BytesIO()
    static_figure(figure).savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _bar(
    ax: Any,
    trace: Mapping[str, Any],
    *,
    position: int,
    count: int,
    layout: Mapping[str, Any],
    color: str,
    name: str,
) -> None:
    horizontal = trace.get("orientation") == "h"
    labels = [str(v) for v in _values(trace.get("y" if horizontal else "x"))]
    values = _numbers(trace.get("x" if horizontal else "y"))
    where = np.arange(len(labels), dtype=float)
    grouped = layout.get("barmode") == "group" and count > 1
    width = 0.8 / count if grouped else 0.8
    offset = (position - (count - 1) / 2) * width if grouped else 0.0
    if horizontal:
        ax.barh(where + offset, values, height=width, color=color, label=name)
        ax.set_yticks(where, labels)
    else:
        ax.bar(where + offset, values, width=width, color=color, label=name)
        ax.set_xticks(where, labels)


def png_images(figures: Sequence[Mapping[str, Any]]) -> list[bytes]:
    """The figures drawn as PNG images.

    Raises:
        ExportError: a figure could not be drawn (naming it).
    """
    images = []
    for index, figure in enumerate(figures):
        try:
            images.append(_draw(figure))
        except (KeyError, TypeError, ValueError) as exc:
            name = chart_title(figure, f"chart {index + 1}")
            raise ExportError(f"cannot draw the chart {name!r} as an image: {exc}") from None
    return images


def write_pngs(figures: Sequence[Mapping[str, Any]], paths: Sequence[Path]) -> None:
    """Draw plotly figure dicts to PNG files (each written atomically).

    Raises:
        ExportError: a figure could not be drawn.
    """
    for image, path in zip(png_images(figures), paths, strict=True):
        write_bytes_atomic(path, image)
