"""Failures told by an outcome field where a log has no HTTP status: words, flags, gRPC codes.

The demo incident's requests, their 5xx written instead as ECS's ``event.outcome``, a
``success`` flag, an ``error`` flag or a gRPC status (by name or by number), give the very
analysis of the log with statuses. An HTTP status decides before an outcome, an outcome before
a level; a field by an outcome's name that holds something else (an ``error`` message) is no
outcome at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from incident_nb.demo.scenario import Scenario
from incident_nb.evidence.request import AnalyzeRequest
from incident_nb.sources.logs import LogStore
from incident_nb.sources.logs.fieldreport import NO_ERROR_FIELD
from incident_nb.sources.logs.outcomes import READINGS, kind_of, outcome_sql
from tests import log_formats

SCENARIO = Scenario(lines=20_000)


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return log_formats.scenario_files(SCENARIO, tmp_path_factory.mktemp("outcomes"))


def failed(events: pd.DataFrame) -> pd.Series:
    return events["status"] >= 500


def _grpc_name(events: pd.DataFrame) -> pd.Series:
    # The service's own failures as Unavailable or DEADLINE_EXCEEDED, the caller's as NotFound.
    status = events["status"]
    names = pd.Series("OK", index=events.index)
    names[status >= 400] = "NotFound"
    names[status >= 500] = "Unavailable"
    names[(status >= 500) & (events.index % 3 == 0)] = "DEADLINE_EXCEEDED"
    return names


def _grpc_number(events: pd.DataFrame) -> pd.Series:
    return _grpc_name(events).map(
        {"OK": 0, "NotFound": 5, "Unavailable": 14, "DEADLINE_EXCEEDED": 4}
    )


OUTCOMES: dict[str, tuple[str, Callable[[pd.DataFrame], pd.Series]]] = {
    "ECS event.outcome": (
        "event.outcome",
        lambda e: failed(e).map({True: "failure", False: "success"}),
    ),
    "a success flag": ("success", lambda e: ~failed(e)),
    "an error flag": ("error", failed),
    "an is_error flag as text": (
        "is_error",
        lambda e: failed(e).map({True: "true", False: "false"}),
    ),
    "a gRPC status name": ("grpc.code", _grpc_name),
    "a gRPC status number": ("rpc.grpc.status_code", _grpc_number),
    "a status of words": ("status", lambda e: failed(e).map({True: "error", False: "ok"})),
}


@contextmanager
def opened(folder: Path, lines: list[str], **options: Any) -> Iterator[tuple[list[Any], LogStore]]:
    """The store of a log of ``lines``, and whether each of its events failed (None: unknown)."""
    path = folder / "service.jsonl"
    path.write_text("\n".join(lines) + "\n")
    store = LogStore.open([path], **options)
    try:
        rows = store._con.execute("SELECT is_error FROM events ORDER BY ts").fetchall()
        yield [r[0] for r in rows], store
    finally:
        store.close()


@pytest.fixture(scope="module")
def with_statuses(logs):
    return log_formats.analysis_document(AnalyzeRequest(logs=(logs["jsonl"],)))


@pytest.mark.parametrize("name", OUTCOMES)
def test_an_outcome_field_tells_the_failures_a_status_would(logs, with_statuses, name):
    field, outcome = OUTCOMES[name]
    events = logs["events"]
    told = events.drop(columns=["status", "level"]).assign(**{field: outcome(events)})
    path = log_formats.write_jsonl(told, logs["folder"] / f"{field}.jsonl")
    document = log_formats.analysis_document(AnalyzeRequest(logs=(path,)))
    assert document["fields"]["outcome"] == field
    assert document["fields"]["status"] is None
    for key in log_formats.ANALYSIS_KEYS:
        assert document[key] == with_statuses[key], key
    assert document["onset"] is not None
    assert not any("no status, outcome or level" in w for w in document["warnings"])


def test_a_status_decides_first_then_the_outcome_then_the_level(tmp_path):
    lines = [
        '{"ts": "2026-11-20T12:00:00Z", "status": 404, "outcome": "failure", "level": "error"}',
        '{"ts": "2026-11-20T12:00:01Z", "status": 503, "outcome": "success"}',
        '{"ts": "2026-11-20T12:00:02Z", "outcome": "success", "level": "error"}',
        '{"ts": "2026-11-20T12:00:03Z", "outcome": "failure", "level": "info"}',
        '{"ts": "2026-11-20T12:00:04Z", "outcome": "unknown", "level": "error"}',
        '{"ts": "2026-11-20T12:00:05Z", "outcome": "unknown"}',
    ]
    with opened(tmp_path, lines) as (failed, store):
        assert failed == [False, True, False, True, True, None]
        assert store.fields["outcome"] == "outcome"
        assert "1 of 6 events have no status, outcome or level" in " ".join(store.warnings)


def test_an_error_field_holding_messages_is_no_outcome(tmp_path):
    # zap and logrus write the error's text under "error": the level tells the failures.
    lines = [
        '{"ts": "2026-11-20T12:00:00Z", "level": "info", "msg": "served"}',
        '{"ts": "2026-11-20T12:00:01Z", "level": "error", "error": "dial tcp: i/o timeout"}',
        '{"ts": "2026-11-20T12:00:02Z", "level": "warn", "error": "retrying"}',
    ]
    with opened(tmp_path, lines) as (failed, store):
        assert failed == [False, True, False]
        assert store.fields["outcome"] is None  # found by its name, but no value read
        assert store.fields["level"] == "level"
        assert not any("outcome" in w for w in store.warnings)


def test_a_log_without_any_outcome_says_errors_cannot_be_told(tmp_path):
    line = '{"ts": "2026-11-20T12:00:00Z", "endpoint": "/a", "error": "oops"}'
    with opened(tmp_path, [line]) as (failed, store):
        assert failed == [None]
        assert not store.errors_known
        assert NO_ERROR_FIELD in store.warnings
        assert "--map outcome=FIELD" in NO_ERROR_FIELD


def test_a_status_of_level_words_reads_as_its_level(tmp_path):
    # Some logs name the level "status": errors and worse failed, the rest did not.
    words = ["info", "error", "WARN", "critical", "debug", "Error", "pending"]
    lines = [f'{{"ts": "2026-11-20T12:00:0{i}Z", "status": "{w}"}}' for i, w in enumerate(words)]
    with opened(tmp_path, lines) as (failed, store):
        assert failed == [False, True, False, True, False, True, None]
        assert store.fields["outcome"] == "status" and store.fields["status"] is None
        assert not any("HTTP status" in w for w in store.warnings)


def test_a_status_of_http_codes_is_read_as_one_and_no_outcome(tmp_path):
    lines = [
        '{"ts": "2026-11-20T12:00:00Z", "status": 200}',
        '{"ts": "2026-11-20T12:00:01Z", "status": "503"}',
        '{"ts": "2026-11-20T12:00:02Z", "status": 404}',
    ]
    with opened(tmp_path, lines) as (failed, store):
        assert failed == [False, True, False]
        assert store.fields["status"] == "status" and store.fields["outcome"] is None
        assert not store.warnings


def test_a_status_of_other_words_is_still_named_in_a_warning(tmp_path):
    lines = [f'{{"ts": "2026-11-20T12:00:0{i}Z", "status": "shipped"}}' for i in range(3)]
    with opened(tmp_path, lines) as (failed, store):
        assert failed == [None, None, None]
        assert not store.errors_known
        assert any("'status' was found, but none of its values" in w for w in store.warnings)


def test_a_code_of_http_statuses_is_the_status_and_one_of_error_codes_is_left_out(tmp_path):
    statuses = [
        '{"ts": "2026-11-20T12:00:00Z", "attributes": {"code": 200}}',
        '{"ts": "2026-11-20T12:00:01Z", "attributes": {"code": 503}}',
    ]
    with opened(tmp_path, statuses) as (failed, store):
        assert failed == [False, True]
        assert store.fields["status"] == "attributes.code"
    codes = [
        '{"ts": "2026-11-20T12:00:00Z", "code": "E1234", "level": "info"}',
        '{"ts": "2026-11-20T12:00:01Z", "code": "E2001", "level": "error"}',
    ]
    with opened(tmp_path, codes) as (failed, store):
        assert failed == [False, True]
        assert store.fields["status"] is None
        assert not store.warnings  # an error's code is no status field gone unread


def test_map_names_an_outcome_field_of_any_name(tmp_path):
    lines = [
        '{"ts": "2026-11-20T12:00:00Z", "job_failed": false}',
        '{"ts": "2026-11-20T12:00:01Z", "job_failed": true}',
        '{"ts": "2026-11-20T12:00:02Z", "job_failed": "FAILURE"}',
    ]
    with opened(tmp_path, lines, mapping={"outcome": "job_failed"}) as (failed, store):
        assert failed == [False, True, True]
        assert store.fields["outcome"] == "job_failed"


@pytest.mark.parametrize("kind", READINGS)
def test_every_value_of_a_reading_reads_as_its_table_says(kind):
    failing, passing = READINGS[kind]
    assert not failing & passing
    con = duckdb.connect()
    values = [(v, True) for v in failing] + [(v, False) for v in passing]
    values += [("dial tcp: i/o timeout", None), ("", None)]
    con.execute("CREATE TABLE t (v VARCHAR, want BOOLEAN)")
    con.executemany("INSERT INTO t VALUES (?, ?)", values)
    # Spelled as logs spell them: upper case, camel case, padded.
    upper, padded = outcome_sql("upper(v)", kind), outcome_sql("' ' || v || ' '", kind)
    rows = con.execute(f"SELECT v, want, {upper}, {padded} FROM t").fetchall()
    for value, want, upper, padded in rows:
        assert upper is want, value
        assert padded is want, value


def test_a_field_s_reading_by_its_name_under_any_container():
    assert kind_of("event.outcome") == "word"
    assert kind_of("attributes.rpc.grpc.status_code") == "grpc"
    assert kind_of("Success") == "success flag"
    assert kind_of("job_failed") == "failed flag"  # named with --map: true is a failure


@pytest.mark.parametrize("kind", READINGS)
def test_booleans_and_numbers_read_as_their_text_does(kind):
    # Typed values are read without turning them into text: the same verdicts.
    con = duckdb.connect()
    typed, text = outcome_sql("b", kind, "BOOLEAN"), outcome_sql("CAST(b AS VARCHAR)", kind)
    rows = con.execute(f"SELECT {typed}, {text} FROM (VALUES (true), (false), (NULL)) t(b)")
    assert all(a is b for a, b in rows.fetchall())
    typed, text = outcome_sql("n", kind, "BIGINT"), outcome_sql("CAST(n AS VARCHAR)", kind)
    rows = con.execute(f"SELECT n, {typed}, {text} FROM range(-1, 20) t(n)").fetchall()
    for n, a, b in rows:
        assert a is b, n
