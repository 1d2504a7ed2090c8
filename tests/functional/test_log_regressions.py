"""Each crash and silent wrong the log reader was found to have, on the logs that showed it.

Level-only logs crashed the JSON summary (pandas ``NA``); OTLP ``severityNumber``, bunyan's 50
and 60, a level inside ``@fields`` and nested ECS were read as 0 errors or a garbled endpoint;
nginx's ``main`` format and Elasticsearch's own timestamps were refused; text with commas was
taken for CSV; one absurd timestamp, one over-long line or a gzip of zeros ended the analysis.
"""

import contextlib
import gzip
import io
import json

import pytest

from incident_nb.cli import main
from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs import LogStore
from incident_nb.sources.logs.fieldreport import NO_ERROR_FIELD
from tests import log_formats


def run(*args):
    """``incident-nb analyze ARGS --json``: (exit status, document or None, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["analyze", *map(str, args), "--json"])
    document = json.loads(out.getvalue()) if status == 0 else None
    return status, document, err.getvalue()


def jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def errors_of(document):
    return sum(e["errors"] for e in document["endpoints"])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "level.jsonl",
            "".join(
                json.dumps({"ts": f"2026-11-20T14:0{i}:00Z", "level": lvl, "msg": f"m{i}"}) + "\n"
                for i, lvl in enumerate(["info", "error", "info", "ERROR", "warn"])
            ),
        ),
        (
            "level.logfmt",
            "".join(
                f"ts=2026-11-20T14:0{i}:00Z lvl={lvl} msg=m{i}\n"
                for i, lvl in enumerate(["info", "error", "info", "error", "warn"])
            ),
        ),
    ],
)
def test_level_only_logs_give_a_summary_with_their_errors(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    status, document, err = run("--logs", path)
    assert status == 0, err
    assert errors_of(document) == 2
    assert document["first_error_at"] == "2026-11-20T14:01:00Z"
    assert document["first_error"]["status"] is None  # was pandas NA, which JSON cannot hold


def test_otlp_records_with_only_a_severity_number(tmp_path):
    records = [
        {"timeUnixNano": str(1_763_647_200_000_000_000 + i * 10**9), "severityNumber": n}
        for i, n in enumerate([9, 17, 13, 21, 24, 16])
    ]
    doc = {"resourceLogs": [{"resource": {}, "scopeLogs": [{"logRecords": records}]}]}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc))
    store = LogStore.open([path])
    try:
        assert int(store.per_minute()["errors"].sum()) == 3  # 17, 21 and 24
        assert store.fields["level"] == "severity_text, severity_number"
    finally:
        store.close()


def test_bunyan_and_pino_numbers_50_and_60_are_errors(tmp_path):
    rows = [
        {"level": lvl, "time": 1_763_647_200_000 + i, "msg": "x", "pid": 1, "hostname": "h"}
        for i, lvl in enumerate([10, 20, 30, 40, 50, 60])
    ]
    status, document, err = run("--logs", jsonl(tmp_path / "pino.log", rows))
    assert status == 0, err
    assert errors_of(document) == 2


def test_a_level_inside_an_object(tmp_path):
    rows = [
        {"@timestamp": "2026-11-20T14:00:00Z", "@fields": {"lvl": "ERROR", "user": "a"}},
        {"@timestamp": "2026-11-20T14:00:01Z", "@fields": {"lvl": "INFO", "user": "b"}},
    ]
    store = LogStore.open([jsonl(tmp_path / "logstash.json", rows)])
    try:
        assert store.fields["level"] == "@fields.lvl"
        assert int(store.per_minute()["errors"].sum()) == 1
    finally:
        store.close()


def test_nested_ecs_endpoint_status_and_tenant_map(tmp_path):
    rows = [
        {
            "@timestamp": f"2026-11-20T14:00:0{i}Z",
            "http": {"response": {"status_code": code}},
            "url": {"path": path, "domain": "localhost"},
            "organization": {"id": org, "name": org.upper()},
        }
        for i, (code, path, org) in enumerate(
            [(200, "/ok", "acme"), (500, "/error", "beta"), (503, "/error", "beta")]
        )
    ]
    path = jsonl(tmp_path / "ecs.json", rows)
    status, document, err = run("--logs", path, "--map", "tenant=organization.id")
    assert status == 0, err
    by_endpoint = {e["endpoint"]: e["errors"] for e in document["endpoints"]}
    assert by_endpoint == {"/error": 2, "/ok": 0}  # was "{'path': /error, 'domain': ...}"
    assert document["fields"]["tenant"] == "organization.id"
    store = LogStore.open([path], {"tenant": "organization.id"})
    try:
        tenants = store.minute_by("tenant")
        assert set(tenants["tenant"]) == {"acme", "beta"}
    finally:
        store.close()


def test_nginx_main_format(tmp_path):
    path = tmp_path / "access.log"
    path.write_text(
        "".join(
            f'10.0.0.{i} - - [20/Nov/2026:14:00:0{i} +0000] "GET /api/{i % 2} HTTP/1.1" '
            f'{500 if i == 3 else 200} 12 "-" "curl/8.0" "203.0.113.{i}"\n'
            for i in range(6)
        )
    )
    status, document, err = run("--logs", path)
    assert status == 0, err
    assert (document["lines"]["total"], document["lines"]["malformed"]) == (6, 0)
    assert errors_of(document) == 1


def test_elasticsearch_timestamps(tmp_path):
    rows = [
        {"type": "server", "timestamp": "2019-01-10T10:46:46,679+0100", "level": "ERROR"},
        {"type": "server", "timestamp": "2019-01-10T10:46:47,001+0100", "level": "INFO"},
    ]
    status, document, err = run("--logs", jsonl(tmp_path / "es.json", rows))
    assert status == 0, err
    assert document["window"]["start"] == "2019-01-10T09:46:46Z"  # was refused


def test_text_with_commas_is_not_csv_and_the_refusal_says_why(tmp_path):
    path = tmp_path / "notes.log"
    path.write_text("Error, cannot connect, retrying\nGiving up, after, 3 tries\n")
    status, _, err = run("--logs", path)
    assert status == 1
    assert "Traceback" not in err and "sniff" not in err.lower()
    assert "csv: line 1" in err and "not a header of field names" in err
    assert "jsonl: line 1 is not a JSON object" in err
    assert "--format" in err


def test_absurd_timestamps_are_bad_lines_that_do_not_stretch_the_window(tmp_path):
    good = [{"ts": f"2026-11-20T14:00:{i:02d}Z", "level": "info"} for i in range(10)]
    absurd = [
        {"ts": "10000-01-01T00:00:00Z", "level": "error"},
        {"ts": 2.5e20, "level": "error"},
        {"ts": "9999-12-31T23:59:59-01:00", "level": "error"},
    ]
    status, document, err = run(
        "--logs", jsonl(tmp_path / "x.jsonl", [*good[:5], *absurd, *good[5:]])
    )
    assert status == 0, err
    lines = document["lines"]
    assert (lines["total"], lines["bad_timestamp"]) == (13, 3)
    assert [e["line"] for e in lines["examples"]] == [6, 7, 8]
    assert all("out of range" in e["reason"] for e in lines["examples"])
    assert document["window"] == {"start": "2026-11-20T14:00:00Z", "end": "2026-11-20T14:00:09Z"}


def test_a_line_over_the_readers_limit_is_one_malformed_line(tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("w") as handle:
        for i in range(4):
            handle.write(json.dumps({"ts": f"2026-11-20T14:00:0{i}Z", "level": "error"}) + "\n")
        handle.write(json.dumps({"ts": "2026-11-20T14:00:05Z", "msg": "x" * (33 << 20)}) + "\n")
        handle.write(json.dumps({"ts": "2026-11-20T14:00:06Z", "level": "info"}) + "\n")
    status, document, err = run("--logs", path)
    assert status == 0, err
    lines = document["lines"]
    assert (lines["total"], lines["malformed"], lines["parsed"]) == (6, 1, 5)
    assert lines["examples"][0]["line"] == 5
    assert "over the reader's limit" in lines["examples"][0]["reason"]
    assert errors_of(document) == 4


def test_a_gzip_of_zeros(tmp_path):
    alone = tmp_path / "zeros.jsonl.gz"
    with gzip.open(alone, "wb") as handle:
        handle.write(b"\0" * (48 << 20))
    status, _, err = run("--logs", alone)
    assert status == 1 and "Traceback" not in err and "maximum_object_size" not in err
    assert "no usable log lines" in err
    inside = tmp_path / "mixed.jsonl.gz"
    with gzip.open(inside, "wb") as handle:
        handle.write(b'{"ts": "2026-11-20T14:00:00Z", "level": "error"}\n')
        handle.write(b"\0" * (48 << 20) + b"\n")
        handle.write(b'{"ts": "2026-11-20T14:00:01Z", "level": "info"}\n')
    status, document, err = run("--logs", inside)
    assert status == 0, err
    assert (document["lines"]["total"], document["lines"]["malformed"]) == (3, 1)
    assert document["lines"]["examples"][0]["line"] == 2


def test_an_undecodable_line_is_one_malformed_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(
        b'{"ts": "2026-11-20T14:00:00Z", "level": "error"}\n'
        b'{"ts": "2026-11-20T14:00:01Z", "level": "\xff\xfe"}\n'
        b'{"ts": "2026-11-20T14:00:02Z", "level": "info"}\n'
    )
    store = LogStore.open([path])
    try:
        assert (store.lines.total, store.lines.malformed, store.lines.used) == (3, 1, 2)
        assert (store.lines.examples[0].line, store.lines.examples[0].reason) == (
            2,
            "not UTF-8 text",
        )
    finally:
        store.close()


def test_logs_without_status_or_level_say_errors_cannot_be_told(tmp_path):
    rows = [{"ts": f"2026-11-20T14:00:0{i}Z", "msg": "something happened"} for i in range(3)]
    store = LogStore.open([jsonl(tmp_path / "x.jsonl", rows)])
    try:
        assert not store.errors_known
        assert NO_ERROR_FIELD in store.warnings
        assert "--map level=FIELD" in NO_ERROR_FIELD
        assert store.fields["status"] is None and store.fields["level"] is None
    finally:
        store.close()
    mapped = [
        {"ts": "2026-11-20T14:00:00Z", "sev": "err"},
        {"ts": "2026-11-20T14:00:01Z", "sev": "ok"},
    ]
    store = LogStore.open([jsonl(tmp_path / "y.jsonl", mapped)], {"level": "sev"})
    try:
        assert store.errors_known and store.fields["level"] == "sev"
        assert int(store.per_minute()["errors"].sum()) == 1
    finally:
        store.close()


def test_a_status_field_that_holds_no_http_status_is_named(tmp_path):
    rows = [
        {"ts": "2026-11-20T14:00:00Z", "status": "active", "level": "error"},
        {"ts": "2026-11-20T14:00:01Z", "status": "idle", "level": "info"},
    ]
    store = LogStore.open([jsonl(tmp_path / "x.jsonl", rows)])
    try:
        assert any("status field 'status'" in w for w in store.warnings)
        assert store.errors_known  # the level still tells
        assert int(store.per_minute()["errors"].sum()) == 1
    finally:
        store.close()


def test_python_basic_config_lines_are_refused_with_the_reason(tmp_path):
    path = tmp_path / "app.log"
    path.write_text("ERROR:root:boom\nINFO:app.db:connected\n")
    with pytest.raises(EvidenceError, match=r"writes no time.*asctime"):
        LogStore.open([path])


def test_year_warning_names_the_source(tmp_path):
    path = tmp_path / "messages"
    path.write_text("<11>Mar 12 10:00:00 h app: boom\n")
    store = LogStore.open([path], year=2024)
    try:
        assert store.extent()[0].isoformat() == "2024-03-12T10:00:00+00:00"
        assert any("--year" in w and "2024" in w for w in store.warnings)
    finally:
        store.close()
    store = LogStore.open([path])
    try:
        assert any("modification time" in w for w in store.warnings)
    finally:
        store.close()


def test_fields_and_warnings_survive_the_snapshot(tmp_path):
    path = tmp_path / "messages"
    path.write_text("Mar 12 10:00:00 h app: started\nMar 12 10:00:01 h app: stopped\n")
    store = LogStore.open([path], year=2025)
    try:
        store.snapshot(tmp_path / "snap")
        fields, warnings, known = store.fields, store.warnings, store.errors_known
    finally:
        store.close()
    again = LogStore.open_snapshot(tmp_path / "snap")
    try:
        assert (again.fields, again.warnings, again.errors_known) == (fields, warnings, known)
        assert known is False
    finally:
        again.close()


def test_year_option_of_analyze(tmp_path, capsys):
    path = tmp_path / "auth.log"
    path.write_text("<34>Oct 11 22:14:15 h su: 'su root' failed\n<13>Jan  2 00:00:00 h su: ok\n")
    status, document, err = run("--logs", path, "--year", "2023")
    assert status == 0, err
    assert document["window"] == {"start": "2023-10-11T22:14:15Z", "end": "2024-01-02T00:00:00Z"}
    assert document["fields"]["level"] == "pri"
    with pytest.raises(SystemExit):
        main(["analyze", "--logs", str(path), "--year", "1900"])
    assert "1971 to 2099" in capsys.readouterr().err


def test_logs_that_cannot_tell_errors_claim_no_error_figure(tmp_path):
    """No status and no level: no rate, no error count, no severity; a warning says why."""
    path = tmp_path / "plain.jsonl"
    path.write_text(
        "".join(
            f'{{"time": "2026-11-20T12:{m:02d}:00Z", "path": "/a", "msg": "hello {m}"}}\n'
            for m in range(30)
        )
    )
    document = log_formats.analyze_json(path)
    assert document["error_rate"] == {
        "overall": None,
        "since_onset": None,
        "peak": None,
        "peak_at": None,
    }
    assert [(e["endpoint"], e["requests"], e["errors"]) for e in document["endpoints"]] == [
        ("/a", 30, None)
    ]
    assert document["affected_tenants"] == [] and document["signatures"] == []
    assert document["severity_suggestion"]["level"] is None
    assert "cannot judge" in document["severity_suggestion"]["reasons"][0]
    assert document["trend"]["direction"] == "unknown"
    assert any("--map level=FIELD" in w for w in document["warnings"])
    assert document["fields"]["timestamp"] == "time"
    assert document["fields"]["status"] is None and document["fields"]["level"] is None
