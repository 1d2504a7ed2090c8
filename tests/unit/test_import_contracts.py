"""The package's import contracts (``[tool.importlinter]`` in pyproject.toml) hold, and bite.

Imports go downward (entry points, orchestration, notebook, forms, evidence, foundation); the
post-mortem imports no widgets; analysis and charts import no sources or I/O libraries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(package_parent: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT), "--no-cache", str(REPO / "pyproject.toml")],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def lint() -> Path:
    if not LINT.exists():
        pytest.fail("lint-imports is missing: install the dev extra (pip install -e '.[dev]')")
    return LINT


def test_the_package_keeps_its_import_contracts(lint: Path) -> None:
    done = _lint(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "postmortem/__init__.py",
            "import incident_nb.forms",
            "The post-mortem imports no widgets",
        ),
        ("core/models.py", "import incident_nb.evidence.logs", "Imports go downward"),
        ("analysis/impact.py", "import incident_nb.sources.logs", "Analysis and charts are pure"),
        ("sources/changes.py", "import incident_nb.notebook.session", "Imports go downward"),
    ],
)
def test_an_upward_import_breaks_a_contract(
    lint: Path, tmp_path: Path, module: str, line: str, contract: str
) -> None:
    shutil.copytree(
        REPO / "incident_nb", tmp_path / "incident_nb", ignore=shutil.ignore_patterns("__pycache__")
    )
    target = tmp_path / "incident_nb" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    done = _lint(tmp_path)
    assert done.returncode != 0
    assert contract in done.stdout and "BROKEN" in done.stdout
