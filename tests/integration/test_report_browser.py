"""The incident review's HTML opens offline in real headless Chromium with every chart drawn."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from incident_nb.cli import main
from tests.conftest import ARTIFACTS, CHROMIUM_ARGS
from tests.review_corpus import AS_OF, write_corpus

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_review_html_opens_offline_with_its_charts_drawn_and_links_to_incidents(
    chromium, tmp_path, capsys
):
    from playwright.sync_api import sync_playwright

    write_corpus(tmp_path)
    html = tmp_path / "review" / "index.html"
    args = ["report", "--root", str(tmp_path), "--as-of", AS_OF.isoformat(), "--html", str(html)]
    assert main(args) == 0
    capsys.readouterr()
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
            page = context.new_page()
            page.on(
                "request",
                lambda r: (
                    None
                    if r.url.startswith(("file://", "data:", "about:"))
                    else requests.append(r.url)
                ),
            )
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(html.as_uri())
            page.wait_for_selector(
                ".plotly-graph-div svg.main-svg", state="attached", timeout=15000
            )
            page.wait_for_timeout(500)
            plots = page.locator(".plotly-graph-div").count()
            drawn = page.evaluate(
                "() => [...document.querySelectorAll('.plotly-graph-div')].filter(d =>"
                " d.querySelector('svg.main-svg') && d.querySelectorAll('.barlayer .trace .point').length > 0).length"
            )
            titles = page.evaluate(
                "() => [...document.querySelectorAll('.plotly-graph-div .gtitle')].map(t => t.textContent)"
            )
            month_ticks = page.evaluate(
                "() => [...document.querySelectorAll('#review-chart-0 .xtick text')].map(t => t.textContent)"
            )
            hrefs = page.evaluate(
                "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"
            )
            title = page.title()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "incident-review.png"), full_page=True)
        finally:
            browser.close()
    assert requests == [] and errors == []
    assert plots == 6 and drawn == 6
    assert titles == [
        "Incidents per month and severity",
        "Time from the incident's start (minutes)",
        "Status updates on the severity's cadence",
        "Root-cause categories",
        "Action items per owner",
        "Share of incidents per responder (by rank, %)",
    ]
    # calendar months, as months: never a time of day
    assert month_ticks == ["Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026"]
    assert title == f"Incident review {AS_OF.isoformat()}"
    # every link leads to an incident's exported post-mortem or its record, on disk
    assert len(hrefs) > 50
    for href in hrefs:
        target = Path(unquote(urlparse(href).path))
        assert target.is_file() and target.name in {"postmortem.html", "incident.json"}
        assert target.parent.parent == tmp_path / "incidents"


def test_review_of_one_incident_has_month_ticks_and_whole_counts(chromium, tmp_path, capsys):
    from playwright.sync_api import sync_playwright

    from tests.functional.test_report_few import START, incident

    incident(tmp_path, 1, START)
    html = tmp_path / "review.html"
    assert main(["report", "--root", str(tmp_path), "--html", str(html)]) == 0
    capsys.readouterr()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(html.as_uri())
            page.wait_for_selector("#review-chart-0 svg.main-svg", timeout=15000)
            page.wait_for_timeout(500)
            x_ticks = page.evaluate(
                "() => [...document.querySelectorAll('#review-chart-0 .xtick text')].map(t => t.textContent)"
            )
            y_ticks = page.evaluate(
                "() => [...document.querySelectorAll('#review-chart-0 .ytick text')].map(t => t.textContent)"
            )
            sentences = page.locator(".empty-chart").count()
            page.screenshot(path=str(ARTIFACTS / "incident-review-one.png"), full_page=True)
        finally:
            browser.close()
    assert x_ticks == ["Sep 2026"]  # a month, never "23:59:59.9996"
    assert y_ticks == ["0", "1"]  # one incident: whole numbers, each once
    assert sentences == 4  # nothing resolved, categorised, owned or staffed yet: said in words
