"""Mistyped subcommands, flags and values get a "did you mean" and the subcommand's usage."""

from __future__ import annotations

import pytest

from incident_nb.cli import main
from incident_nb.cli.suggest import closest


def error_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    return capsys.readouterr().err


def test_a_mistyped_flag_is_named_with_the_flag_meant(capsys):
    err = error_of(["analyze", "--log", "service.jsonl"], capsys)
    assert err.startswith("usage: incident-nb analyze ")  # the subcommand's usage, not the top's
    assert "unrecognized arguments: --log service.jsonl (did you mean --logs for --log?)" in err


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["exprot", "x"], "(did you mean 'export'?)"),
        (["analyze", "--logs", "x", "--fromat", "json"], "(did you mean --format for --fromat?)"),
        (["analyze", "--logs", "x", "--format", "jsn"], "(did you mean 'json'?)"),
        (["report", "--htm", "r.html"], "(did you mean --html for --htm?)"),
        (["new", "--alert", "a.json", "--log", "x"], "(did you mean --logs for --log?)"),
    ],
)
def test_close_spellings_are_suggested(argv, hint, capsys):
    assert hint in error_of(argv, capsys) or "maybe you meant" in error_of(argv, capsys)


def test_nothing_close_means_no_guess(capsys):
    err = error_of(["analyze", "--logs", "x", "--zzzzzz"], capsys)
    assert "unrecognized arguments: --zzzzzz" in err and "did you mean" not in err


def test_closest():
    assert closest("--log", ["--logs", "--log-format", "--log-tz"]) == "--logs"
    assert closest("--rot", ["--root", "--repo"]) == "--root"
    assert closest("--xyz", ["--root"]) is None
