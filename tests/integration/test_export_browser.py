"""The exported post-mortem in real headless Chromium: it opens offline with its charts drawn,
reads as a document (a header table, a drafted Summary, the evidence collapsed), and nothing in it
is cut off or drawn over something else. A screenshot of each section goes to test-artifacts/."""

from pathlib import Path

import pytest

from incident_nb.cli import main
from incident_nb.core.record import read_record, write_record
from tests.conftest import ARTIFACTS, CHROMIUM_ARGS

pytestmark = [pytest.mark.integration, pytest.mark.browser]

SECTIONS = (
    "Summary",
    "Impact",
    "Timeline-(UTC)",
    "Root-Cause",
    "Contributing-Factors",
    "What-Went-Well",
    "What-Could-Be-Improved",
    "Action-Items",
    "Lessons-Learned",
    "Supporting-Information",
    "Evidence-details",
)

CLIPPED = """() => [...document.querySelectorAll('td, th, label, .widget-label, button')]
  .filter(e => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 80))"""

ANNOTATION_OVERLAPS = """() => {
  const out = [];
  for (const plot of document.querySelectorAll('.plotly-graph-div')) {
    const boxes = [...plot.querySelectorAll('g.annotation')].map(a => a.getBoundingClientRect())
      .filter(r => r.width > 0 && r.height > 0);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
        out.push(plot.id + ': ' + i + '/' + j);
    }
  }
  return out;
}"""


def shot_name(prefix: str, k: int, section: str) -> str:
    """The file name of the screenshot of the ``k``-th section."""
    return f"{prefix}-{k + 1:02d}-{section.lower().replace('(', '').replace(')', '')}.png"


def open_offline(
    chromium: str, html: Path, screenshot: str, *, inspect: bool = False
) -> dict[str, object]:
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
            seen["collapsed"] = page.evaluate(
                "() => [...document.querySelectorAll('details')].map(d => d.open)"
            )
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            page.evaluate("() => window.dispatchEvent(new Event('resize'))")  # charts revealed
            page.wait_for_timeout(1000)
            seen["plots"] = page.locator(".plotly-graph-div").count()
            seen["drawn"] = page.evaluate(
                "() => [...document.querySelectorAll('.plotly-graph-div')]"
                ".filter(d => d.querySelector('svg.main-svg') && d.querySelectorAll('.scatterlayer .trace').length > 0).length"
            )
            seen["title"] = page.title()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)
            if inspect:
                seen["clipped"] = page.evaluate(CLIPPED)
                seen["overlaps"] = page.evaluate(ANNOTATION_OVERLAPS)
                seen["annotations"] = page.evaluate(
                    "() => document.querySelectorAll('.plotly-graph-div g.annotation').length"
                )
                seen["header"] = page.evaluate(
                    "() => [...document.querySelector('table').querySelectorAll('th')]"
                    ".map(t => t.textContent.trim())"
                )
                seen["summary"] = page.evaluate(
                    "() => { const h = document.getElementById('Summary'); let out = '';"
                    " for (let e = h.nextElementSibling; e && e.tagName !== 'H3';"
                    " e = e.nextElementSibling) out += e.textContent + '\\n'; return out; }"
                )
                seen["sections"] = _section_shots(page, screenshot.removesuffix(".png"))
        finally:
            browser.close()
    return seen


def _section_shots(page, prefix: str) -> list[str]:
    """A screenshot of each section, from its heading to the next section's."""
    tops = page.evaluate(
        "ids => ids.map(id => { const e = document.getElementById(id);"
        " return e ? e.getBoundingClientRect().top + window.scrollY : null; })",
        list(SECTIONS),
    )
    height = page.evaluate("() => document.documentElement.scrollHeight")
    found = [(name, top) for name, top in zip(SECTIONS, tops, strict=True) if top is not None]
    for k, (name, top) in enumerate(found):
        bottom = found[k + 1][1] if k + 1 < len(found) else height
        page.screenshot(
            path=str(ARTIFACTS / shot_name(prefix, k, name)),
            clip={"x": 0, "y": top - 10, "width": 1280, "height": max(60, min(bottom - top, 4000))},
            full_page=True,
        )
    return [name for name, _ in found]


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
    try:
        assert main(["export", str(executed_demo), "--docs-root", str(tmp_path)]) == 0
        html = Path(capsys.readouterr().out.split()[0])
        seen = open_offline(chromium, html, "postmortem-offline.png")
    finally:
        record.narrative.summary, record.narrative.went_well = "", []
        write_record(executed_demo, record)
    assert seen["requests"] == []
    assert seen["dialogs"] == [] and seen["page_errors"] == []
    assert seen["console_errors"] == []
    # Supporting Information: error rate and tenants; the evidence details: those and latency
    assert seen["plots"] == 5 and seen["drawn"] == 5
    assert seen["title"] == "Post-Mortem: 5xx error rate above 2% on shop-api"
    text = html.read_text()
    assert '&lt;script&gt;alert("summary")&lt;/script&gt;' in text
    assert '<a href="javascript:' not in text and "<script>alert" not in text


def test_the_postmortem_reads_as_a_document_with_nothing_cut_off_or_overlapping(
    executed_demo, chromium, tmp_path, capsys
):
    record = read_record(executed_demo)
    record.narrative.summary = ""  # nobody wrote one (other tests of the session may have)
    write_record(executed_demo, record)
    assert main(["export", str(executed_demo), "--docs-root", str(tmp_path)]) == 0
    html = Path(capsys.readouterr().out.split()[0])
    seen = open_offline(chromium, html, "postmortem-document.png", inspect=True)
    assert seen["collapsed"] == [False]  # the evidence details start closed
    assert seen["header"] == ["Date", "Severity", "Duration", "Status", "Author"]
    summary = seen["summary"]
    assert "Draft from the evidence" in summary and "Since 2026-11-20 14:07 UTC" in summary
    assert "The top suspect is change" in summary
    assert seen["clipped"] == []  # every table cell and label shows its whole text
    assert seen["annotations"] >= 3 * 5  # deploy, onset and alert on every chart
    assert seen["overlaps"] == []  # no two event labels drawn over each other
    assert seen["sections"] == list(SECTIONS)
    for k, name in enumerate(SECTIONS):
        shot = ARTIFACTS / shot_name("postmortem-document", k, name)
        assert shot.read_bytes()[:4] == b"\x89PNG"
