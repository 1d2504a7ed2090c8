"""One unreadable ``incident.json`` is that incident's problem: named, skipped, never a traceback.

Every corrupt shape (invalid UTF-8, nesting deeper than the parser, a folder or a dangling link
in the record's place, a truncated file, a schema version from the future, ...) is put in a
root beside good records; ``report`` reads the rest, and ``check``, ``export``, ``update`` and
``retry`` on the broken one end with a message naming the file and what to do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_nb.cli import main
from incident_nb.core.record import dump_record, write_record
from tests.corrupt_records import CORRUPT_SHAPES
from tests.unit.test_record import make_record


@pytest.fixture
def mixed_root(tmp_path: Path) -> Path:
    """Two good incidents and one of every corrupt shape."""
    base = tmp_path / "incidents"
    for name in ("2026-11-20-good-a", "2026-11-21-good-b"):
        (base / name).mkdir(parents=True)
        record = make_record()
        record.id = name
        write_record(base / name, record)
    valid = dump_record(make_record())
    for i, (make, _) in enumerate(CORRUPT_SHAPES.values()):
        folder = base / f"2026-11-22-bad-{i}"
        folder.mkdir()
        make(folder, valid)
    return tmp_path


def test_report_reads_the_good_records_and_names_each_bad_one(mixed_root, capsys):
    assert main(["report", "--root", str(mixed_root), "--as-of", "2026-12-01"]) == 0
    out, err = capsys.readouterr()
    assert "2 incidents" in out
    for i, (_, words) in enumerate(CORRUPT_SHAPES.values()):
        path = mixed_root / "incidents" / f"2026-11-22-bad-{i}" / "incident.json"
        line = next(line for line in err.splitlines() if f"skipped {path}:" in line)
        assert words in line
    assert "Traceback" not in err


@pytest.mark.parametrize("shape", list(CORRUPT_SHAPES))
@pytest.mark.parametrize("command", ["check", "export", "update", "retry"])
def test_single_incident_commands_name_the_bad_record(mixed_root, capsys, shape, command):
    index = list(CORRUPT_SHAPES).index(shape)
    folder = mixed_root / "incidents" / f"2026-11-22-bad-{index}"
    (folder / "investigation.ipynb").write_text(
        '{"cells": [{"cell_type": "code", "execution_count": 1, "id": "c1", "metadata": {}, '
        '"outputs": [], "source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    assert main([command, str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("incident-nb: error: "), err
    assert str(folder / "incident.json") in err and CORRUPT_SHAPES[shape][1] in err
