from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from incident_nb.cli import main
from incident_nb.sources.messages import read_messages

TEXT = """\
worker 3 lost connection to 10.0.0.7:5432
cache miss for key a1b2c3d4 took 12ms
worker 11 lost connection to 10.0.0.9:5432

cache miss for key ffee0011 took 3ms
disk full on /var/lib/db
"""

JSONL = [
    {"ts": "2024-05-01T10:00:00Z", "level": "error", "message": "payment 17 declined"},
    {"timestamp": "2024-05-01T10:05:00Z", "level": "error", "msg": "payment 18 declined"},
    {"ts": 1714557720, "level": "error", "error": "quota exceeded for tenant t-9"},
    {"ts": "2024-05-01T10:03:00Z", "level": "error"},
]


def _jsonl(path: Path) -> Path:
    lines = [json.dumps(obj) for obj in JSONL]
    lines.insert(2, "{not json")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_text_log_prints_signatures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "app.log"
    log.write_text(TEXT, encoding="utf-8")
    assert main(["signatures", "--logs", str(log), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"4 signatures in 6 messages (6 lines) of {log}")
    assert "worker <*> lost connection to <*>" in out
    assert "e.g. worker 3 lost connection to 10.0.0.7:5432" in out
    assert "first seen" not in out
    assert "(empty message)" in out  # the blank line is counted, not dropped


def test_json_output_and_assignments_round_trip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "app.log"
    log.write_text(TEXT, encoding="utf-8")
    out_csv = tmp_path / "assignments.csv"
    assert main(["signatures", "--logs", str(log), "--json", "--assignments", str(out_csv)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["lines"] == {
        "total": 6,
        "messages": 6,
        "format": "text",
        "not_json": 0,
        "without_message": 0,
        "without_timestamp": 0,
    }
    signatures = {s["id"]: s for s in document["signatures"]}
    assert sum(s["count"] for s in signatures.values()) == 6
    with out_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["line", "signature_id", "template"]
    assert [int(r["line"]) for r in rows] == [1, 2, 3, 4, 5, 6]
    lines = TEXT.splitlines()
    for row in rows:
        signature = signatures[row["signature_id"]]
        assert signature["template"] == row["template"]
    by_line = {int(r["line"]): r["template"] for r in rows}
    assert by_line[1] == by_line[3] == "worker <*> lost connection to <*>"
    assert by_line[2] == by_line[5] == "cache miss for key <*> took <*>"
    assert by_line[4] == "" and lines[3] == ""
    counts = {s["template"]: s["count"] for s in signatures.values()}
    assert counts["worker <*> lost connection to <*>"] == 2


def test_json_lines_use_message_and_time_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _jsonl(tmp_path / "app.jsonl")
    assert main(["signatures", "--logs", str(log), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["lines"] == {
        "total": 5,
        "messages": 5,
        "format": "json",
        "not_json": 1,
        "without_message": 1,
        "without_timestamp": 1,
    }
    payment = next(s for s in document["signatures"] if s["template"] == "payment <*> declined")
    assert payment["count"] == 2
    assert payment["first_seen"] == "2024-05-01T10:00:00+00:00"
    assert payment["last_seen"] == "2024-05-01T10:05:00+00:00"
    assert payment["example"] == "payment 17 declined"
    quota = next(s for s in document["signatures"] if s["template"].startswith("quota"))
    assert quota["first_seen"] == "2024-05-01T10:02:00+00:00"  # epoch seconds
    # Lines without a usable message keep their text: nothing is dropped.
    examples = {s["example"] for s in document["signatures"]}
    assert "{not json" in examples
    assert json.dumps(JSONL[3]) in examples


def test_text_output_shows_times_for_json_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _jsonl(tmp_path / "app.jsonl")
    assert main(["signatures", "--logs", str(log)]) == 0
    out = capsys.readouterr().out
    assert "first seen 2024-05-01T10:00:00+00:00, last seen 2024-05-01T10:05:00+00:00" in out


def test_format_text_reads_json_lines_verbatim(tmp_path: Path) -> None:
    log = _jsonl(tmp_path / "app.jsonl")
    read = read_messages(log, "text")
    assert read.timestamps is None
    assert read.messages.iloc[0] == json.dumps(JSONL[0])


def test_gzip_and_multiline_json_messages(tmp_path: Path) -> None:
    trace = 'Traceback (most recent call last):\n  File "a.py", line {n}, in f\nValueError: {n}'
    log = tmp_path / "app.jsonl.gz"
    with gzip.open(log, "wt", encoding="utf-8") as handle:
        for n in (1, 2):
            handle.write(
                json.dumps({"ts": "2024-05-01T10:00:00Z", "msg": trace.format(n=n)}) + "\n"
            )
    read = read_messages(log)
    assert read.lines.format == "json"
    assert read.messages.iloc[1] == trace.format(n=2)


def test_missing_or_empty_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["signatures", "--logs", str(tmp_path / "nope.log")]) == 1
    assert "log file not found" in capsys.readouterr().err
    empty = tmp_path / "empty.log"
    empty.write_text("\n\n", encoding="utf-8")
    assert main(["signatures", "--logs", str(empty)]) == 1
    assert "log file is empty" in capsys.readouterr().err


MULTILINE = """\
2024-05-01 10:00:00 ERROR request failed
Traceback (most recent call last):
  File "/srv/app/api.py", line 12, in create
    charge(order)
KeyError: 'card'
2024-05-01 10:00:01 ERROR pool failure
java.lang.IllegalStateException: pool 3 closed
\tat com.acme.Pool.borrow(Pool.java:42)
Caused by: java.net.SocketException: reset
\tat java.net.Socket.read(Socket.java:9)
2024-05-01 10:00:02 ERROR request failed
Traceback (most recent call last):
  File "/srv/app/api.py", line 14, in create
    charge(order)
KeyError: 'address'
2024-05-01 10:00:03 ERROR pool failure
java.lang.IllegalStateException: pool 9 closed
\tat com.acme.Pool.borrow(Pool.java:44)
Caused by: java.net.SocketException: reset by peer
\tat java.net.Socket.read(Socket.java:9)
"""


def test_multiline_text_groups_stack_traces_and_assigns_every_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "app.log"
    log.write_text(MULTILINE, encoding="utf-8")
    out_csv = tmp_path / "assignments.csv"
    argv = ["signatures", "--logs", str(log), "--format", "multiline", "--json"]
    assert main([*argv, "--assignments", str(out_csv)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["lines"]["total"] == 20
    assert document["lines"]["messages"] == 4
    templates = {s["template"]: s["count"] for s in document["signatures"]}
    assert templates == {
        "KeyError: '<*>'\n  File \"/srv/app/api.py\", line <*>, in create": 2,
        "java.lang.IllegalStateException caused by java.net.SocketException: pool <*> closed"
        "\n  at com.acme.Pool.borrow(Pool.java:<*>)": 2,
    }
    with out_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["line"]) for r in rows] == list(range(1, 21))
    assert len({r["signature_id"] for r in rows[:5]}) == 1
    assert rows[0]["signature_id"] == rows[10]["signature_id"]
    assert len({r["signature_id"] for r in rows[5:10]}) == 1
    assert rows[5]["signature_id"] == rows[19]["signature_id"] != rows[0]["signature_id"]


def test_unwritable_assignments_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "app.log"
    log.write_text(TEXT, encoding="utf-8")
    target = tmp_path / "missing-folder" / "out.csv"
    assert main(["signatures", "--logs", str(log), "--assignments", str(target)]) == 1
    assert "check that its folder exists" in capsys.readouterr().err
