"""A snapshot keeps the answers to the analysis's queries, and they are always its own.

Re-analysing a snapshot (each Run All of the notebook, ``analyze --from-snapshot``) asks the
same questions of the same events: their answers are read back instead of scanning the events
again. An answer must never outlive its events, never stand in for a question it does not
answer (another window), and never be needed: a damaged or unwritable folder of answers only
costs the time.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from incident_nb.cli import main
from incident_nb.core.folder import ANSWERS_DIR, SNAPSHOT
from incident_nb.demo.scenario import Scenario, generate_logs
from incident_nb.evidence.logs import analyze_store, summarize
from incident_nb.sources.logs import LogStore

SCENARIO = Scenario(lines=20_000)
WINDOW = "2026-11-20T14:00:00Z,"


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_logs(SCENARIO, tmp_path_factory.mktemp("logs") / "service.jsonl")


def analyze(capsys: pytest.CaptureFixture[str], *args: object) -> dict[str, object]:
    capsys.readouterr()
    status = main(["analyze", *map(str, args), "--json"])
    out = capsys.readouterr()
    assert status == 0, out.err
    found: dict[str, object] = json.loads(out.out)
    return found


def reanalysed(folder: Path, *, detail: bool) -> tuple[object, int, int]:
    """The summary of the snapshot in ``folder``, answers kept and answers read back."""
    store = LogStore.open_snapshot(folder)
    try:
        summary = summarize(analyze_store(store, detail=detail)).to_json()
        assert store.answers is not None
        return summary, store.answers.kept, store.answers.reused
    finally:
        store.close()


def test_a_snapshot_answers_the_same_questions_from_what_it_kept(jsonl, tmp_path, capsys):
    snap = tmp_path / "evidence"
    plain = analyze(capsys, "--logs", jsonl)
    first = analyze(capsys, "--logs", jsonl, "--snapshot", snap)
    kept = sorted(p.name for p in (snap / ANSWERS_DIR).iterdir())
    assert ".gitignore" in kept and len(kept) > 5
    assert (snap / ANSWERS_DIR / ".gitignore").read_text() == "*\n"
    assert analyze(capsys, "--from-snapshot", snap) == first == plain
    # Asked again, every question of the analysis is answered from the folder.
    summary, new, reused = reanalysed(snap, detail=False)
    assert (new, reused > 5) == (0, True)
    parsed = LogStore.open([jsonl])
    try:
        assert summary == summarize(analyze_store(parsed)).to_json()
    finally:
        parsed.close()
    # The notebook's wider analysis asks more; what it asked is then kept too.
    wide, new, _ = reanalysed(snap, detail=True)
    assert new > 0
    assert reanalysed(snap, detail=True) == (wide, 0, reanalysed(snap, detail=True)[2])


def test_another_window_is_asked_of_the_events(jsonl, tmp_path, capsys):
    snap = tmp_path / "evidence"
    analyze(capsys, "--logs", jsonl, "--snapshot", snap)
    whole = analyze(capsys, "--from-snapshot", snap)
    windowed = analyze(capsys, "--from-snapshot", snap, "--window", WINDOW)
    assert windowed == analyze(capsys, "--logs", jsonl, "--window", WINDOW)
    assert windowed["window"] != whole["window"]
    assert analyze(capsys, "--from-snapshot", snap) == whole


def test_a_new_snapshot_forgets_the_answers_about_the_old_events(jsonl, tmp_path, capsys):
    snap = tmp_path / "evidence"
    analyze(capsys, "--logs", jsonl, "--snapshot", snap)
    before = {p.name for p in (snap / ANSWERS_DIR).glob("*.parquet")}
    # The same logs again: new events file, new id, so none of the old answers is read.
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(jsonl.read_text().splitlines(keepends=True)[:12_000]))
    first = analyze(capsys, "--logs", cut, "--snapshot", snap)
    after = {p.name for p in (snap / ANSWERS_DIR).glob("*.parquet")}
    assert not before & after
    assert analyze(capsys, "--from-snapshot", snap) == first
    assert first["lines"]["total"] == 12_000  # type: ignore[index]


def test_a_store_written_over_its_own_snapshot_keeps_answers_for_the_new_file(
    jsonl, tmp_path, capsys
):
    snap = tmp_path / "evidence"
    first = analyze(capsys, "--logs", jsonl, "--snapshot", snap)
    store = LogStore.open_snapshot(snap)
    try:
        store.snapshot(snap)  # the same events, in a new file: the answers kept are gone
        assert store.answers is not None
        summary = summarize(analyze_store(store)).to_json()
        kept = store.answers.kept
    finally:
        store.close()
    assert kept > 5 and summary == first
    # They are the new file's: a store opened on it reads every one of them back.
    assert reanalysed(snap, detail=False) == (first, 0, kept)


def test_damaged_or_unwritable_answers_only_cost_time(jsonl, tmp_path, capsys):
    snap = tmp_path / "evidence"
    first = analyze(capsys, "--logs", jsonl, "--snapshot", snap)
    answers = sorted((snap / ANSWERS_DIR).glob("*.parquet"))
    for path in answers[::2]:
        path.write_bytes(b"PAR1 not a parquet file")
    for path in answers[1::2]:
        path.write_bytes(path.read_bytes()[:40])
    assert analyze(capsys, "--from-snapshot", snap) == first
    # Read again, the damaged ones were replaced by good ones.
    assert reanalysed(snap, detail=False)[1:] == (0, len(answers))

    # Where the answers would go cannot be written (a file in the folder's place).
    other = tmp_path / "unwritable"
    analyze(capsys, "--logs", jsonl, "--snapshot", other)
    shutil.rmtree(other / ANSWERS_DIR)
    (other / ANSWERS_DIR).write_text("not a folder")
    assert analyze(capsys, "--from-snapshot", other) == first
    assert sorted(p.name for p in other.iterdir()) == [ANSWERS_DIR, SNAPSHOT]
