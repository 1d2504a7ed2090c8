"""Where the notebook and export templates live: inside the installed package, or the checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def templates_dir() -> Path:
    """The folder holding ``investigation.ipynb`` and the export templates."""
    for candidate in (_PACKAGE / "_templates", _PACKAGE.parent / "templates"):
        if (candidate / "investigation.ipynb").is_file():
            return candidate
    raise FileNotFoundError(
        "incident-nb's templates are missing; reinstall the package (pip install incident-nb)"
    )


def investigation_template() -> Path:
    """The investigation notebook template."""
    return templates_dir() / "investigation.ipynb"
