"""The same analysis on Apache Spark (local mode, started here) as on DuckDB.

Ground-truth scenarios in JSON lines and logfmt: identical counts, onset, tenants, endpoints and
signatures; percentiles are exact on both engines; local times are read in the logs' zone and
malformed lines counted as DuckDB counts them. Only aggregates and bounded samples come back
to the driver. Needs Java and the ``spark`` extra; in CI both are there and these tests run.
"""

import json
import os
import subprocess
import sys
import uuid
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

import numpy as np
import pytest

from incident_nb.cli import main
from incident_nb.demo.scenario import Scenario
from incident_nb.evidence.request import AnalyzeRequest
from incident_nb.sources import logsql
from incident_nb.sources.logs.engines import parse_engine
from tests import log_formats
from tests.conftest import need
from tests.spark_servers import QUICK_JVM, spark_ready

SCENARIO = Scenario(lines=20_000)
SAME = [
    *log_formats.ANALYSIS_KEYS,
    "lines",
    "signatures",
    "sample_failing_request_ids",
]


@pytest.fixture(scope="module")
def spark():
    need(spark_ready(), "pyspark (pip install 'incident-nb[spark]') and Java 17 are needed")
    from incident_nb.sources.logs.spark_session import spark_session

    with pytest.MonkeyPatch.context() as env:
        # The driver JVM is started once, for a minute of small queries: skip the C2 compiler.
        env.setenv("PYSPARK_SUBMIT_ARGS", f'--driver-java-options "{QUICK_JVM}" pyspark-shell')
        session = spark_session(parse_engine("spark"))
    yield session
    session.stop()


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return log_formats.scenario_files(SCENARIO, tmp_path_factory.mktemp("spark"))


@pytest.mark.parametrize("fmt", ["jsonl", "logfmt"])
def test_spark_gives_the_duckdb_answers(spark, logs, fmt):
    request = AnalyzeRequest(logs=(logs[fmt],))
    on_duckdb = log_formats.analysis_document(request)
    on_spark = log_formats.analysis_document(AnalyzeRequest(logs=(logs[fmt],), engine="spark"))
    for key in SAME:
        assert on_spark[key] == on_duckdb[key], key
    assert on_duckdb["onset"] is not None
    assert {t["tenant"] for t in on_spark["affected_tenants"]} == set(SCENARIO.affected_tenants)


def test_local_times_and_malformed_lines_as_on_duckdb(spark, logs):
    zone = "America/New_York"
    path = log_formats.write_local_damaged(
        logs["events"].iloc[::5], logs["folder"] / "local-damaged.jsonl", zone
    )
    on_duckdb = log_formats.analysis_document(AnalyzeRequest(logs=(path,), tz=zone))
    on_spark = log_formats.analysis_document(AnalyzeRequest(logs=(path,), tz=zone, engine="spark"))
    assert on_spark["window"]["start"] == "2026-11-20T12:00:00Z"  # 07:00 in New York
    for key in log_formats.ANALYSIS_KEYS:
        assert on_spark[key] == on_duckdb[key], key
    counts = ["total", "parsed", "malformed", "bad_timestamp"]
    assert [on_spark["lines"][k] for k in counts] == [on_duckdb["lines"][k] for k in counts]
    assert on_spark["lines"]["malformed"] == 2 and on_spark["lines"]["bad_timestamp"] == 1
    files = {e["path"].rsplit("/", 1)[-1] for e in on_spark["lines"]["examples"]}
    assert files == {path.name}


def test_paths_with_ids_read_as_the_same_routes_as_on_duckdb(spark, logs):
    # Each request names its resource: a number, or a UUID in a whole URL with a query.
    events = logs["events"].iloc[::4].reset_index(drop=True)
    events["endpoint"] = [
        f"{e}/{i}" if i % 2 else f"https://api.example.com{e}/{uuid.UUID(int=i)}?page=2"
        for i, e in enumerate(events["endpoint"])
    ]
    path = log_formats.write_jsonl(events, logs["folder"] / "ids.jsonl")
    on_duckdb = log_formats.analysis_document(AnalyzeRequest(logs=(path,)))
    on_spark = log_formats.analysis_document(AnalyzeRequest(logs=(path,), engine="spark"))
    for key in log_formats.ANALYSIS_KEYS:
        assert on_spark[key] == on_duckdb[key], key
    failing = on_spark["endpoints"][0]["endpoint"]
    assert failing == SCENARIO.failing_endpoint + "/{id}"


