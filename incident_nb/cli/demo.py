"""``incident-nb demo``: the whole job on built-in demo data, ending with what it found."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from incident_nb.cli.args import add_root


def add_arguments(demo: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb demo``."""
    demo.description = (
        "Generate a realistic incident that ends now (a service log, a git history with the "
        "bad deploy, the alert), investigate it, export the post-mortem, and print what the "
        "evidence says and where everything is."
    )
    add_root(demo, "where demo data and incidents/ go (default: notebooks)")
    demo.add_argument(
        "--docs-root", type=Path, default=Path(), help="where the Markdown post-mortem goes"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb demo``."""
    from incident_nb.demo.run import run_demo  # noqa: PLC0415 - heavy import
    from incident_nb.postmortem.export import CHROMIUM_HINT, find_chromium  # noqa: PLC0415
    from incident_nb.postmortem.story import headline  # noqa: PLC0415

    print("Generating the demo incident and running its investigation ...", file=sys.stderr)
    result = run_demo(args.root, args.docs_root)
    print(f"Investigation notebook: {result.notebook}")
    print(f"Post-mortem (HTML):     {result.exports.html}")
    print(f"Post-mortem (Markdown): {result.exports.markdown}")
    print(f"Demo evidence:          {result.data.logs.parent}")
    pdf = f"incident-nb export {result.folder} --to pdf"
    if find_chromium() is None:
        pdf += f" (needs {CHROMIUM_HINT})"
    print(f"A PDF as well:          {pdf}")
    if result.summary is not None:
        print("\nWhat the evidence says:")
        for label, value in headline(result.summary):
            print(f"  {label + ':':<20}{value}")
    return 0
