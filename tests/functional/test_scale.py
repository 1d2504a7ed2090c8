"""Logs of any length: events on disk, the snapshot from the parse's own pass, bounded memory.

The parsed events stream into one Parquet file (the evidence snapshot when one is asked for):
it must hold the very events and line accounting the analysis saw; memory must not grow with
the log; and the temporary folder of an analysis must be gone when it ends, however it ends.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_nb.cli import main
from incident_nb.core.errors import EvidenceError, StorageError
from incident_nb.sources import logsql
from incident_nb.sources.logs import LogStore
from incident_nb.sources.logs.envelopes import relation
from incident_nb.sources.logs.layouts import get_layout
from incident_nb.sources.logs.records import file_pieces
from incident_nb.sources.logs.textlines import layout_select

START = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def events(store: LogStore) -> list[tuple[object, ...]]:
    """Every event of ``store``, in one order."""
    return store._con.execute("SELECT * FROM events ORDER BY ALL").fetchall()


def about(store: LogStore) -> tuple[object, ...]:
    return store.lines, store.fields, store.warnings, store.errors_known


@pytest.fixture
def logs(tmp_path: Path) -> list[Path]:
    """A JSON-lines log (3 malformed lines, 2 without a usable time) and a log4j text log."""
    rows = []
    for i in range(600):
        failing = i % 10 == 0
        rows.append(
            json.dumps(
                {
                    "ts": (START + timedelta(seconds=i)).isoformat(),
                    "tenant": f"t{i % 7}",
                    "endpoint": f"/api/e{i % 3}",
                    "status": 500 if failing else 200,
                    "latency_ms": 10 + i % 50,
                    "msg": f"boom {i}" if failing else "ok",
                    "request_id": f"r{i}",
                }
            )
        )
    rows[50] = '{"ts": "2026-11-20T14:00:50Z", "status": 5'
    rows[51] = "# a comment"
    rows[52] = "not json at all"
    rows[60] = json.dumps({"ts": "3026-01-01T00:00:00Z", "status": 200})
    rows[61] = json.dumps({"ts": "yesterday", "status": 500})
    service = tmp_path / "service.jsonl"
    service.write_text("\n".join(rows) + "\n")
    text = []
    for i in range(200):
        at = START + timedelta(seconds=3 * i)
        level = "ERROR" if i % 25 == 0 else "INFO"
        text.append(f"{at:%Y-%m-%d %H:%M:%S},{i % 1000:03d} {level} [main] app.Worker - step {i}")
        if level == "ERROR":
            text += [
                "java.lang.IllegalStateException: broken",
                "    at app.Worker.run(Worker.java:7)",
            ]
    worker = tmp_path / "worker.log"
    worker.write_text("\n".join(text) + "\n")
    return [service, worker]


def test_the_snapshot_written_by_the_parse_is_its_events_and_accounting(logs, tmp_path):
    plain = LogStore.open(logs)
    snapped = LogStore.open(logs, snapshot=tmp_path / "evidence")
    again = LogStore.open_snapshot(tmp_path / "evidence")
    copied = LogStore.open_snapshot(plain.snapshot(tmp_path / "copy").parent)
    try:
        # Ground truth: 600 + 200 records (stack traces continue theirs), 3 malformed, 2
        # without a usable time; every 10th request and every 25th worker step failed.
        lines = plain.lines
        assert (lines.total, lines.malformed, lines.bad_timestamp, lines.used) == (800, 3, 2, 795)
        assert [(e.path, e.line) for e in lines.examples] == [
            (str(logs[0]), n) for n in (51, 52, 53, 61, 62)
        ]
        counts = plain._con.execute(
            "SELECT count(*), count(*) FILTER (WHERE is_error) FROM events"
        ).fetchone()
        assert counts == (795, 58 + 8)
        assert [p.name for p in (tmp_path / "evidence").iterdir()] == ["events.parquet"]
        for other in (snapped, again, copied):
            assert events(other) == events(plain)
            assert about(other) == about(plain)
    finally:
        for store in (plain, snapped, again, copied):
            store.close()


def test_the_events_file_keeps_its_names_as_dictionaries(logs, tmp_path):
    # Queries group by the endpoint and the tenant: their columns are written from a
    # dictionary, which DuckDB groups once per distinct value. The endpoint is routed before
    # it is written: that step must not lose the encoding.
    LogStore.open(logs, snapshot=tmp_path / "evidence").close()
    meta = pq.ParquetFile(tmp_path / "evidence" / "events.parquet").metadata
    columns = {meta.schema.column(i).name: i for i in range(meta.num_columns)}
    for name in ("endpoint", "tenant", "message"):
        for group in range(meta.num_row_groups):
            chunk = meta.row_group(group).column(columns[name])
            assert "RLE_DICTIONARY" in chunk.encodings, (name, chunk.encodings)
            assert chunk.has_dictionary_page, name


def test_a_windowed_snapshot_holds_the_window_and_every_line_s_accounting(logs, tmp_path):
    window = (START + timedelta(minutes=2), START + timedelta(minutes=5))
    snapped = LogStore.open(logs, snapshot=tmp_path / "evidence", window=window)
    whole = LogStore.open(logs)
    try:
        whole.restrict(*window)
        assert events(snapped) == events(whole)
        assert snapped.lines == whole.lines and snapped.lines.total == 800
        again = LogStore.open_snapshot(tmp_path / "evidence")
        assert events(again) == events(whole)
        again.close()
        with pytest.raises(EvidenceError, match="widen --window"):
            LogStore.open(logs, window=(START + timedelta(days=3), None))
    finally:
        snapped.close()
        whole.close()


def test_the_earlier_snapshot_stays_when_the_parse_fails(logs, tmp_path):
    folder = tmp_path / "evidence"
    LogStore.open(logs, snapshot=folder).close()
    before = (folder / "events.parquet").read_bytes()
    with pytest.raises(EvidenceError, match="widen --window"):
        LogStore.open(logs, snapshot=folder, window=(START + timedelta(days=3), None))
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(StorageError, match="a-file"):
        LogStore.open(logs, snapshot=blocked)
    assert [p.name for p in folder.iterdir()] == ["events.parquet"]
    assert (folder / "events.parquet").read_bytes() == before


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """The system's temporary folder, for this test: a new empty one."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def analyze(*args: object) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(["analyze", *map(str, args), "--json"])


