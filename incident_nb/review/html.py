"""The incident review as one offline HTML page: tables, links to incidents, plotly charts.

plotly.js is inlined once, as in the post-mortem export, so the page opens without a network.
Everything from records is escaped by the template (jinja2 autoescape). A chart or table with
nothing in it is a sentence saying so, so a review of a few incidents reads well too.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import jinja2
import plotly.io as pio
from plotly.offline import get_plotlyjs

from incident_nb.core.folder import IncidentFolder
from incident_nb.core.humanize import plural
from incident_nb.core.templates import templates_dir
from incident_nb.review import charts
from incident_nb.review.report import Review, concentration_sentence, minutes_text

TEMPLATE = "report.html.j2"


def _link(folder: str, base: Path) -> str:
    target = IncidentFolder(Path(folder)).postmortem_html
    if not target.is_file():  # no exported post-mortem: link the record
        target = Path(folder) / "incident.json"
    return Path(os.path.relpath(target, base)).as_posix()


def _figures(review: Review) -> list[dict[str, str]]:
    """Each chart as ``{"title", "html"}``, or ``{"title", "empty"}`` with its sentence."""
    shown = charts.review_charts(
        per_month=review.per_month,
        timings=review.timings,
        update_sla=review.update_sla,
        categories=review.categories,
        owners=review.owners,
        concentration=review.concentration,
    )
    out = []
    for i, chart in enumerate(shown):
        if chart.figure is None:
            out.append({"title": chart.title, "empty": chart.empty})
            continue
        html = pio.to_html(
            chart.figure,
            include_plotlyjs=False,
            full_html=False,
            div_id=f"review-chart-{i}",
            config={"displaylogo": False, "responsive": True},
        )
        out.append({"title": chart.title, "html": html})
    return out


def _context(review: Review, base: Path) -> dict[str, Any]:
    inc = review.incidents
    links = {str(i): _link(str(f), base) for i, f in zip(inc["id"], inc["folder"], strict=True)}
    actions = review.actions[review.actions["state"] != "done"].copy()
    actions["order"] = actions["state"].map({"overdue": 0, "open": 1})
    actions = actions.sort_values(["order", "due", "incident"], na_position="last")
    return {
        "review": review,
        "resolved": int((inc["status"] == "resolved").sum()),
        "links": links,
        "timings": [
            (
                r["measure"],
                minutes_text(r["median_min"]),
                minutes_text(r["p90_min"]),
                r["incidents"],
            )
            for r in review.timings.to_dict("records")
        ],
        "open_actions": list(actions.itertuples()),
        "done_actions": int((review.actions["state"] == "done").sum()),
        "overdue_actions": int((review.actions["state"] == "overdue").sum()),
        "concentration": concentration_sentence(review.concentration),
        "figures": _figures(review),
        "plotly_js": get_plotlyjs(),
        "plural": plural,
        "judged": int(review.update_sla["incidents"].sum()),
        "timed": int(review.timings["incidents"].sum()),
        "pct": lambda v: "-" if v is None or math.isnan(v) else f"{v:.0%}",
    }


def render_html(review: Review, html_path: Path) -> str:
    """The page to be written at ``html_path`` (links to incidents are relative to it)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "report"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    base = html_path.resolve().parent
    return env.get_template(TEMPLATE).render(**_context(review, base))
