"""The exported post-mortem opens offline in real headless Chromium with its charts drawn."""

from pathlib import Path

import pytest

from incident_nb.cli import main
from incident_nb.core.record import read_record, write_record
from tests.conftest import ARTIFACTS, CHROMIUM_ARGS

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def open_offline(chromium: str, html: Path, screenshot: str) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    seen: dict[str, list[str]] = {
        "requests": [],
        "console_errors": [],
        "dialogs": [],
        "page_errors": [],
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
            page = context.new_page()

            def on_request(request):
                if not request.url.startswith(("file://", "data:", "about:")):
                    seen["requests"].append(request.url)

            page.on("request", on_request)
            page.on(
                "console",
                lambda m: seen["console_errors"].append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: seen["page_errors"].append(str(e)))
            page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
            page.goto(html.as_uri())
            page.wait_for_selector(
                ".plotly-graph-div svg.main-svg", state="attached", timeout=15000
            )
            page.wait_for_timeout(500)
            seen["plots"] = page.locator(".plotly-graph-div").count()
            seen["drawn"] = page.evaluate(
                "() => [...document.querySelectorAll('.plotly-graph-div')]"
                ".filter(d => d.querySelector('svg.main-svg') && d.querySelectorAll('.scatterlayer .trace').length > 0).length"
            )
            seen["title"] = page.title()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
        finally:
            browser.close()
    return seen


def test_postmortem_html_opens_offline_with_charts_and_runs_no_injected_script(
    executed_demo, chromium, tmp_path, capsys
):
    record = read_record(executed_demo)
    record.narrative.summary = '<script>alert("summary")</script><img src=x onerror="alert(2)">'
    record.narrative.went_well = [
        '<a href="javascript:alert(3)">click</a>',
        "[md link](javascript:alert(4))",
    ]
    write_record(executed_demo, record)
    assert main(["export", str(executed_demo), "--docs-root", str(tmp_path)]) == 0
    html = Path(capsys.readouterr().out.split()[0])
    seen = open_offline(chromium, html, "postmortem-offline.png")
    assert seen["requests"] == []
    assert seen["dialogs"] == [] and seen["page_errors"] == []
    assert seen["console_errors"] == []
    assert seen["plots"] == 3 and seen["drawn"] == 3
    assert seen["title"] == "Post-Mortem: 5xx error rate above 2% on shop-api"
    text = html.read_text()
    assert '&lt;script&gt;alert("summary")&lt;/script&gt;' in text
    assert '<a href="javascript:' not in text and "<script>alert" not in text