def test_no_temporary_file_outlives_the_analysis(logs, tmp_path, private_tmp):
    assert analyze("--logs", logs[0], "--logs", logs[1]) == 0
    assert analyze("--logs", logs[0], "--snapshot", tmp_path / "evidence") == 0
    assert (
        analyze("--from-snapshot", tmp_path / "evidence", "--window", "2026-11-20T14:02:00Z,") == 0
    )
    # Failures after the parse, before it, and in the writing.
    broken = tmp_path / "broken.jsonl"
    broken.write_text("not json\n" * 10)
    assert analyze("--logs", broken) == 1
    assert analyze("--logs", logs[0], "--window", "2030-01-01T00:00:00Z,") == 1
    assert analyze("--logs", logs[0], "--snapshot", logs[1]) == 1
    assert list(private_tmp.iterdir()) == []
    assert sorted(p.name for p in (tmp_path / "evidence").iterdir()) == [
        ".answers",
        "events.parquet",
    ]
    assert not list((tmp_path / "evidence" / ".answers").glob(".*.partial"))
    # A store nobody closed takes its folder with it when it goes.
    LogStore.open(logs)
    gc.collect()
    assert list(private_tmp.iterdir()) == []


def test_a_reader_failing_midway_is_read_again_by_lines_with_exact_accounting(tmp_path):
    path = tmp_path / "zeros.jsonl.gz"
    good = b'{"ts": "2026-11-20T14:00:00Z", "level": "error"}\n'
    with gzip.open(path, "wb", compresslevel=1) as handle:
        handle.write(good * 600_000)  # DuckDB's reader hands rows over before it meets...
        handle.write(b"\0" * (48 << 20) + b"\n")  # ...a line it gives up on
        handle.write(b'{"ts": "2026-11-20T14:00:01Z", "level": "info"}\n')
    store = LogStore.open([path])
    try:
        lines = store.lines
        assert (lines.total, lines.malformed, lines.used) == (600_002, 1, 600_001)
        assert [e.line for e in lines.examples] == [600_001]
        assert store._con.execute(
            "SELECT count(*) FILTER (WHERE is_error) FROM events"
        ).fetchone() == (600_000,)
    finally:
        store.close()


