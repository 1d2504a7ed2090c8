"""A command-line parser that says "did you mean" for mistyped subcommands, flags and values.

argparse suggests close choices itself from Python 3.14 (``suggest_on_error``), and that is used
where it exists; before it, and for flags at every version, :mod:`difflib` finds the closest
known spelling. The error names the subcommand and shows its own usage, not the top level's.
"""

from __future__ import annotations

import argparse
import difflib
import inspect
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

_CHOICE = re.compile(r"invalid choice: '(?P<given>[^']*)' \(choose from (?P<choices>.*)\)")
SUGGESTS_ITSELF = "suggest_on_error" in inspect.signature(argparse.ArgumentParser).parameters
"""Whether this Python's argparse suggests close choices on its own."""


def closest(word: str, known: Sequence[str]) -> str | None:
    """The known spelling closest to ``word`` (or one it is the start of), if any is close."""
    starting = [k for k in known if k.startswith(word) and word.startswith("--")]
    if len(starting) == 1:
        return starting[0]
    found = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return found[0] if found else None


class SuggestingParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors suggest the closest known subcommand or flag."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if SUGGESTS_ITSELF:
            kwargs.setdefault("suggest_on_error", True)
        super().__init__(*args, **kwargs)
        self._given: list[str] = []

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Parse as argparse does, remembering the words given (for the suggestions)."""
        self._given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def unknown_flags(self, words: Sequence[str] | None = None) -> list[str]:
        """Words of ``words`` (default: those given) that look like flags this parser lacks."""
        known = set(self._option_string_actions)
        out = []
        for word in self._given if words is None else words:
            flag = word.split("=", 1)[0]
            number = re.fullmatch(r"-\d+(\.\d+)?", flag)  # a negative number is a value
            if flag.startswith("-") and len(flag) > 1 and flag not in known and not number:
                out.append(flag)
        return out

    def hint(self, message: str) -> str:
        """What to add to ``message``: the close spellings of what was mistyped."""
        choice = _CHOICE.search(message)
        if choice and "maybe you meant" not in message:
            options = re.findall(r"'([^']*)'", choice.group("choices"))
            near = closest(choice.group("given"), options)
            if near:
                return f" (did you mean {near!r}?)"
        flags = sorted(self._option_string_actions)
        pairs = [(word, closest(word, flags)) for word in self.unknown_flags()]
        meant = [f"{near} for {word}" for word, near in pairs if near]
        if meant:
            return f" (did you mean {', '.join(meant)}?)"
        return ""

    def error(self, message: str) -> NoReturn:
        """Print the usage and the error with its suggestion, and exit with status 2."""
        super().error(message + self.hint(message))
