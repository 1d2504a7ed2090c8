"""Driving a real JupyterLab through headless Chromium, without depending on its pop-ups.

The server runs with its announcements plugin disabled and update checks off (no news toast),
and every step waits for a real condition (the kernel idle, every cell of the saved notebook
executed by this run, a widget present), never for a fixed delay, so the tests hold on a
machine kept busy by other work.
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
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import nbformat
import pytest

from tests.conftest import ARTIFACTS

IDLE = ".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def lab_server(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """A JupyterLab server on 127.0.0.1 with a token, serving a fresh root folder."""
    root = tmp_path / "root"
    root.mkdir()
    config = tmp_path / "cfg"
    (config / "labconfig").mkdir(parents=True)
    # No news prompt and no update toast: the plugin that shows them is not loaded at all.
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    settings = tmp_path / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    token, port = secrets.token_hex(16), free_port()
    log_path = tmp_path / "lab.log"
    with log_path.open("w") as log:
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
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    status = httpx.get(f"{base}/api/status", params={"token": token}, timeout=2)
                    if status.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert proc.poll() is None, log_path.read_text()
                time.sleep(0.3)
            else:
                pytest.fail("JupyterLab did not start within 90 s")
            yield base, token, root
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def notebook_url(base: str, token: str, relative: str) -> str:
    """The Lab URL opening ``relative`` in a fresh workspace."""
    return f"{base}/lab/workspaces/t{secrets.token_hex(4)}/tree/{relative}?reset&token={token}"


def settle(page: Any) -> None:
    """Answer what JupyterLab may ask before a notebook can be used.

    A kernel chooser can appear when the kernel specs load late on a busy machine: it is
    answered with the notebook's own kernel (the dialog's default).
    """
    dialog = page.locator(".jp-Dialog")
    if dialog.count() and dialog.first.is_visible():
        if "Select Kernel" in dialog.first.inner_text():
            page.locator(".jp-Dialog-button.jp-mod-accept").click()
        dialog.first.wait_for(state="detached", timeout=30_000)


def open_notebook(page: Any, base: str, token: str, relative: str) -> None:
    """Open the notebook at ``relative`` and wait until the server says its kernel is idle."""
    page.goto(notebook_url(base, token, relative))
    page.wait_for_selector(".jp-NotebookPanel", timeout=90_000)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        settle(page)
        sessions = httpx.get(f"{base}/api/sessions", params={"token": token}, timeout=10).json()
        states = [
            s["kernel"]["execution_state"]
            for s in sessions
            if s.get("path") == relative and s.get("kernel")
        ]
        if states == ["idle"]:
            page.wait_for_selector(IDLE, timeout=60_000)
            return
        page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "lab-open-timeout.png"))
    pytest.fail("the notebook's kernel did not start and become idle within 180 s")


def command(page: Any, menu: str, name: str) -> None:
    """Run a JupyterLab menu command (e.g. ``Run`` / ``runmenu:run-all``)."""
    settle(page)
    page.locator(".lm-MenuBar-item", has_text=menu).first.click()
    page.locator(f".lm-Menu-item[data-command='{name}']").click()


def saved(page: Any, notebook: Path) -> Any:
    """Save the notebook from the page and read it back from disk once it is whole."""
    before = notebook.stat().st_mtime_ns
    page.locator(".jp-NotebookPanel .jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if notebook.stat().st_mtime_ns != before:
            try:
                return nbformat.read(notebook, as_version=4)
            except (nbformat.reader.NotJSONError, ValueError):
                pass  # caught mid-write: read again
        time.sleep(0.2)
    pytest.fail(f"{notebook.name} was not saved within 60 s")


def code_cells(nb: Any) -> list[Any]:
    return [c for c in nb.cells if c.cell_type == "code"]


def run_all(page: Any, notebook: Path, *, restart: bool = False, after: int = 0) -> Any:
    """Run every cell (after restarting the kernel) and return the saved, executed notebook.

    Done when every code cell of the saved notebook was executed by this run: its execution
    counts all exceed ``after`` (the last count of the previous run in the same kernel) and
    rise in cell order.
    """
    if restart:
        command(page, "Kernel", "runmenu:restart-and-run-all")
        page.locator(".jp-Dialog-button.jp-mod-accept").click()
        after = 0
    else:
        command(page, "Run", "runmenu:run-all")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        page.wait_for_selector(IDLE, timeout=300_000)
        nb = saved(page, notebook)
        counts = [c.execution_count for c in code_cells(nb)]
        if all(n is not None and n > after for n in counts) and counts == sorted(counts):
            return nb
        page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "lab-run-all-timeout.png"))
    pytest.fail("Run All did not finish within 300 s")


def error_outputs(nb: Any) -> list[str]:
    """``ename: evalue`` of every error output of the notebook."""
    return [
        f"{o.get('ename')}: {o.get('evalue')}"
        for c in code_cells(nb)
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]


VISIBLE_CODE = """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell')]
  .filter(c => { const a = c.querySelector('.jp-Cell-inputArea');
                 return a && a.getClientRects().length > 0; }).length"""
"""How many code cells of the open notebook show their code."""
RAW_INDEX = """() => document.querySelectorAll(
  '.jp-NotebookPanel .jp-OutputArea table.dataframe, .jp-NotebookPanel .jp-OutputArea tbody th'
).length"""
"""How many outputs show a DataFrame as pandas draws it (with its index column)."""
CLIPPED_TEXT = """() => [...document.querySelectorAll(
  '.jp-NotebookPanel .jp-OutputArea td, .jp-NotebookPanel .jp-OutputArea th, ' +
  '.jp-NotebookPanel .widget-label, .jp-NotebookPanel .inb-label, ' +
  '.jp-NotebookPanel .jupyter-button, .jp-NotebookPanel .widget-toggle-button')]
  .filter(e => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.className + ': ' + e.textContent.trim().slice(0, 60))"""
"""Table cells, labels and buttons of the notebook whose text is cut off."""


def cell_output(nb: Any, source: str, mime: str = "text/plain") -> Any:
    """The ``mime`` data of the outputs of the code cell whose code is ``source``."""
    cell = next(c for c in code_cells(nb) if source in c.source.splitlines())
    return [o.get("data", {}).get(mime) for o in cell.get("outputs", []) if "data" in o]