def test_percentiles_beyond_the_memory_limit_are_answered_anyway(tmp_path):
    rows = "".join(
        json.dumps({"ts": (START + timedelta(milliseconds=i)).isoformat(), "status": 200,
                    "latency_ms": (i * 7919) % 1000})
        + "\n"
        for i in range(200_000)
    )  # fmt: skip
    path = tmp_path / "latency.jsonl"
    path.write_text(rows)
    store = LogStore.open([path])
    try:
        expected = store.per_minute()
        setting = "SELECT current_setting('memory_limit')"
        store._con.execute("SET memory_limit = '1MB'")  # far too little for exact percentiles
        limit = store._con.execute(setting).fetchone()
        with pytest.raises(duckdb.OutOfMemoryException):
            store._con.execute(logsql.PER_MINUTE).fetchall()
        assert store.per_minute().equals(expected)
        assert store._con.execute(setting).fetchone() == limit  # lifted for the query only
    finally:
        store.close()


GENERATE = """
COPY (SELECT strftime(TIMESTAMPTZ '2026-11-20 12:00:00+00' + to_microseconds(i * $step),
                      '%Y-%m-%dT%H:%M:%S.%fZ') AS ts,
             'tenant-' || (hash(i) % 200) AS tenant_id, '/api/v1/e' || (hash(i * 7) % 30) AS endpoint,
             CASE WHEN i > $lines * 0.6 AND hash(i) % 30 = 3 THEN 500
                  WHEN hash(i * 3) % 1000 < 3 THEN 503 ELSE 200 END AS status,
             round(20 + (hash(i * 11) % 1000) / 10.0, 3) AS latency_ms,
             CASE WHEN i > $lines * 0.6 AND hash(i) % 30 = 3
                  THEN 'DatabaseError: column discount_code does not exist (order ' || i || ')'
                  ELSE 'ok' END AS message,
             'req-' || i AS request_id, 'info' AS level
      FROM range($lines) t(i)) TO '{path}' (FORMAT json)
"""
PEAK = """
import resource, subprocess, sys
with open(sys.argv[1], "w") as out:
    done = subprocess.run(sys.argv[2:], stdout=out)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss(log: Path) -> tuple[int, dict]:
    """The peak resident memory (bytes) of ``incident-nb analyze --logs LOG --json``, and the
    summary it printed."""
    command = [sys.executable, "-c", "from incident_nb.cli import run; run()"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = log.with_suffix(".summary.json")
    done = subprocess.run(
        [sys.executable, "-c", PEAK, str(out), *command, "analyze", "--logs", str(log), "--json"],
        capture_output=True, text=True, check=True, env=env, timeout=300,
    )  # fmt: skip
    status, peak = done.stdout.split()
    assert status == "0", done.stderr
    return int(peak) * 1024, json.loads(out.read_text())


TEXT = """
COPY (SELECT line FROM (
  SELECT i, 0 AS k, strftime(TIMESTAMP '2026-11-20 12:00:00' + to_microseconds(i * $step),
           '%Y-%m-%d %H:%M:%S') || ',000 ' || CASE WHEN i % 50 = 7 THEN 'ERROR' ELSE 'INFO' END
           || ' [worker-' || (i % 16) || '] app.Service - handled request ' || i AS line
  FROM range($lines) t(i)
  UNION ALL
  SELECT i, k, '    at app.Pool.take(Pool.java:' || k || ')' FROM range($lines) t(i), range(1, 4) s(k)
  WHERE i % 50 = 7
) ORDER BY i, k) TO '{path}' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x1f')
"""


def _generate(sql: str, log: Path, lines: int) -> Path:
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(sql.format(path=log), {"lines": lines, "step": 3_600_000_000 // lines})
    con.close()
    return log


def test_memory_does_not_grow_with_the_log(tmp_path):
    sizes = {}
    for lines in (1_000_000, 4_000_000):
        log = _generate(GENERATE, tmp_path / f"service-{lines}.jsonl", lines)
        sizes[lines], summary = peak_rss(log)
        assert summary["lines"]["parsed"] == lines
        log.unlink()
    # Holding the events in memory took 70-90 MB more per million lines (+220 MB here); on
    # disk, only DuckDB's exact percentiles grow with the log (one latency, 8 bytes, an event).
    assert sizes[4_000_000] < 2**30
    assert sizes[4_000_000] - sizes[1_000_000] < 100 * 2**20, sizes


FRAME = "\n    at app.Pool.take(Pool.java:{})"
FRAME_TEMPLATE = "\n  at app.Pool.take(Pool.java:<*>)"


def test_a_multi_line_text_log_is_read_in_bounded_memory(tmp_path):
    # Finding each line's record sorted the whole log in memory: 1.5 GB for these 1.06M lines
    # (a million log4j records, one in fifty with a three-line stack trace). Streamed, only
    # the continuation lines are held.
    log = _generate(TEXT, tmp_path / "service.log", 1_000_000)
    peak, summary = peak_rss(log)
    assert peak < 0.75 * 2**30
    # ... and every record is found, its stack trace attached: one record of four lines in
    # fifty, an error each, and not one line malformed.
    assert summary["lines"]["parsed"] == 1_000_000
    assert summary["lines"]["malformed"] == 0
    first = summary["first_error"]["message"]
    assert first.endswith("handled request 7" + "".join(FRAME.format(k) for k in (1, 2, 3)))
    assert first.count("\n    at app.Pool.take") == 3
    assert summary["error_rate"]["overall"] == pytest.approx(0.02)
    # A record read in the wrong order would give another its frames: one signature, all 20k.
    (signature,) = summary["signatures"]
    assert signature["count"] == 20_000
    assert signature["template"].endswith("(Pool.java:<*>)" + FRAME_TEMPLATE * 2)


LINE_KINDS = st.sampled_from(["start", "error", "trace", "caused", "blank", "junk"])


def _text_line(kind: str, n: int) -> str:
    at = START + timedelta(seconds=n)
    return {
        "start": f"{at:%Y-%m-%d %H:%M:%S},{n % 1000:03d} INFO [main] app.W - step {n}",
        "error": f"{at:%Y-%m-%d %H:%M:%S},{n % 1000:03d} ERROR [main] app.W - failed {n}",
        "trace": f"    at app.W.run(W.java:{n})",
        "caused": f"Caused by: java.io.IOException: gone {n}",
        "blank": "",
        "junk": f"garbage {n} ]]",
    }[kind]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(LINE_KINDS, max_size=25), min_size=1, max_size=3))
def test_streamed_records_are_the_records_of_the_sorted_reading(tmp_path, files):
    """Plain files are read in one streaming pass; the same lines numbered and sorted (as in an
    envelope) give the very same records: starts, continuations, orphan lines before any."""
    paths = []
    for index, kinds in enumerate(files):
        path = tmp_path / f"app-{index}.log"
        path.write_text("".join(_text_line(k, n) + "\n" for n, k in enumerate(kinds)))
        paths.append(str(path))
    layout = get_layout("log4j")
    numbered = relation(paths, None, True)
    con = duckdb.connect()
    rows = [
        con.execute(f"SELECT * FROM ({sql}) ORDER BY ALL").fetchall()
        for sql in (
            layout_select(layout, numbered, "NULL", pieces=file_pieces(paths)),
            layout_select(layout, numbered, "NULL"),
        )
    ]
    assert rows[0] == rows[1]
