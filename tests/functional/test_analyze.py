"""``incident-nb analyze`` end to end on a generated incident with a known ground truth."""

import json
from datetime import datetime, timedelta

import duckdb
import pytest

from incident_nb.cli import main
from incident_nb.demo.scenario import Scenario, generate_logs
from incident_nb.sources.logs import LogStore

SCENARIO = Scenario(lines=30_000)
KEYS = {
    "window",
    "lines",
    "onset",
    "first_error_at",
    "last_error_at",
    "error_rate",
    "endpoints",
    "affected_tenants",
    "trend",
    "signatures",
    "severity_suggestion",
}


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory):
    return generate_logs(SCENARIO, tmp_path_factory.mktemp("logs") / "service.jsonl")


def analyze(capsys, *args):
    capsys.readouterr()
    status = main(["analyze", *map(str, args), "--json"])
    out = capsys.readouterr()
    assert status == 0, out.err
    return json.loads(out.out)


def comparable(summary):
    """The analysis itself, without the fields that name the source columns or files."""
    return {k: summary[k] for k in KEYS if k != "lines"}


def test_json_has_the_promised_keys_and_finds_the_incident(jsonl, capsys):
    summary = analyze(capsys, "--logs", jsonl)
    assert set(summary) >= KEYS
    assert summary["lines"] == {
        "total": 30_000,
        "parsed": 30_000,
        "malformed": 0,
        "bad_timestamp": 0,
        "examples": [],
    }
    onset = summary["onset"]
    assert onset is not None
    at = datetime.fromisoformat(onset.replace("Z", "+00:00"))
    assert abs(at - SCENARIO.onset) <= timedelta(minutes=2)
    top = summary["endpoints"][0]
    assert top["endpoint"] == SCENARIO.failing_endpoint
    assert set(top) >= {"requests", "errors", "error_rate", "p50_ms", "p95_ms", "p99_ms"}
    assert top["p50_ms"] <= top["p95_ms"] <= top["p99_ms"]
    assert {t["tenant"] for t in summary["affected_tenants"]} == set(SCENARIO.affected_tenants)
    new = [s for s in summary["signatures"] if s["new_since_onset"]]
    assert [s["template"].split(":")[0] for s in new] == ["DatabaseError"]
    assert summary["signatures"][0]["first_seen"] >= onset
    assert summary["sample_failing_request_ids"]


def test_ecs_named_fields_give_the_same_analysis(jsonl, tmp_path, capsys):
    ecs = tmp_path / "ecs.jsonl"
    with jsonl.open() as src, ecs.open("w") as dst:
        for line in src:
            rec = json.loads(line)
            out = {
                "@timestamp": rec["ts"],
                "org.id": rec["tenant_id"],
                "url.path": rec["endpoint"],
                "http.response.status_code": rec["status"],
                "event.duration": round(rec["latency_ms"] * 1_000_000),
                "message": rec["message"],
                "http.request.id": rec["request_id"],
                "log.level": rec["level"],
            }
            dst.write(json.dumps(out) + "\n")
    plain = analyze(capsys, "--logs", jsonl)
    mapped = analyze(capsys, "--logs", ecs)
    assert mapped["fields"]["latency"] == "event.duration"
    assert comparable(mapped) == comparable(plain)


def test_map_overrides_the_conventions(jsonl, tmp_path, capsys):
    renamed = tmp_path / "renamed.jsonl"
    renamed.write_text(jsonl.read_text().replace('"tenant_id"', '"customer_ref"'))
    summary = analyze(capsys, "--logs", renamed, "--map", "tenant=customer_ref")
    assert summary["fields"]["tenant"] == "customer_ref"
    assert {t["tenant"] for t in summary["affected_tenants"]} == set(SCENARIO.affected_tenants)
    assert main(["analyze", "--logs", str(renamed), "--map", "tenant=nope"]) == 1
    assert "no field 'nope'" in capsys.readouterr().err


def test_snapshot_reanalysis_gives_the_same_summary(jsonl, tmp_path, capsys):
    snap = tmp_path / "evidence"
    first = analyze(capsys, "--logs", jsonl, "--snapshot", snap)
    # One file, replaced whole: the events and their line accounting cannot drift apart
    # (beside it, only the answers of the analysis's queries on it).
    assert sorted(p.name for p in snap.iterdir()) == [".answers", "events.parquet"]
    again = analyze(capsys, "--from-snapshot", snap)
    assert again == first


def test_snapshot_with_its_accounting_beside_it_still_opens(jsonl, tmp_path, capsys):
    snap = tmp_path / "evidence"
    first = analyze(capsys, "--logs", jsonl, "--snapshot", snap)
    data = snap / "events.parquet"
    # The earlier layout: plain Parquet, with the accounting in events.json next to it.
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_parquet('{data}')) TO '{tmp_path / 'plain.parquet'}'")
    (tmp_path / "plain.parquet").replace(data)
    meta = {
        "lines": {k: first["lines"][k] for k in ("total", "parsed", "malformed", "bad_timestamp")},
        "fields": first["fields"],
    }
    (snap / "events.json").write_text(json.dumps(meta))
    assert analyze(capsys, "--from-snapshot", snap) == first
    (snap / "events.json").unlink()
    assert main(["analyze", "--from-snapshot", str(snap), "--json"]) == 1
    err = capsys.readouterr().err
    assert "has no line accounting" in err and "--snapshot" in err


def test_malformed_lines_are_reported_and_analysis_continues(jsonl, tmp_path, capsys):
    lines = jsonl.read_text().splitlines()
    lines.insert(99, '{"ts": "2026-11-20T12:00:01Z", "status": 5')
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines) + "\n")
    summary = analyze(capsys, "--logs", broken)
    assert summary["lines"]["total"] == 30_001
    assert summary["lines"]["malformed"] == 1
    assert summary["lines"]["examples"][0]["line"] == 100
    assert summary["endpoints"][0]["endpoint"] == SCENARIO.failing_endpoint


