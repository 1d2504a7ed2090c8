"""The ``incident-nb`` command line: one subcommand per library entry point, one module each.

``main(argv)`` returns the exit status: 0 on success, 1 when the work failed (the message says
why and what to do; a file or folder that cannot be read or written, e.g. on a read-only or
full disk, is named with the cause, never shown as a traceback), 2 for a usage error. Each
subcommand's module has ``add_arguments(parser)`` and ``run(args) -> int`` and imports what it
needs only when it runs, so the command line starts fast; arguments several subcommands share
are in :mod:`.args`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from incident_nb.cli.suggest import SuggestingParser
from incident_nb.core.durable import describe_os_error
from incident_nb.core.errors import IncidentNbError


@dataclass(frozen=True)
class Subcommand:
    """One ``incident-nb`` subcommand: its name, help, and the module that implements it."""

    name: str
    help: str
    module: str
    """The module under ``incident_nb.cli`` with ``add_arguments`` and ``run``."""

    def _function(self, name: str) -> Callable[..., object]:
        module = importlib.import_module(f"incident_nb.cli.{self.module}")
        return cast("Callable[..., object]", getattr(module, name))

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the subcommand's arguments on ``parser``."""
        self._function("add_arguments")(parser)

    def run(self, args: argparse.Namespace) -> int:
        """Run the subcommand; return its exit status."""
        return cast("int", self._function("run")(args))


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("new", "create the investigation of an alert", "new"),
    Subcommand("export", "export the post-mortem (HTML, Markdown)", "export"),
    Subcommand("check", "blameless and completeness check", "check"),
    Subcommand("demo", "run the whole job on built-in demo data", "demo"),
    Subcommand(
        "analyze", "analyse log files: impact, onset, trend, endpoints, signatures", "analyze"
    ),
    Subcommand("signatures", "group the messages of a log into error signatures", "signatures"),
    Subcommand("changes", "recent changes, deploys and suspect changes before an onset", "changes"),
    Subcommand("metrics", "a service's metrics (Prometheus or a file) and the onset", "metrics"),
    Subcommand(
        "localize",
        "which service is at fault: rank services by traces, logs and metrics",
        "localize",
    ),
    Subcommand(
        "update", "draft a stakeholder status update; send it to a webhook and record it", "update"
    ),
    Subcommand(
        "report",
        "the incident review across incidents: timings, causes, action items (text, HTML)",
        "report",
    ),
    Subcommand("serve", "receive alert webhooks and run their investigations", "serve"),
    Subcommand("retry", "execute an investigation's notebook again", "retry"),
)


def _parser(argv: Sequence[str]) -> SuggestingParser:
    """The parser; when ``argv`` names a subcommand, only that one's module is imported."""
    parser = SuggestingParser(
        prog="incident-nb",
        description="From an alert to an investigation notebook, and from it to a post-mortem.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    named = {c.name for c in SUBCOMMANDS} & set(argv[:1])
    for command in SUBCOMMANDS:
        parsing = sub.add_parser(command.name, help=command.help, allow_abbrev=False)
        if not named or command.name in named:
            command.add_arguments(parsing)
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv``; words no subcommand knows are reported by that subcommand, with hints."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser(argv)
    args, extra = parser.parse_known_args(argv)
    if extra:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[
            args.command
        ]
        sub.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = _parse(argv)
    try:
        command = next(c for c in SUBCOMMANDS if c.name == args.command)
        return command.run(args)
    except IncidentNbError as exc:
        print(f"incident-nb: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a file or folder no layer below put in words: say which, and why
        cause, advice = describe_os_error(exc)
        where = f" {exc.filename}" if exc.filename else ""
        print(f"incident-nb: error: cannot use{where}: {cause}; {advice}", file=sys.stderr)
        return 1


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


__all__ = ["main", "run"]
