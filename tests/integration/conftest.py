"""Fixtures of the integration tier: the demo incident's evidence, written once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_nb.demo.run import DemoData, write_demo_data
from incident_nb.demo.scenario import Scenario


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> DemoData:
    """The built-in demo's log, git repository, alert and ground truth."""
    return write_demo_data(Scenario(), tmp_path_factory.mktemp("demo-data"))


@pytest.fixture(scope="session")
def executed_demo(demo_data: DemoData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An incident created and executed from the demo alert through the command line."""
    from incident_nb.cli import main

    root = tmp_path_factory.mktemp("root")
    args = ["new", "--alert", str(demo_data.alert), "--logs", str(demo_data.logs)]
    assert main([*args, "--repo", str(demo_data.repo), "--root", str(root), "--execute"]) == 0
    (folder,) = (root / "incidents").iterdir()
    return folder
