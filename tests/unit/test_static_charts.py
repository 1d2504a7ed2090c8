"""Chart images for the Markdown and the PDF, drawn by matplotlib: no browser anywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from itertools import combinations

import pandas as pd
import plotly.io as pio

from incident_nb import charts
from incident_nb.postmortem.images import chart_title, png_images, static_figure

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
MARKERS = [
    ("deploy v2.14.0", T0 + timedelta(minutes=124)),
    ("onset", T0 + timedelta(minutes=127)),
    ("alert fired", T0 + timedelta(minutes=131)),
]


def figure_json() -> dict:
    per_minute = pd.DataFrame(
        {
            "minute": [T0 + timedelta(minutes=m) for m in range(180)],
            "requests": 100,
            "errors": [1 if m < 127 else 30 for m in range(180)],
        }
    )
    by_endpoint = per_minute.assign(endpoint="/api/v1/checkout/with/a/long/route/name")
    fig = charts.error_rate_chart(per_minute, by_endpoint, MARKERS)
    return json.loads(pio.to_json(fig))  # as the notebook stores it (typed arrays included)


def overlap(a, b) -> bool:
    return not (a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0)


def test_the_static_chart_keeps_labels_apart_and_inside_and_the_legend_off_the_axes():
    data = figure_json()
    assert any("bdata" in json.dumps(t["y"]) for t in data["data"])  # typed arrays are read
    fig = static_figure(data)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (ax,) = fig.axes
    labels = [t for t in ax.texts if t.get_text().split()[0] in {"deploy", "onset", "alert"}]
    assert [t.get_text() for t in labels] == [
        "deploy v2.14.0 14:04",
        "onset 14:07",
        "alert fired 14:11",
    ]
    boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in labels]
    for a, b in combinations(boxes, 2):
        assert not overlap(a, b)
    page = fig.bbox
    for box in boxes:
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and box.y1 <= page.y1
    legend = ax.get_legend().get_window_extent(renderer)
    assert not overlap(legend, ax.xaxis.label.get_window_extent(renderer))
    assert not overlap(legend, ax.get_window_extent(renderer))  # beside the plot
    assert legend.x1 <= page.x1  # long labels fit: the plot makes room
    assert (
        fig._suptitle.get_text() == chart_title(data, "") == "Error rate per minute (% of requests)"
    )


def test_png_images_are_drawn_with_no_browser_on_the_path():
    code = (
        "import json, os, sys; os.environ['PATH'] = ''; os.environ['BROWSER_PATH'] = '/nonexistent';"
        "from incident_nb.postmortem.images import png_images;"
        "png, = png_images([json.load(sys.stdin)]); sys.stdout.buffer.write(png)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(figure_json()).encode(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout[:8] == b"\x89PNG\r\n\x1a\n" and len(done.stdout) > 20_000


def test_bars_and_reversed_axes_draw():
    comparison = pd.DataFrame(
        {
            "service": ["checkout", "payments-db"],
            "mean_ms_failing": [120.0, 900.0],
            "mean_ms_ok": [100.0, 40.0],
            "spans_failing": [30, 27],
            "spans_ok": [170, 150],
            "p95_ms_failing": [150.0, 1200.0],
            "p95_ms_ok": [120.0, 60.0],
            "errors": [3, 27],
        }
    )
    (png,) = png_images([json.loads(pio.to_json(charts.trace_comparison_chart(comparison)))])
    assert png[:4] == b"\x89PNG"
