"""The forms in a real JupyterLab, driven through real headless Chromium.

Opens a generated investigation, runs all cells, edits the severity, a why-answer and a new
action item through the page, checks incident.json, then restarts the kernel, re-runs and checks
that the widgets show the saved values. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from incident_nb.cli import main
from incident_nb.core.record import read_record
from tests.conftest import ARTIFACTS, CHROMIUM_ARGS

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """A JupyterLab server on 127.0.0.1 with a token, serving a fresh root folder."""
    root = tmp_path / "root"
    root.mkdir()
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    token, port = secrets.token_hex(16), free_port()
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip",
            "127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            "--allow-root",
            f"--ServerApp.root_dir={root}",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if (
                    httpx.get(f"{base}/api/status", params={"token": token}, timeout=2).status_code
                    == 200
                ):
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, (tmp_path / "lab.log").read_text()
            time.sleep(0.3)
        else:
            pytest.fail("JupyterLab did not start within 60 s")
        yield base, token, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def run_all(page, restart: bool = False) -> None:
    page.locator(".lm-MenuBar-item", has_text="Run" if not restart else "Kernel").first.click()
    command = "runmenu:restart-and-run-all" if restart else "runmenu:run-all"
    page.click(f".lm-Menu-item[data-command='{command}']")
    if restart:
        page.locator(".jp-Dialog-button.jp-mod-accept").click()
    try:
        page.wait_for_selector(".inb-severity select", timeout=90_000)
    except Exception:
        # On a loaded machine the first click can land before the kernel is ready: once more.
        page.screenshot(path=str(ARTIFACTS / "lab-run-all-retry.png"))
        page.locator(".lm-MenuBar-item", has_text="Run").first.click()
        page.click(".lm-Menu-item[data-command='runmenu:run-all']")
        page.wait_for_selector(".inb-severity select", timeout=120_000)
    page.wait_for_selector(
        ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000
    )
    page.wait_for_selector(".inb-add-action", timeout=30_000)


def test_forms_edit_the_record_and_survive_a_kernel_restart(lab, demo_data, chromium):
    from playwright.sync_api import sync_playwright

    base, token, root = lab
    args = [
        "new",
        "--alert",
        str(demo_data.alert),
        "--logs",
        str(demo_data.logs),
        "--repo",
        str(demo_data.repo),
    ]
    assert main([*args, "--root", str(root)]) == 0
    (folder,) = (root / "incidents").iterdir()
    url = f"{base}/lab/workspaces/t{secrets.token_hex(4)}/tree/incidents/{folder.name}/investigation.ipynb?reset&token={token}"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_selector(
                ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']",
                timeout=60_000,
            )
            run_all(page)
            page.locator(".inb-severity").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "lab-forms-rendered.png"))
            assert page.locator(".inb-severity select").count() == 1
            assert page.locator(".inb-why-answer").count() == 5

            page.select_option(".inb-severity select", label="SEV-1")
            reason = page.locator(".inb-severity-reason textarea")
            reason.fill("Checkout is the revenue path: treat as SEV-1")
            reason.press("Tab")
            answer = page.locator(".inb-why-answer input").first
            answer.scroll_into_view_if_needed()
            answer.fill("The order insert fails: a column is missing")
            answer.press("Enter")
            page.locator("button.inb-add-action").scroll_into_view_if_needed()
            page.locator("button.inb-add-action").click()
            page.wait_for_selector(".inb-action-text input", timeout=15_000)
            page.locator(".inb-action-text input").fill("Run migrations before the new code starts")
            page.locator(".inb-action-text input").press("Enter")
            page.locator(".inb-action-owner input").fill("@platform")
            page.locator(".inb-action-owner input").press("Enter")

            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                record = read_record(folder)
                if record.action_items and record.action_items[0].owner == "@platform":
                    break
                time.sleep(0.3)
            page.screenshot(path=str(ARTIFACTS / "lab-forms-edited.png"))
            record = read_record(folder)
            assert record.severity.level.value == "SEV-1"
            assert record.severity.reason == "Checkout is the revenue path: treat as SEV-1"
            assert record.five_whys.whys[0].answer == "The order insert fails: a column is missing"
            assert [(a.action, a.owner) for a in record.action_items] == [
                ("Run migrations before the new code starts", "@platform")
            ]
            assert {c.field for c in record.changes} >= {
                "severity",
                "five_whys.whys",
                "action_items",
            }

            run_all(page, restart=True)
            page.wait_for_timeout(1000)
            assert (
                page.eval_on_selector(
                    ".inb-severity select", "e => e.options[e.selectedIndex].text"
                )
                == "SEV-1"
            )
            assert (
                page.locator(".inb-why-answer input").first.input_value()
                == "The order insert fails: a column is missing"
            )
            assert (
                page.locator(".inb-action-text input").input_value()
                == "Run migrations before the new code starts"
            )
            assert page.locator(".inb-action-owner input").input_value() == "@platform"
            page.locator(".inb-severity").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "lab-forms-after-restart.png"))
        finally:
            browser.close()
