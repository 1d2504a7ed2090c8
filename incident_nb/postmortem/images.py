"""Static chart images (PNG) for the Markdown and PDF post-mortems, drawn offline by kaleido.

kaleido drives a local headless Chromium; without one, the error says how to install it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import plotly.io as pio

from incident_nb.core.errors import ExportError

WIDTH, HEIGHT = 1000, 400


def chart_title(figure: dict[str, Any], default: str) -> str:
    """The figure's title text, or ``default``."""
    title = figure.get("layout", {}).get("title", {})
    text = title.get("text") if isinstance(title, dict) else title
    return str(text) if text else default


def write_pngs(figures: Sequence[dict[str, Any]], paths: Sequence[Path]) -> None:
    """Render plotly figure dicts to PNG files, one browser start for all of them.

    Raises:
        ExportError: no Chromium to render with.
    """
    if not figures:
        return
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        pio.write_images(
            list(figures), [str(p) for p in paths], format="png", width=WIDTH, height=HEIGHT
        )
    except (RuntimeError, ValueError) as exc:
        raise ExportError(
            f"cannot draw chart images ({exc}); install Chromium (e.g. apt-get install chromium) "
            "or set BROWSER_PATH to a Chrome/Chromium binary"
        ) from None


def png_bytes(figures: Sequence[dict[str, Any]], folder: Path) -> list[bytes]:
    """The figures as PNG bytes (rendered through files in ``folder``)."""
    paths = [folder / f"chart-{i}.png" for i in range(len(figures))]
    write_pngs(figures, paths)
    return [p.read_bytes() for p in paths]