def test_window_restricts_and_empty_window_names_the_fix(jsonl, capsys):
    summary = analyze(capsys, "--logs", jsonl, "--window", "2026-11-20T14:00:00Z,")
    assert summary["window"]["start"] >= "2026-11-20T14:00:00Z"
    status = main(["analyze", "--logs", str(jsonl), "--window", "2030-01-01T00:00:00,"])
    assert status == 1
    assert "widen --window" in capsys.readouterr().err


def test_readable_summary_without_json(jsonl, capsys):
    assert main(["analyze", "--logs", str(jsonl)]) == 0
    out = capsys.readouterr()
    assert "Onset:" in out.out and SCENARIO.failing_endpoint in out.out
    assert "parsing" in out.err


def test_missing_and_empty_files_name_the_fix(tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert main(["analyze", "--logs", str(empty)]) == 1
    assert "empty" in capsys.readouterr().err
    assert main(["analyze"]) == 1
    assert "--logs FILE" in capsys.readouterr().err


def test_window_applies_to_a_snapshot_too(jsonl, tmp_path, capsys):
    snap = tmp_path / "evidence"
    analyze(capsys, "--logs", jsonl, "--snapshot", snap)
    whole = analyze(capsys, "--logs", jsonl, "--window", "2026-11-20T14:00:00Z,")
    again = analyze(capsys, "--from-snapshot", snap, "--window", "2026-11-20T14:00:00Z,")
    assert comparable(again) == comparable(whole)


@pytest.mark.parametrize(
    ("name", "per_ms"),
    [
        ("duration_seconds", 1e-3),
        ("latencyMicros", 1e3),
        ("elapsed_ns", 1e6),
        ("took_ms", 1.0),
        ("took", 1.0),  # Elasticsearch's, in milliseconds
        ("time_taken", 1.0),  # IIS's, in milliseconds
    ],
)
def test_a_duration_named_with_its_unit_is_the_latency_in_that_unit(
    jsonl, tmp_path, capsys, name, per_ms
):
    renamed = tmp_path / "renamed.jsonl"
    with jsonl.open() as src, renamed.open("w") as dst:
        for line in src:
            rec = json.loads(line)
            rec[name] = rec.pop("latency_ms") * per_ms
            dst.write(json.dumps(rec) + "\n")
    plain = analyze(capsys, "--logs", jsonl)
    named = analyze(capsys, "--logs", renamed)
    assert named["fields"]["latency"] == name
    for ours, theirs in zip(named["endpoints"], plain["endpoints"], strict=True):
        assert ours["endpoint"] == theirs["endpoint"]
        for q in ("p50_ms", "p95_ms", "p99_ms"):
            assert ours[q] == pytest.approx(theirs[q], rel=1e-9)


def test_a_tenant_written_as_a_dash_is_no_tenant(jsonl, tmp_path, capsys):
    """Access logs write ``-`` for a value they have not got: it is not one more tenant."""
    dashed = tmp_path / "dashed.jsonl"
    unnamed = 0
    with jsonl.open() as src, dashed.open("w") as dst:
        for i, line in enumerate(src):
            rec = json.loads(line)
            if i % 7 == 0 or (rec["status"] >= 500 and i % 3 == 0):
                rec["tenant_id"] = "-" if i % 2 else ""
                unnamed += 1
            dst.write(json.dumps(rec) + "\n")
    summary = analyze(capsys, "--logs", dashed)
    assert {t["tenant"] for t in summary["affected_tenants"]} == set(SCENARIO.affected_tenants)
    store = LogStore.open([dashed])
    try:
        counted = store._df(
            "SELECT count(*) FILTER (WHERE tenant IS NULL) AS n, "
            "count(*) FILTER (WHERE tenant IN ('-', '')) AS named FROM events"
        )
    finally:
        store.close()
    assert (int(counted["n"][0]), int(counted["named"][0])) == (unnamed, 0)


def test_nginx_json_request_lines_are_endpoints_with_their_method(jsonl, tmp_path, capsys):
    """nginx's JSON ``log_format`` writes ``$request`` whole, with or without a query."""
    nginx = tmp_path / "nginx.jsonl"
    with jsonl.open() as src, nginx.open("w") as dst:
        for i, line in enumerate(src):
            rec = json.loads(line)
            query = "?page=2&sort=asc" if i % 2 else ""
            out = {
                "time_iso8601": rec["ts"],
                "request": f"{rec['method']} {rec['endpoint']}{query} HTTP/1.1",
                "status": str(rec["status"]),
                "request_time": f"{rec['latency_ms'] / 1000:.4f}",
                "tenant_id": rec["tenant_id"],
            }
            dst.write(json.dumps(out) + "\n")
    plain = analyze(capsys, "--logs", jsonl)
    summary = analyze(capsys, "--logs", nginx)
    assert summary["fields"]["endpoint"] == "request"
    methods = {(e["endpoint"].split()[1], e["endpoint"].split()[0]) for e in summary["endpoints"]}
    assert {p for p, _ in methods} == {e["endpoint"] for e in plain["endpoints"]}
    assert all(m in {"GET", "POST", "PUT", "DELETE", "PATCH"} for _, m in methods)
    top = summary["endpoints"][0]["endpoint"]
    assert top.split() == [top.split()[0], SCENARIO.failing_endpoint]
    assert summary["onset"] == plain["onset"]
    assert {t["tenant"] for t in summary["affected_tenants"]} == set(SCENARIO.affected_tenants)
