import gzip
import json

import duckdb
import pytest

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs import LogStore

GOOD = {
    "ts": "2026-11-20T14:00:00.5Z",
    "tenant_id": "acme",
    "endpoint": "/x",
    "status": 500,
    "latency_ms": 12.5,
    "message": "boom 42",
    "request_id": "r1",
    "level": "error",
}


def write(path, lines):
    path.write_text("".join(line + "\n" for line in lines))
    return path


def test_every_line_is_accounted_for_with_examples(tmp_path):
    ok = [
        json.dumps(GOOD | {"request_id": f"r{i}", "status": 200 if i % 2 else 500})
        for i in range(6)
    ]
    lines = [
        *ok[:2],
        "{truncated",
        "",
        *ok[2:4],
        json.dumps(GOOD | {"ts": "not a time"}),
        "[1, 2]",
        *ok[4:],
    ]
    store = LogStore.open([write(tmp_path / "svc.jsonl", lines)])
    rep = store.lines
    assert (rep.total, rep.malformed, rep.bad_timestamp, rep.used) == (9, 2, 1, 6)
    reasons = {(b.line, b.reason.split(":")[0]) for b in rep.examples}
    assert reasons == {
        (3, "invalid JSON"),
        (7, "no parsable timestamp in 'ts'"),
        (8, "not a JSON object"),
    }
    per_minute = store.per_minute()
    assert per_minute["requests"].sum() == 6 and per_minute["errors"].sum() == 3


def test_field_names_are_mapped_and_gzip_is_read(tmp_path):
    rows = [
        {
            "@timestamp": "2026-11-20T14:00:01+02:00",
            "tenant": "t1",
            "route": "/a",
            "status_code": 503,
            "duration_ms": 7,
            "msg": "upstream 503",
            "req_id": "a1",
            "severity": "ERROR",
        }
    ]
    path = tmp_path / "x.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(json.dumps(rows[0]) + "\n")
    store = LogStore.open([path])
    assert store.fields == {
        "timestamp": "@timestamp",
        "tenant": "tenant",
        "endpoint": "route",
        "method": None,
        "status": "status_code",
        "outcome": None,
        "latency": "duration_ms",
        "message": "msg",
        "request_id": "req_id",
        "trace_id": None,
        "service": None,
        "level": "severity",
    }
    assert store.warnings == () and store.errors_known
    first = store.failures_since(store.extent()[0]).first.iloc[0]
    assert first["ts"].isoformat() == "2026-11-20T12:00:01+00:00"
    assert (first["tenant"], first["endpoint"], first["status"]) == ("t1", "/a", 503)


def test_epoch_milliseconds(tmp_path):
    store = LogStore.open(
        [write(tmp_path / "e.jsonl", [json.dumps({"time": 1763647200123, "status": 200})])]
    )
    assert store.extent()[0].isoformat() == "2025-11-20T14:00:00.123000+00:00"


def test_status_less_lines_use_the_level(tmp_path):
    lines = [
        json.dumps({"ts": "2026-11-20T14:00:00Z", "level": lvl, "message": "m"})
        for lvl in ("info", "ERROR", "fatal")
    ]
    store = LogStore.open([write(tmp_path / "l.jsonl", lines)])
    assert int(store.per_minute()["errors"].sum()) == 2


@pytest.mark.parametrize(
    "name",
    ["http_code", "http_status_code", "httpStatus", "httpStatusCode", "response.status_code"],
)
def test_a_status_by_another_common_name(tmp_path, name):
    lines = [
        json.dumps({"ts": f"2026-11-20T14:00:0{i}Z", name: status, "path": "/a"})
        for i, status in enumerate((200, 404, 503))
    ]
    store = LogStore.open([write(tmp_path / "l.jsonl", lines)])
    assert store.fields["status"] == name
    assert int(store.per_minute()["errors"].sum()) == 1
    store.close()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "log file is empty"),
        (
            [json.dumps({"when": "x", "status": 200})],
            "no timestamp field .* found fields status, when",
        ),
        (["{bad", "{worse"], "no usable log lines"),
    ],
)
def test_unusable_input_is_a_clear_error(tmp_path, lines, message):
    with pytest.raises(EvidenceError, match=message):
        LogStore.open([write(tmp_path / "bad.jsonl", lines)])


def test_missing_file(tmp_path):
    with pytest.raises(EvidenceError, match="log file not found"):
        LogStore.open([tmp_path / "nope.jsonl"])


def test_a_question_asked_meanwhile_gets_the_answer_asked_in_turn(tmp_path):
    lines = [
        json.dumps({"ts": f"2026-11-20T12:{m:02d}:{s:02d}Z", "status": 500 if s % 7 else 200})
        for m in range(5)
        for s in range(0, 60, 5)
    ]
    store = LogStore.open([write(tmp_path / "a.jsonl", lines)])
    try:
        with store.meanwhile(lambda side: side.per_minute()) as early:
            levels = store.minute_levels()  # the store's own connection, at the same time
            got = early()
        assert got.equals(store.per_minute()) and list(got["requests"]) == [12] * 5
        assert levels.equals(store.minute_levels())
        # What the question raised reaches the one who waits for its answer.
        failing = store.meanwhile(lambda side: side.failures_since("no time"))
        with failing as early, pytest.raises(duckdb.Error):
            early()
        # When the block fails, what it asked meanwhile is interrupted, not waited for (the
        # cross join takes many seconds), and the error raised is the block's own.
        slow = "SELECT count(*) AS n FROM range(2000000000) a, range(100) b"
        stopped = []

        def ask(side):
            try:
                return side._df(slow)
            except duckdb.InterruptException:
                stopped.append(True)
                raise

        with pytest.raises(KeyError), store.meanwhile(ask):
            raise KeyError("the block's own")
        assert stopped == [True]
        assert store.per_minute().equals(got)  # the store is still usable afterwards
    finally:
        store.close()
