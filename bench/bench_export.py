"""Post-mortem export of a notebook with 10 charts: time and size against plain nbconvert HTML.

Baselines measured in the same run: nbconvert's HTMLExporter on the same executed notebook (which
cannot draw the charts offline), in process. Reports the post-mortem HTML alone, the whole
export (HTML, Markdown with its key charts as PNG), and the static images of all 10 charts drawn
by matplotlib (no browser) against kaleido (headless Chrome) where kaleido and a browser exist.

Usage: python bench/bench_export.py
"""

from __future__ import annotations

import copy
import importlib.util
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import plotly.io as pio
from nbconvert import HTMLExporter

from incident_nb.alerts import parse_alert
from incident_nb.core.folder import NOTEBOOK as NOTEBOOK_NAME
from incident_nb.demo.history import alert_payload
from incident_nb.demo.run import write_demo_data
from incident_nb.demo.scenario import Scenario
from incident_nb.incidents import create_incident, execute_incident
from incident_nb.postmortem.export import export_postmortem, find_chromium
from incident_nb.postmortem.exporter import PostmortemExporter
from incident_nb.postmortem.images import png_images
from incident_nb.postmortem.preprocess import PLOTLY_MIMETYPE

CHARTS = 10


def timed(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    scenario = Scenario(lines=50_000)
    data = write_demo_data(scenario, work / "data")
    alert = parse_alert(alert_payload(scenario))
    folder = create_incident(alert, work / "root", [data.logs], [data.repo])
    execute_incident(folder)
    path = folder / NOTEBOOK_NAME
    nb = nbformat.read(path, as_version=4)
    chart_cells = [
        c
        for c in nb.cells
        if any(PLOTLY_MIMETYPE in o.get("data", {}) for o in c.get("outputs", []))
    ]
    figures = [o for c in chart_cells for o in c.outputs if PLOTLY_MIMETYPE in o.get("data", {})]
    extra = nbformat.v4.new_code_cell("")
    extra.execution_count = 99
    extra.outputs = [copy.deepcopy(figures[i % len(figures)]) for i in range(CHARTS - len(figures))]
    nb.cells.insert(nb.cells.index(chart_cells[-1]) + 1, extra)
    nbformat.write(nb, path)

    plain_html = ""

    def plain() -> None:
        nonlocal plain_html
        plain_html, _ = HTMLExporter().from_notebook_node(nbformat.read(path, as_version=4))

    page = ""

    def postmortem() -> None:
        nonlocal page
        page, _ = PostmortemExporter().from_notebook_node(
            nbformat.read(path, as_version=4), {"metadata": {"path": str(folder)}}
        )

    t_plain = timed(3, plain)
    t_html = timed(3, postmortem)
    result = None

    def full() -> None:
        nonlocal result
        result = export_postmortem(folder, work / "docs")

    t_full = timed(1, full)
    pngs = len(result.images) if result else 0
    dicts = [dict(o["data"][PLOTLY_MIMETYPE]) for o in figures]
    dicts = [dicts[i % len(dicts)] for i in range(CHARTS)]
    t_mpl = timed(1, lambda: png_images(dicts))
    t_kaleido = kaleido_time(dicts, work)
    mb = 1e6
    print(f"notebook with {CHARTS} charts ({path.stat().st_size / mb:.2f} MB ipynb)")
    print(
        f"plain nbconvert HTML   {t_plain:6.2f} s  {len(plain_html) / mb:6.2f} MB  (baseline; charts blank offline)"
    )
    print(
        f"post-mortem HTML       {t_html:6.2f} s  {len(page) / mb:6.2f} MB  = {t_html / t_plain:.2f}x time, "
        f"{len(page) / len(plain_html):.2f}x size; plotly.js inlined {page.count('plotly.js v')}x"
    )
    print(
        f"full export (HTML + Markdown + {pngs} PNG) {t_full:6.2f} s  = {t_full / t_plain:.2f}x plain"
    )
    print(
        f"{CHARTS} PNG by matplotlib  {t_mpl:6.2f} s  = {t_mpl / t_plain:.2f}x plain (no browser)"
    )
    if t_kaleido is not None:
        print(
            f"{CHARTS} PNG by kaleido     {t_kaleido:6.2f} s  = {t_kaleido / t_plain:.2f}x plain; "
            f"matplotlib takes {t_mpl / t_kaleido:.2f}x kaleido's time"
        )


def kaleido_time(figures: list[dict], work: Path) -> float | None:
    """kaleido's time for the same images, where it is installed and a browser exists."""
    if importlib.util.find_spec("kaleido") is None or find_chromium() is None:
        return None
    paths = [str(work / f"k-{i}.png") for i in range(len(figures))]
    try:
        return timed(
            1, lambda: pio.write_images(figures, paths, format="png", width=1000, height=400)
        )
    except (RuntimeError, ValueError):
        return None


if __name__ == "__main__":
    main()
