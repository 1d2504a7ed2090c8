"""The same analysis through Spark Connect (a server started here) as on DuckDB.

One Spark Connect server for the session, started from pyspark's own jars on 127.0.0.1 and a
free port; every analysis opens its own session on it with ``--engine sc://127.0.0.1:PORT``.
Ground-truth scenarios in JSON lines and logfmt give identical counts, onset, tenants,
endpoints, percentiles and signatures; local times are read in the logs' zone; malformed lines
are counted as DuckDB counts them; only aggregates and bounded samples come back, and nothing
stays cached on the server. A server that does not answer is named, after a bounded wait. Needs
Java and the ``spark`` extra; in CI both are there and these tests run.
"""

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO

import pytest

from incident_nb.cli import main
from incident_nb.demo.scenario import Scenario
from incident_nb.evidence.logs import analyze_store
from incident_nb.evidence.request import AnalyzeRequest
from incident_nb.sources import logsql
from incident_nb.sources.logs import spark_session as sessions
from incident_nb.sources.logs.engines import parse_engine
from tests import log_formats
from tests.conftest import need
from tests.spark_servers import ConnectServer, connect_client_ready, free_port, spark_ready

SCENARIO = Scenario(lines=20_000)
SAME = [*log_formats.ANALYSIS_KEYS, "lines", "signatures", "sample_failing_request_ids"]


@pytest.fixture(scope="session")
def connect_server(tmp_path_factory):
    """A Spark Connect server, up for the whole session."""
    need(spark_ready(), "pyspark (pip install 'incident-nb[spark]') and Java 17 are needed")
    need(connect_client_ready(), "the Spark Connect client (pip install 'incident-nb[spark]')")
    server = ConnectServer(tmp_path_factory.mktemp("spark-connect"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def connect(connect_server):
    """The server's address; this process is left able to run a Spark driver afterwards."""
    yield connect_server.url
    # pyspark marks a process that opened a Connect session as a Connect client for good (an
    # environment variable); unmark it so the tests after these may start a driver again.
    os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    return log_formats.scenario_files(SCENARIO, tmp_path_factory.mktemp("connect-logs"))


def analyze_json(*args):
    out, err = StringIO(), StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["analyze", *args, "--json"])
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue()), err.getvalue()


@pytest.mark.parametrize("fmt", ["jsonl", "logfmt"])
def test_connect_gives_the_duckdb_answers(connect, logs, fmt):
    on_duckdb, _ = analyze_json("--logs", str(logs[fmt]))
    on_connect, progress = analyze_json("--logs", str(logs[fmt]), "--engine", connect)
    for key in SAME:
        assert on_connect[key] == on_duckdb[key], key
    assert on_duckdb["onset"] is not None
    assert {t["tenant"] for t in on_connect["affected_tenants"]} == set(SCENARIO.affected_tenants)
    assert on_connect["endpoints"][0]["endpoint"] == SCENARIO.failing_endpoint
    assert f"with Spark ({connect})" in progress


def test_local_times_and_malformed_lines_as_on_duckdb(connect, logs):
    zone = "America/New_York"
    path = log_formats.write_local_damaged(
        logs["events"].iloc[::5],  # the same hours, fewer lines
        logs["folder"] / "local-damaged.jsonl",
        zone,
    )
    on_duckdb = log_formats.analysis_document(AnalyzeRequest(logs=(path,), tz=zone))
    on_connect = log_formats.analysis_document(
        AnalyzeRequest(logs=(path,), tz=zone, engine=connect)
    )
    assert on_connect["window"]["start"] == "2026-11-20T12:00:00Z"  # 07:00 in New York
    for key in log_formats.ANALYSIS_KEYS:
        assert on_connect[key] == on_duckdb[key], key
    counts = ["total", "parsed", "malformed", "bad_timestamp"]
    assert [on_connect["lines"][k] for k in counts] == [on_duckdb["lines"][k] for k in counts]
    assert on_connect["lines"]["malformed"] == 2 and on_connect["lines"]["bad_timestamp"] == 1
    files = {e["path"].rsplit("/", 1)[-1] for e in on_connect["lines"]["examples"]}
    assert files == {path.name}


