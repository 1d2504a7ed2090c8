"""``incident-nb report``: the incident review across every incident under a root."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``incident-nb report``."""


def run(args: argparse.Namespace) -> int:
    """Run ``incident-nb report``."""
    return 0
