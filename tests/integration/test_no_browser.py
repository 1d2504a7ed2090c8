"""`make demo` on a machine without a browser: every browser on this one is hidden for real.

The commands run in a private mount namespace (``unshare --mount``) in which every Chromium and
Chrome binary on the PATH is covered by ``/dev/null`` and the folders browsers are installed in
(the system's Chromium, Playwright's, kaleido's) by empty ones, so nothing can start a browser.
`make demo` then still runs the whole job and prints its headline; the Markdown's charts are
drawn; a PDF, which does need a browser, says how to get one and leaves the other exports written.

`make` runs the real Makefile and its `demo` recipe; its set-up step (creating the virtual
environment) is already satisfied by the interpreter running these tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, need

pytestmark = pytest.mark.integration

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
BROWSER_DIRS = (
    Path("/usr/lib/chromium"),
    Path("/usr/lib/chromium-browser"),
    Path("/opt/google/chrome"),
    Path.home() / ".cache" / "ms-playwright",
)


def browser_paths() -> tuple[list[str], list[str]]:
    """(binaries, folders) to cover: every browser this machine has."""
    files = set()
    for name in BROWSER_NAMES:
        for folder in os.environ.get("PATH", "").split(os.pathsep):
            candidate = Path(folder) / name
            if candidate.is_file():
                files.add(str(candidate))
    dirs = {str(d) for d in BROWSER_DIRS if d.is_dir()}
    try:
        import choreographer  # kaleido's browser manager keeps a downloaded Chrome beside it

        dirs |= {str(p) for p in Path(choreographer.__file__).parent.rglob("browser_exe*")}
    except ImportError:
        pass
    return sorted(files), sorted(dirs)


def without_browser(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``command`` (a shell line) where no browser can be found or started."""
    need(shutil.which("unshare") is not None, "unshare (util-linux) is not installed")
    need(os.geteuid() == 0, "hiding the browsers with a private mount namespace needs root")
    files, dirs = browser_paths()
    hide = [f"mount --bind /dev/null {f}" for f in files]
    hide += [f"mount -t tmpfs -o size=1m empty {d}" for d in dirs]
    check = (
        f'"{sys.executable}" -c "from incident_nb.postmortem.export import find_chromium; '
        'assert find_chromium() is None, find_chromium()"'
    )
    script = " && ".join([*hide, check, command])
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def fake_venv(folder: Path) -> Path:
    """A `make` checkout whose virtual environment is the interpreter running the tests."""
    for name in ("Makefile", "pyproject.toml"):
        (folder / name).symlink_to(REPO / name)
    bin_dir = folder / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").symlink_to(sys.executable)
    cli = bin_dir / "incident-nb"
    cli.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -c "from incident_nb.cli import run; run()" "$@"\n'
    )
    cli.chmod(0o755)
    (folder / ".venv" / ".base").touch()  # set up: newer than pyproject.toml
    return folder


def test_make_demo_without_a_browser_prints_the_headline_and_draws_the_charts(tmp_path):
    need(shutil.which("make") is not None, "make is not installed")
    checkout = fake_venv(tmp_path)
    done = without_browser("make demo", checkout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    truth = json.loads((checkout / "demo-output/demo-data/ground_truth.json").read_text())
    onset = truth["onset"].replace("T", " ").removesuffix(":00Z")
    headline = out[out.index("What the evidence says:") :]
    assert f"Onset:              {onset} UTC" in headline
    assert f"Failing endpoint:   {truth['failing_endpoint']}: " in headline
    assert "Affected tenants:   3 of 8 tenants (38%): acme, globex, initech" in headline
    assert f"Suggested severity: {truth['severity']}: " in headline
    assert (
        f'Top suspect change: {truth["culprit_sha"][:8]} "{truth["culprit_subject"]}"' in headline
    )
    assert "Post-mortem (Markdown): docs/spec/.llm/completed/postmortem-" in out
    assert "(needs Chromium or Chrome: apt-get install chromium" in out  # how to get a PDF
    markdown = next((checkout / "docs/spec/.llm/completed").glob("postmortem-*.md"))
    images = sorted(markdown.with_name(markdown.stem + "_files").glob("chart-*.png"))
    assert len(images) == 2
    for image in images:
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image.stat().st_size > 10_000
    assert f"![Error rate per minute (% of requests)]({markdown.stem}_files/chart-1.png)" in (
        markdown.read_text()
    )

    # a PDF needs a browser: the export says how to get one; HTML and Markdown are written
    (folder,) = (checkout / "demo-output/incidents").iterdir()
    (folder / "postmortem.html").unlink()
    pdf = without_browser(
        f'.venv/bin/incident-nb export "{folder}" --docs-root out --to pdf', checkout
    )
    assert pdf.returncode == 1
    assert "a PDF is printed by a browser and none was found: install Chromium or Chrome" in (
        pdf.stderr
    )
    assert (folder / "postmortem.html").is_file() and not (folder / "postmortem.pdf").exists()
    assert list((checkout / "out/docs/spec/.llm/completed").glob("postmortem-*.md"))