def test_only_aggregates_come_back_and_nothing_stays_cached(connect_server, connect, logs):
    from incident_nb.sources.logs.spark import open_spark

    events = logs["events"]
    # Ten times the lines over the same hour: every event ten times, one second apart.
    grown = log_formats.write_jsonl(
        events.loc[events.index.repeat(10)], logs["folder"] / "grown.jsonl"
    )
    store = open_spark([grown], parse_engine(connect))
    try:
        start, end = store.extent()
        store.restrict(start, end)
        analyze_store(store)
        assert len(connect_server.cached()) == 3  # the parse, the events, the window
    finally:
        store.close()
    assert wait_for(lambda: connect_server.cached() == []), connect_server.cached()
    # Per-minute and per-key results (the onset search's endpoint x tenant cells the most of
    # them, bounded by spans of minutes), whatever the lines; messages are capped.
    assert store.lines.total == 10 * len(events)
    assert store.rows_collected < 200 + logsql.MESSAGE_ROWS
    assert store.rows_collected < store.lines.total / 10


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_a_connect_client_process_refuses_a_local_driver(connect, logs, capsys):
    sessions.spark_session(parse_engine(connect)).stop()
    assert main(["analyze", "--logs", str(logs["jsonl"]), "--engine", "spark"]) == 1
    err = capsys.readouterr().err
    assert "already uses Spark Connect" in err and "new process" in err


def silent_listener():
    """A TCP port that accepts connections and never answers (not a Connect server)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    return sock


@pytest.mark.parametrize("kind", ["nothing listening", "not a Connect server"])
def test_an_unanswering_server_is_named_after_a_bounded_wait(logs, monkeypatch, capsys, kind):
    need(connect_client_ready(), "the Spark Connect client (pip install 'incident-nb[spark]')")
    listener = silent_listener() if kind == "not a Connect server" else None
    port = listener.getsockname()[1] if listener else free_port()
    monkeypatch.setattr(sessions, "CONNECT_WAIT", 2.0)
    began = time.monotonic()
    try:
        code = main(["analyze", "--logs", str(logs["jsonl"]), "--engine", f"sc://127.0.0.1:{port}"])
    finally:
        if listener:
            listener.close()
    assert time.monotonic() - began < 15
    assert code == 1
    err = capsys.readouterr().err
    assert f"no Spark Connect server answered at 127.0.0.1:{port}" in err
    assert "start-connect-server.sh" in err and "within 2 s" in err
    assert "Traceback" not in err and "grpc" not in err.lower()


@pytest.mark.parametrize("params", ["token=s3cret;use_ssl=true", "token=s3cret;broken"])
def test_a_connect_token_is_not_shown(logs, monkeypatch, capsys, params):
    need(connect_client_ready(), "the Spark Connect client (pip install 'incident-nb[spark]')")
    monkeypatch.setattr(sessions, "CONNECT_WAIT", 0.5)
    url = f"sc://127.0.0.1:{free_port()}/;{params}"
    assert main(["analyze", "--logs", str(logs["jsonl"]), "--engine", url]) == 1
    err = capsys.readouterr().err
    assert "s3cret" not in err and "sc://127.0.0.1:" in err
    assert ("not a Spark Connect address" in err) == params.endswith("broken")


def test_a_missing_connect_client_names_the_install_line(logs):
    code = (
        "import sys; sys.modules['grpc'] = None; from incident_nb.cli import main; "
        f"sys.exit(main(['analyze', '--logs', {str(logs['jsonl'])!r}, '--engine', "
        "'sc://127.0.0.1:15002']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 1
    assert "needs the Spark Connect client" in done.stderr
    assert "pip install 'incident-nb[spark]'" in done.stderr
