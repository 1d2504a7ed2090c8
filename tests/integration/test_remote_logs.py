"""Logs read where they are: over HTTP(S) from a local server, and from S3 (a moto server).

Both servers are real and started here on 127.0.0.1. The same ground-truth scenario, written in
each format, gives the same analysis read remotely as read from the local file; a missing URL,
object or bucket, a refused request, an unreachable host and an untrusted certificate each give
an error naming the URI and the problem; and the remote extra, when missing, is named with its
install line.
"""

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
from contextlib import redirect_stdout
from io import StringIO

import pytest

from incident_nb.alerts import alert_from_fields
from incident_nb.cli import main
from incident_nb.core.folder import EVIDENCE_DIR
from incident_nb.demo.scenario import Scenario, generate_logs
from incident_nb.incidents import create_incident
from incident_nb.notebook.session import Investigation
from incident_nb.sources.logs.formats import detect_format
from tests import log_formats
from tests.conftest import need
from tests.file_server import FileServer, tls_files
from tests.functional.test_evidence_snapshot import injected_params
from tests.functional.test_formats import rounded

SCENARIO = Scenario(lines=12_000)
SAME = [*log_formats.ANALYSIS_KEYS, "lines", "signatures"]
INSTALL = "pip install 'incident-nb[remote]'"
BAD_LINES = (
    '{"ts": "2026-11-20T12:00:00Z", "status": 200, "message": "ok"}\n'
    '{"ts": "2026-11-20T12:00:01Z", "status": 500, "message": "boom"}\n'
    '{"ts": "2026-11-20T12:00:02Z", "status": 200, "mess\n'
    "\n"
    '{"ts": "yesterday", "status": 200, "message": "ok"}\n'
    '{"ts": "2026-11-20T12:00:04Z", "status": 503, "message": "timeout"}\n'
)


def remote_ready():
    try:
        import aiohttp  # noqa: F401
        import fsspec  # noqa: F401
        import moto  # noqa: F401
        import s3fs  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module", autouse=True)
def _extra():
    need(remote_ready(), f"the remote extra and moto[server] are needed ({INSTALL})")