def test_seconds_dashed_tenants_and_request_lines_as_on_duckdb(spark, logs):
    events = logs["events"].iloc[::4].reset_index(drop=True)
    events["duration_seconds"] = events.pop("latency_ms") / 1000
    events.loc[events.index % 9 == 0, "tenant_id"] = "-"
    lines = events.index % 5 == 0
    events.loc[lines, "endpoint"] = "GET " + events.loc[lines, "endpoint"] + "?page=2 HTTP/1.1"
    path = log_formats.write_jsonl(events, logs["folder"] / "seconds.jsonl")
    on_duckdb = log_formats.analysis_document(AnalyzeRequest(logs=(path,)))
    on_spark = log_formats.analysis_document(AnalyzeRequest(logs=(path,), engine="spark"))
    for key in log_formats.ANALYSIS_KEYS:
        assert on_spark[key] == on_duckdb[key], key
    assert on_spark["fields"]["latency"] == "duration_seconds"
    assert on_spark["endpoints"][0]["p50_ms"] > 1  # milliseconds, not seconds
    assert "-" not in {t["tenant"] for t in on_spark["affected_tenants"]}
    assert f"GET {SCENARIO.failing_endpoint}" in {e["endpoint"] for e in on_spark["endpoints"]}


def test_failures_told_by_outcome_fields_as_on_duckdb(spark, logs):
    # No status and no level: ECS's event.outcome on some lines, a gRPC status on the others;
    # the analysis of the same requests with their statuses, on both engines.
    events = logs["events"].iloc[::4].reset_index(drop=True)
    plain = log_formats.write_jsonl(events, logs["folder"] / "statuses.jsonl")
    with_statuses = log_formats.analysis_document(AnalyzeRequest(logs=(plain,)))
    failed = events.pop("status") >= 500
    events = events.drop(columns=["level"])
    half = events.index % 2 == 0
    events["event.outcome"] = failed.map({True: "failure", False: "success"}).where(half)
    events["grpc.code"] = failed.map({True: "UNAVAILABLE", False: "OK"}).where(~half)
    path = log_formats.write_jsonl(events, logs["folder"] / "outcomes.jsonl")
    on_duckdb = log_formats.analysis_document(AnalyzeRequest(logs=(path,)))
    on_spark = log_formats.analysis_document(AnalyzeRequest(logs=(path,), engine="spark"))
    for key in log_formats.ANALYSIS_KEYS:
        assert on_spark[key] == on_duckdb[key] == with_statuses[key], key
    assert on_spark["onset"] is not None
    assert on_spark["fields"]["outcome"] == on_duckdb["fields"]["outcome"] is not None
    # A field by an outcome's name that holds a message is none, on both engines.
    events = events.drop(columns=["event.outcome", "grpc.code"]).assign(error="timed out")
    path = log_formats.write_jsonl(events, logs["folder"] / "messages.jsonl")
    on_spark = log_formats.analysis_document(AnalyzeRequest(logs=(path,), engine="spark"))
    assert on_spark["fields"]["outcome"] is None


def test_the_cells_of_a_window_in_parts_as_on_duckdb(spark, logs):
    # A ramp's units are judged part by part of its window: the cuts split it on both engines.
    from incident_nb.sources.logs import LogStore
    from incident_nb.sources.logs.spark import open_spark

    duckdb_store = LogStore.open([logs["jsonl"]])
    spark_store = open_spark([logs["jsonl"]], parse_engine("spark"))
    first, last = duckdb_store.extent()
    step = (last - first) / 6
    start, stop = first + 2 * step, first + 4 * step
    aside, cuts = [(start + step / 2).replace(second=0, microsecond=0)], [start + step]
    keys = ["endpoint", "tenant", "inside", "part"]
    frames = [
        s.cell_windows(start, stop, aside, cuts)
        .assign(inside=lambda f: f["inside"].map({True: "in", False: "out"}).fillna("aside"))
        .sort_values(keys, ignore_index=True)
        for s in (duckdb_store, spark_store)
    ]
    duckdb_store.close()
    assert set(frames[0]["part"]) == {0, 1}
    for column in ["requests", "errors", "timed"]:
        assert frames[1][column].astype(int).tolist() == frames[0][column].astype(int).tolist()
    assert frames[1][keys].astype(str).equals(frames[0][keys].astype(str))


def test_a_scope_s_minutes_per_endpoint_as_on_duckdb(spark, logs):
    # A group of several endpoints is placed on its latency with their mix held: the scope's
    # minutes come per endpoint on both engines.
    from incident_nb.sources.logs import LogStore
    from incident_nb.sources.logs.spark import open_spark

    duckdb_store = LogStore.open([logs["jsonl"]])
    spark_store = open_spark([logs["jsonl"]], parse_engine("spark"))
    keys = ["minute", "endpoint"]
    frames = [
        s.scope_minutes({"endpoint": None}, by="endpoint").sort_values(keys, ignore_index=True)
        for s in (duckdb_store, spark_store)
    ]
    duckdb_store.close()
    assert frames[0]["endpoint"].nunique() > 1
    for column in ["requests", "errors", "timed"]:
        assert frames[1][column].astype(int).tolist() == frames[0][column].astype(int).tolist()
    assert frames[1][keys].astype(str).equals(frames[0][keys].astype(str))
    for column in ["log_latency", "log_latency_sq"]:
        assert np.allclose(frames[1][column].astype(float), frames[0][column].astype(float))


