"""The ways an ``incident.json`` goes bad, shared by the record, serve and report tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

Make = Callable[[Path, str], None]
"""Turns the record of a folder bad, given the folder and the text of a valid record."""


def _write(data: Callable[[str], bytes]) -> Make:
    def make(folder: Path, valid: str) -> None:
        (folder / "incident.json").write_bytes(data(valid))

    return make


def _directory(folder: Path, valid: str) -> None:
    (folder / "incident.json").mkdir()


def _dangling(folder: Path, valid: str) -> None:
    (folder / "incident.json").symlink_to(folder / "gone.json")


def _loop(folder: Path, valid: str) -> None:
    (folder / "incident.json").symlink_to(folder / "incident.json")


def _version(valid: str) -> bytes:
    data = json.loads(valid)
    data["schema_version"] = 7
    return json.dumps(data).encode()


CORRUPT_SHAPES: dict[str, tuple[Make, str]] = {
    "invalid UTF-8": (_write(lambda v: v.encode()[:40] + b"\xff\xfe" + v.encode()[40:]), "UTF-8"),
    "deep nesting": (_write(lambda v: b"[" * 100_000 + b"]" * 100_000), "nested deeper"),
    "a directory": (_directory, "is a folder"),
    "a dangling symlink": (_dangling, "symbolic link"),
    "a symlink loop": (_loop, "cannot read"),
    "truncated": (_write(lambda v: v.encode()[: len(v) // 2]), "truncated"),
    "wrong version": (_write(_version), "schema_version 7"),
    "huge integer": (_write(lambda v: b'{"id": ' + b"9" * 5000 + b"}"), "out of range"),
    "not an object": (_write(lambda v: b"[1, 2]"), "invalid"),
}
"""Shape -> (how to make it, words its error must contain)."""
