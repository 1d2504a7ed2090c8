"""Shared fixtures: the sample data beside the checkout, and tools the heavier tiers need.

Outside CI a missing tool or data set skips the tests that need it; in CI (``CI=true``) it fails
them, so nothing that should run is silently skipped.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ARTIFACTS = REPO / "test-artifacts"
"""Screenshots and other files a person may want to look at after a run."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Headless Chromium flags that work as root on a machine without network."""


def need(condition: bool, why: str) -> None:
    """Skip (or, in CI, fail) the current test when ``condition`` is false."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {why}")
    pytest.skip(why)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The sample data set (logs, alerts, metrics, traces) kept beside the checkout."""
    need(SHARED_DATA.is_dir(), f"sample data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a headless-capable Chromium."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    need(path is not None, "chromium is not installed (apt-get install chromium)")
    assert path is not None
    return path
