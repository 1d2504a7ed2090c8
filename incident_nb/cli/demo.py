"""``incident-nb demo``: the whole job on built-in demo data."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from incident_nb.cli.args import add_root


def add_arguments(demo: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb demo``."""
    add_root(demo, "where demo data and incidents/ go (default: notebooks)")
    demo.add_argument(
        "--docs-root", type=Path, default=Path(), help="where the Markdown post-mortem goes"
    )


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb demo``."""
    from incident_nb.demo.run import run_demo  # noqa: PLC0415 - heavy import

    print("Generating the demo incident and running its investigation ...", file=sys.stderr)
    result = run_demo(args.root, args.docs_root)
    print(f"Investigation notebook: {result.notebook}")
    print(f"Post-mortem (HTML):     {result.exports.html}")
    print(f"Post-mortem (Markdown): {result.exports.markdown}")
    print(f"Demo evidence:          {result.data.logs.parent}")
    return 0
