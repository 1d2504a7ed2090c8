"""The forms and re-runs in a real JupyterLab, driven through real headless Chromium.

Opens a generated investigation, runs all cells, edits the severity, a why-answer and a new
action item through the page, runs all cells again in the same kernel, then restarts the kernel
and runs all again: after every run the Step 1 summary is the same, no cell shows an error, and
what was entered is in incident.json and in the widgets. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from incident_nb.cli import main
from incident_nb.core.folder import SUMMARY_MIMETYPE
from incident_nb.core.record import read_record
from tests.conftest import ARTIFACTS, CHROMIUM_ARGS
from tests.integration.lab_support import (
    CLIPPED_TEXT,
    RAW_INDEX,
    VISIBLE_CODE,
    cell_output,
    code_cells,
    error_outputs,
    lab_server,
    open_notebook,
    run_all,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]

WHY = "The order insert fails: a column is missing"


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    with lab_server(tmp_path) as server:
        yield server


def step1(nb) -> tuple[object, object]:
    """What Step 1 shows: the impact answers and the published analysis summary."""
    return cell_output(nb, "inv.impact_table()"), cell_output(
        nb, "display(inv.summary_bundle(), raw=True)", SUMMARY_MIMETYPE
    )


def wait_for_record(folder: Path, done, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done(read_record(folder)):
            return
        time.sleep(0.3)
    pytest.fail("the edit did not reach incident.json")


def test_forms_edit_the_record_and_survive_re_runs_and_a_restart(lab, demo_data, chromium):
    from playwright.sync_api import sync_playwright

    base, token, root = lab
    args = ["new", "--alert", str(demo_data.alert), "--logs", str(demo_data.logs)]
    assert main([*args, "--repo", str(demo_data.repo), "--root", str(root)]) == 0
    (folder,) = (root / "incidents").iterdir()
    notebook = folder / "investigation.ipynb"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            open_notebook(page, base, token, f"incidents/{folder.name}/investigation.ipynb")
            page.screenshot(path=str(ARTIFACTS / "lab-opened.png"))
            assert page.locator(".jp-NotebookPanel .jp-CodeCell").count() > 10
            assert page.evaluate(VISIBLE_CODE) == 0, "code shows in the opened notebook"
            first = run_all(page, notebook)
            assert error_outputs(first) == []
            assert page.evaluate(VISIBLE_CODE) == 0, "code shows after Run All"
            assert page.evaluate(RAW_INDEX) == 0, "a table shows a raw DataFrame index"
            assert page.locator(".jp-NotebookPanel .inb-table").count() >= 5
            assert page.evaluate(CLIPPED_TEXT) == [], "text is cut off"
            summary = step1(first)
            assert summary[0] and summary[1] and summary[1][0]["onset"]
            page.locator(".inb-severity").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "lab-forms-rendered.png"))
            assert page.locator(".inb-severity select").count() == 1
            assert page.locator(".inb-why-answer").count() == 5

            page.select_option(".inb-severity select", label="SEV-1")
            reason = page.locator(".inb-severity-reason textarea")
            reason.fill("Checkout is the revenue path: treat as SEV-1")
            reason.press("Tab")
            answer = page.locator(".inb-why-answer textarea").first
            answer.scroll_into_view_if_needed()
            answer.fill(WHY)
            answer.press("Tab")
            page.locator("button.inb-add-action").scroll_into_view_if_needed()
            page.locator("button.inb-add-action").click()
            page.wait_for_selector(".inb-action-text input", timeout=30_000)
            page.locator(".inb-action-text input").fill("Run migrations before the new code starts")
            page.locator(".inb-action-text input").press("Enter")
            page.locator(".inb-action-owner input").fill("@platform")
            page.locator(".inb-action-owner input").press("Enter")
            wait_for_record(
                folder, lambda r: bool(r.action_items) and r.action_items[0].owner == "@platform"
            )
            page.screenshot(path=str(ARTIFACTS / "lab-forms-edited.png"))
            record = read_record(folder)
            assert record.severity.level.value == "SEV-1"
            assert record.severity.reason == "Checkout is the revenue path: treat as SEV-1"
            assert record.five_whys.whys[0].answer == WHY
            assert [(a.action, a.owner) for a in record.action_items] == [
                ("Run migrations before the new code starts", "@platform")
            ]
            assert {c.field for c in record.changes} >= {
                "severity",
                "five_whys.whys",
                "action_items",
            }

            last = max(c.execution_count for c in code_cells(first))
            for restart, shot in (
                (False, "lab-run-all-again.png"),
                (True, "lab-after-restart.png"),
            ):
                again = run_all(page, notebook, restart=restart, after=last)
                last = max(c.execution_count for c in code_cells(again))
                assert error_outputs(again) == []
                assert step1(again) == summary, "Step 1 changed on a re-run"
                page.locator(".inb-severity").scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / shot))
                chosen = page.eval_on_selector(
                    ".inb-severity select", "e => e.options[e.selectedIndex].text"
                )
                assert chosen == "SEV-1"
                assert page.locator(".inb-why-answer textarea").first.input_value() == WHY
                assert (
                    page.locator(".inb-action-text input").input_value()
                    == "Run migrations before the new code starts"
                )
                assert page.locator(".inb-action-owner input").input_value() == "@platform"
                kept = read_record(folder)
                assert kept.five_whys.whys[0].answer == WHY
                assert kept.severity.level.value == "SEV-1"
                assert kept.action_items == record.action_items
                assert kept.changes == record.changes, "a re-run wrote to the record"
        finally:
            browser.close()
