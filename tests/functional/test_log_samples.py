"""Real log samples parse with their known line counts, malformed lines reported."""

import csv
import json
import re
from collections import Counter

from incident_nb.cli import main
from incident_nb.sources.logs import LogStore
from incident_nb.sources.logs.formats import detect_format
from incident_nb.sources.logs.routes import route


def test_apache_combined_log_with_its_truncated_line(shared_data, capsys):
    path = shared_data / "access_logs" / "elastic_examples_apache_logs"
    assert detect_format(path).name == "access"
    assert main(["analyze", "--logs", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    lines = summary["lines"]
    assert (lines["total"], lines["parsed"], lines["malformed"]) == (10_000, 9_999, 1)
    assert lines["examples"][0]["line"] == 8899
    assert "truncated" in lines["examples"][0]["reason"]
    # 2015-05-17 10:05 .. 2015-05-20 21:05 +0000, out of order in the file.
    assert summary["window"]["start"].startswith("2015-05-17T10:05")
    assert summary["window"]["end"].startswith("2015-05-20T21:05")
    assert sum(e["errors"] for e in summary["endpoints"]) == 3  # the three 500s


def test_apache_log_status_counts_match_the_file(shared_data):
    store = LogStore.open([shared_data / "access_logs" / "elastic_examples_apache_logs"])
    try:
        counts = dict(
            store._con.execute("SELECT status, count(*) FROM events GROUP BY 1").fetchall()
        )
    finally:
        store.close()
    assert counts == {200: 9125, 304: 445, 404: 213, 301: 164, 206: 45, 500: 3, 416: 2, 403: 2}


def test_loghub_openstack_log_reads_its_levels_requests_and_projects(shared_data, capsys):
    # Loghub's copy prefixes each oslo.log line with its file's name (nova-api, nova-compute).
    path = shared_data / "loghub" / "OpenStack" / "OpenStack_2k.log"
    assert detect_format(path).name == "oslo"
    assert main(["analyze", "--logs", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    lines = summary["lines"]
    assert (lines["total"], lines["parsed"], lines["malformed"]) == (2000, 2000, 0)
    fields = summary["fields"]
    assert fields["level"] == "level" and fields["service"] == "service"
    assert fields["endpoint"] == "path" and fields["tenant"] == "project"
    requests = {e["endpoint"]: e["requests"] for e in summary["endpoints"]}
    # Paths as routes: a project's or server's id is {id}. 698 listings of one project, and
    # two of another with a query; 22 GETs and 21 DELETEs of single servers.
    assert requests["/v2/{id}/servers/detail"] == 700
    assert requests["/v2/{id}/servers/{id}"] == 43
    logged = re.findall(r'"[A-Z]+ (/[^ ?"]*)', path.read_text())
    assert {e: n for e, n in requests.items() if e != "(none)"} == Counter(map(route, logged))
    # 933 + 21 + 22 + 41 requests answered 200, 202, 204 and 404; 31 warnings; no failure.
    assert sum(e["errors"] for e in summary["endpoints"]) == 0
    assert summary["onset"] is None and not summary["warnings"]
    store = LogStore.open([path])
    try:
        counts = store._con.execute(
            "SELECT service, count(*), count(status), count(latency_ms) FROM events GROUP BY 1"
        ).fetchall()
    finally:
        store.close()
    assert sorted(counts) == [
        ("nova-api", 1060, 1017, 1017),
        ("nova-compute", 933, 0, 0),
        ("nova-scheduler", 7, 0, 0),
    ]


def test_loghub_hdfs_log_reads_its_compact_times_and_levels(shared_data):
    path = shared_data / "loghub" / "HDFS" / "HDFS_2k.log"
    assert detect_format(path).name == "hadoop"
    with (path.parent / "HDFS_2k.log_structured.csv").open(newline="") as handle:
        levels = Counter(row["Level"] for row in csv.DictReader(handle))
    store = LogStore.open([path])
    try:
        assert (store.lines.total, store.lines.used, store.lines.malformed) == (2000, 2000, 0)
        first, last = store.extent()
        assert (first.isoformat(), last.isoformat()) == (
            "2008-11-09T20:36:15+00:00",
            "2008-11-11T10:20:17+00:00",
        )
        read = store._con.execute("SELECT severity, count(*) FROM events GROUP BY 1").fetchall()
        assert dict(read) == {9: levels["INFO"], 13: levels["WARN"]}
        assert store.errors_known and int(store.per_minute()["errors"].sum()) == 0
    finally:
        store.close()


def test_loghub_structured_csv_with_ctime_timestamps(shared_data):
    path = shared_data / "loghub" / "Apache" / "Apache_2k.log_structured.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    errors = sum(r["Level"] == "error" for r in rows)
    store = LogStore.open([path])
    try:
        assert (store.lines.total, store.lines.used) == (2000, 2000)
        assert store.fields["timestamp"] == "Time" and store.fields["message"] == "Content"
        first, last = store.extent()
        assert (first.isoformat(), last.isoformat()) == (
            "2005-12-04T04:47:44+00:00",
            "2005-12-05T19:15:57+00:00",
        )
        per_minute = store.per_minute()
        assert int(per_minute["errors"].sum()) == errors
    finally:
        store.close()


def test_otlp_samples(shared_data):
    for name in ("otlp_logs.json", "otlp_events.json"):
        path = shared_data / "otel" / name
        assert detect_format(path).name == "otlp"
        store = LogStore.open([path])
        try:
            assert (store.lines.total, store.lines.used) == (1, 1), name
            assert store.extent()[0].isoformat() == "2018-12-13T14:51:00.300000+00:00"
        finally:
            store.close()