def test_only_aggregates_come_back_when_the_input_grows_tenfold(spark, logs):
    from incident_nb.evidence.logs import analyze_store
    from incident_nb.sources.logs.spark import open_spark

    events = logs["events"]
    # Ten times the lines over the same hour: every event ten times, one second apart.
    grown = log_formats.write_jsonl(
        events.loc[events.index.repeat(10)], logs["folder"] / "grown.jsonl"
    )
    collected = []
    for path in (logs["jsonl"], grown):
        store = open_spark([path], parse_engine("spark"))
        try:
            analyze_store(store)
            collected.append(store.rows_collected)
        finally:
            store.close()
    small, large = collected
    # Per-minute and per-key results do not grow with the lines (stronger evidence may take
    # the onset search down another path: a few rows either way); messages are capped.
    assert large <= small * 1.05
    assert large < 200 + logsql.MESSAGE_ROWS


def test_a_running_driver_is_not_silently_reused_for_another_master(spark, logs, capsys):
    args = ["analyze", "--logs", str(logs["jsonl"]), "--engine", "spark://127.0.0.1:7077"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "already runs a Spark driver on local[2]" in err and "new process" in err


def test_spark_sql_is_rendered_from_the_one_source():
    sql = logsql.render(logsql.PER_MINUTE, "spark")
    assert "PERCENTILE(latency_ms, ARRAY(0.5, 0.95, 0.99)) AS q" in sql
    # DuckDB lists count from 1, Spark arrays from 0.
    assert "q[0] AS p50_ms, q[1] AS p95_ms, q[2] AS p99_ms" in sql
    assert "TIMESTAMP_MICROS(UNIX_MICROS(ts) DIV 60000000 * 60000000) AS minute" in sql
    assert logsql.render(logsql.PER_MINUTE, "duckdb") == logsql.PER_MINUTE
    assert ":since" in logsql.render(logsql.ENDPOINT_LATENCY, "spark")


def test_cli_engine_spark_json(spark, logs):
    out = StringIO()
    with redirect_stdout(out):
        assert main(["analyze", "--logs", str(logs["jsonl"]), "--engine", "spark", "--json"]) == 0
    summary = json.loads(out.getvalue())
    assert summary["endpoints"][0]["endpoint"] == SCENARIO.failing_endpoint


def run_cli(args, env=None, prelude=""):
    code = f"{prelude}import sys; from incident_nb.cli import main; sys.exit(main({args!r}))"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )


def test_missing_pyspark_names_the_install_line(logs):
    done = run_cli(
        ["analyze", "--logs", str(logs["jsonl"]), "--engine", "spark"],
        prelude="import sys; sys.modules['pyspark'] = None; ",
    )
    assert done.returncode == 1
    assert "pip install 'incident-nb[spark]'" in done.stderr


def test_missing_java_is_named(logs):
    need(spark_ready(), "pyspark is needed to get as far as Java")
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)  # no java here
    done = run_cli(["analyze", "--logs", str(logs["jsonl"]), "--engine", "spark"], env=env)
    assert done.returncode == 1
    assert "needs Java 17 or newer" in done.stderr


def test_unknown_engine_is_refused_before_any_work(logs, capsys):
    assert main(["analyze", "--logs", str(logs["jsonl"]), "--engine", "oracle"]) == 1
    assert "unknown engine 'oracle'" in capsys.readouterr().err


def test_an_investigation_on_spark(spark, logs, tmp_path):
    from incident_nb.alerts import alert_from_fields
    from incident_nb.core.folder import EVIDENCE_DIR
    from incident_nb.incidents import create_incident
    from incident_nb.notebook.params import NotebookParams
    from incident_nb.notebook.session import Investigation

    alert = alert_from_fields("Checkout errors", "checkout", "2026-11-20T13:05:00Z")
    folder = create_incident(alert, tmp_path, logs=[logs["logfmt"]], engine="spark")
    params = NotebookParams(incident_dir=str(folder), logs=[str(logs["logfmt"])], engine="spark")
    on_spark = Investigation.open(params)
    assert on_spark.evidence is not None, on_spark.evidence_problem
    assert "queried by Spark" in on_spark.line_report()
    assert not (folder / EVIDENCE_DIR).exists()
    local = Investigation.open(NotebookParams(incident_dir=str(folder), logs=[str(logs["logfmt"])]))
    assert on_spark.summary().to_json() == local.summary().to_json()


def test_s3_without_a_filesystem_for_it_points_to_s3a(spark, capsys):
    args = ["analyze", "--logs", "s3://incident-logs/service.jsonl", "--engine", "spark"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "this Spark has no filesystem for s3://" in err
    assert "Spark reads S3 as s3a://bucket/key" in err and "--engine duckdb" in err
    assert "Traceback" not in err and "Py4J" not in err