def write_gz(plain, packed):
    import gzip

    with plain.open("rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return packed


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The scenario in every format, plus a file with malformed lines."""
    base = tmp_path_factory.mktemp("served")
    events = log_formats.load(generate_logs(SCENARIO, tmp_path_factory.mktemp("raw") / "r.jsonl"))
    jsonl = log_formats.write_jsonl(events, base / "service.jsonl")
    write_gz(jsonl, base / "service.jsonl.gz")
    log_formats.write_logfmt(events, base / "service.logfmt")
    log_formats.write_parquet(events, base / "service.parquet")
    write_gz(log_formats.write_delimited(events, base / "csv.tmp"), base / "service.csv.gz")
    log_formats.write_otlp(events, base / "service.json")
    (base / "bad.jsonl").write_text(BAD_LINES)
    (base / "bad.csv").write_text(
        "ts,status,message\n2026-11-20T12:00:00Z,200,ok\n2026-11-20T12:00:01Z,500\n"
        "yesterday,200,ok\n2026-11-20T12:00:03Z,503,timeout\n"
    )
    (base / "bad.logfmt").write_text(
        "ts=2026-11-20T12:00:00Z status=200\nnot logfmt at all\n\n"
        "ts=yesterday status=200\nts=2026-11-20T12:00:04Z status=503 msg=timeout\n"
    )
    return base


@pytest.fixture(scope="module")
def http(folder):
    server = FileServer(folder)
    yield server
    server.close()


analyze = log_formats.analyze_json


def failure(capsys, *args):
    capsys.readouterr()
    assert main(["analyze", "--logs", *map(str, args), "--json"]) == 1
    return capsys.readouterr().err


@pytest.fixture(scope="module")
def truth(folder):
    return analyze(folder / "service.jsonl")


def same(summary, expected):
    for key in SAME:
        assert summary[key] == expected[key], key


@pytest.mark.parametrize(
    "name",
    [
        "service.jsonl",
        "service.jsonl.gz",
        "service.logfmt",
        "service.parquet",
        "service.csv.gz",
        "service.json",
    ],
)
def test_http_gives_the_local_analysis(http, folder, truth, name):
    url = f"{http.url}/{name}"
    assert detect_format(url) == detect_format(folder / name)
    remote = analyze(url)
    same(remote, analyze(folder / name))
    # Every format is the same incident: the ground truth's analysis, line for line.
    assert remote["lines"] == truth["lines"]
    for key in log_formats.ANALYSIS_KEYS:
        assert rounded(remote[key]) == rounded(truth[key]), key


@pytest.mark.parametrize(
    ("name", "numbers"), [("bad.jsonl", [3, 5]), ("bad.csv", [3, 4]), ("bad.logfmt", [2, 4])]
)
def test_malformed_lines_keep_their_line_numbers(http, folder, name, numbers):
    local = analyze(folder / name)
    remote = analyze(f"{http.url}/{name}")
    assert remote["lines"] == {
        **local["lines"],
        "examples": [{**e, "path": f"{http.url}/{name}"} for e in local["lines"]["examples"]],
    }
    assert remote["lines"]["malformed"] == remote["lines"]["bad_timestamp"] == 1
    assert [e["line"] for e in remote["lines"]["examples"]] == numbers


def test_a_presigned_url_keeps_its_signature_out_of_the_output(http, capsys):
    secret = "X-Amz-Signature=0123456789abcdef"
    summary = analyze(f"{http.url}/bad.jsonl?{secret}")
    assert summary["lines"]["malformed"] == 1
    assert {e["path"] for e in summary["lines"]["examples"]} == {f"{http.url}/bad.jsonl?…"}
    err = failure(capsys, f"{http.url}/gone.jsonl?{secret}")
    assert "0123456789abcdef" not in err + json.dumps(summary)


def test_missing_forbidden_and_unreachable_urls_are_named(http, capsys):
    err = failure(capsys, f"{http.url}/gone.jsonl")
    assert f"cannot read log file {http.url}/gone.jsonl: not found (HTTP 404)" in err
    assert "Traceback" not in err
    err = failure(capsys, f"{http.url}/private/service.jsonl")
    assert "access denied (HTTP 403)" in err and f"{http.url}/private/service.jsonl" in err
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    err = failure(capsys, f"http://127.0.0.1:{port}/service.jsonl")
    assert f"cannot read log file http://127.0.0.1:{port}/service.jsonl: cannot reach" in err


def test_a_read_failing_after_the_check_is_named(http, capsys):
    url = f"{http.url}/broken/service.jsonl"
    err = failure(capsys, f"{url}?X-Amz-Signature=0123456789abcdef")
    assert f"reading {url}?… failed: the server answered HTTP 500" in err
    assert "0123456789abcdef" not in err and "Traceback" not in err


def test_the_snapshot_of_remote_logs_is_local(http, tmp_path):
    first = analyze(f"{http.url}/service.jsonl.gz", "--snapshot", tmp_path / "snap")
    assert (tmp_path / "snap" / "events.parquet").is_file()
    out = StringIO()
    with redirect_stdout(out):
        assert main(["analyze", "--from-snapshot", str(tmp_path / "snap"), "--json"]) == 0
    again = json.loads(out.getvalue())
    for key in log_formats.ANALYSIS_KEYS:
        assert again[key] == first[key], key


def test_an_investigation_of_remote_logs_outlives_them(folder, tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(folder / "service.jsonl.gz", served / "service.jsonl.gz")
    server = FileServer(served)
    try:
        url = f"{server.url}/service.jsonl.gz"
        alert = alert_from_fields("Checkout errors", "checkout", "2026-11-20T13:05:00Z")
        incident = create_incident(alert, tmp_path / "root", logs=[url])
        params = injected_params(incident)
        assert params.logs == [url]
        params = params.__class__(**{**params.as_papermill(), "incident_dir": str(incident)})
        first = Investigation.open(params)
        assert first.evidence is not None, first.evidence_problem
        assert (incident / EVIDENCE_DIR / "events.parquet").is_file()
        assert set(first.assessment.affected_tenants) == set(SCENARIO.affected_tenants)

        (served / "service.jsonl.gz").unlink()  # the object expires
        again = Investigation.open(params)
        assert again.evidence is not None, again.evidence_problem
        assert "not found (HTTP 404)" in again.line_report()
        assert "using the evidence snapshot" in again.line_report()
        assert json.dumps(again.summary(), default=str) == json.dumps(first.summary(), default=str)
    finally:
        server.close()


# --- HTTPS (a subprocess each: the trusted certificates are read when it starts) -----------


def run_cli(args, env=None, prelude=""):
    code = f"{prelude}import sys; from incident_nb.cli import main; sys.exit(main({args!r}))"
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=120,
    )


@pytest.fixture(scope="module")
def https(folder, tmp_path_factory):
    cert, key = tls_files(tmp_path_factory.mktemp("tls"))
    server = FileServer(folder, tls=(cert, key))
    yield server, cert
    server.close()


def test_https_gives_the_local_analysis(https, truth):
    server, cert = https
    done = run_cli(
        ["analyze", "--logs", f"{server.url}/service.jsonl.gz", "--json"],
        env={"SSL_CERT_FILE": str(cert)},
    )
    assert done.returncode == 0, done.stderr
    same(json.loads(done.stdout), truth)


def test_an_untrusted_certificate_is_named(https):
    server, _ = https
    done = run_cli(["analyze", "--logs", f"{server.url}/service.jsonl"])
    assert done.returncode == 1
    assert f"cannot read log file {server.url}/service.jsonl" in done.stderr
    assert "certificate" in done.stderr and "SSL_CERT_FILE" in done.stderr


def test_the_missing_extra_is_named_with_its_install_line(http):
    hidden = "import sys; sys.modules.update(fsspec=None, s3fs=None, aiohttp=None); "
    for uri in (f"{http.url}/service.jsonl", "s3://logs/service.jsonl"):
        done = run_cli(["analyze", "--logs", uri], prelude=hidden)
        assert done.returncode == 1
        assert INSTALL in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


def test_local_logs_need_no_remote_extra(folder, truth):
    # The base install reads local files: the remote extra is imported only for a URI.
    hidden = "import sys; sys.modules.update(fsspec=None, s3fs=None, aiohttp=None); "
    done = run_cli(["analyze", "--logs", str(folder / "service.jsonl"), "--json"], prelude=hidden)
    assert done.returncode == 0, done.stderr
    same(json.loads(done.stdout), truth)


def test_schemes_duckdb_does_not_read_are_named(capsys, http):
    err = failure(capsys, "gs://bucket/service.jsonl")
    assert "gs:// logs are read by --engine spark only" in err
    capsys.readouterr()
    args = ["analyze", "--logs", f"{http.url}/service.jsonl", "--engine", "spark"]
    assert main(args) == 1
    assert "Spark cannot read logs over http://" in capsys.readouterr().err


# --- S3 -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3(folder):
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
        env.delenv("AWS_ENDPOINT_URL_S3", raising=False)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret")
        env.setenv("AWS_REGION", "eu-west-1")
        env.delenv("AWS_PROFILE", raising=False)
        import boto3

        client = boto3.client("s3", region_name="eu-west-1")
        client.create_bucket(
            Bucket="incident-logs",
            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        )
        for name in ("service.jsonl.gz", "service.logfmt", "service.parquet", "bad.jsonl"):
            client.upload_file(str(folder / name), "incident-logs", f"checkout/{name}")
        yield "s3://incident-logs/checkout"
    server.stop()


@pytest.mark.parametrize("name", ["service.jsonl.gz", "service.logfmt", "service.parquet"])
def test_s3_gives_the_local_analysis(s3, folder, truth, name):
    remote = analyze(f"{s3}/{name}")
    same(remote, analyze(folder / name))
    for key in log_formats.ANALYSIS_KEYS:
        assert remote[key] == truth[key], key


def test_s3a_and_malformed_lines_on_s3(s3, folder):
    local = analyze(folder / "bad.jsonl")
    remote = analyze(f"{s3.replace('s3://', 's3a://')}/bad.jsonl")
    assert [(e["line"], e["reason"]) for e in remote["lines"]["examples"]] == [
        (e["line"], e["reason"]) for e in local["lines"]["examples"]
    ]


def test_missing_objects_and_buckets_are_named(s3, capsys):
    err = failure(capsys, f"{s3}/gone.jsonl")
    assert f"cannot read log file {s3}/gone.jsonl: no such object in the bucket" in err
    err = failure(capsys, "s3://no-such-bucket/service.jsonl")
    assert "s3://no-such-bucket/service.jsonl: the bucket does not exist" in err
    assert "testing-secret" not in err and "Traceback" not in err


def test_a_server_without_byte_ranges_gives_the_same_analysis(folder):
    server = FileServer(folder, ranges=False)  # as `python -m http.server` serves
    try:
        for name in ("service.jsonl", "service.parquet"):
            same(analyze(f"{server.url}/{name}"), analyze(folder / name))
    finally:
        server.close()


def test_every_byte_of_a_remote_file_crosses_the_network_a_bounded_number_of_times(http, folder):
    big = folder / "big.jsonl"  # 48k lines: DuckDB reads it in several 2 MB requests
    big.write_bytes((folder / "service.jsonl").read_bytes() * 4)
    http.served.clear()
    summary = analyze(f"{http.url}/big.jsonl")
    assert summary["lines"]["total"] == 4 * SCENARIO.lines
    # DuckDB's schema sample (up to the whole of a small file) and parse, the line count
    # beside them, and the head read to tell the format (what the socket buffers take before
    # the client hangs up); no read-ahead beyond what DuckDB asks (fsspec's: about 8x).
    assert sum(http.served) <= 3 * big.stat().st_size + (4 << 20)
