"""The same incident written in every log format gives the same analysis.

The ground truth is the JSON-lines scenario; each format's writer (``tests/log_formats.py``)
writes the very same events the way that format's producers do.
"""

import math
import uuid

import pytest

from incident_nb.cli import main
from incident_nb.demo.scenario import Scenario, generate_logs
from incident_nb.sources.logs import LogStore
from incident_nb.sources.logs.formats import detect_format
from tests import log_formats

SCENARIO = Scenario(lines=20_000)
ANALYSIS = log_formats.ANALYSIS_KEYS


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    raw = generate_logs(SCENARIO, tmp_path_factory.mktemp("raw") / "raw.jsonl")
    return log_formats.load(raw)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("formats")


@pytest.fixture(scope="module")
def truth(events, folder):
    path = log_formats.write_jsonl(events, folder / "service.jsonl")
    return analyze(path)


analyze = log_formats.analyze_json


def rounded(value):
    """Floats to 9 significant digits: unit conversions (s -> ms) differ in the last bits."""
    if isinstance(value, float):
        return float(f"{value:.9g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def same_analysis(summary, truth, keys=ANALYSIS):
    for key in keys:
        assert rounded(summary[key]) == rounded(truth[key]), key


def test_ground_truth_is_the_scenario(truth, events):
    assert truth["lines"]["total"] == truth["lines"]["parsed"] == len(events)
    assert truth["endpoints"][0]["endpoint"] == SCENARIO.failing_endpoint
    assert {t["tenant"] for t in truth["affected_tenants"]} == set(SCENARIO.affected_tenants)
    assert truth["onset"] is not None


@pytest.mark.parametrize(
    ("writer", "name", "fmt"),
    [
        (log_formats.write_delimited, "service.csv", "csv"),
        (lambda f, p: log_formats.write_delimited(f, p, sep="\t"), "service.tsv", "tsv"),
        (log_formats.write_logfmt, "service.log", "logfmt"),
        (log_formats.write_otlp, "service.json", "otlp"),
        (log_formats.write_ecs, "ecs.jsonl", "jsonl"),
        (log_formats.write_parquet, "service.parquet", "parquet"),
    ],
)
def test_every_format_gives_the_same_analysis(events, folder, truth, writer, name, fmt):
    path = writer(events, folder / name)
    assert detect_format(path).name == fmt
    summary = analyze(path)
    assert summary["lines"] == truth["lines"]
    same_analysis(summary, truth, [*ANALYSIS, "signatures"])
    named = analyze(path, "--format", fmt)
    assert named["lines"] == truth["lines"]


def test_combined_access_log_gives_the_same_analysis(events, folder, truth):
    path = log_formats.write_combined(events, folder / "access.log")
    assert detect_format(path).name == "access"
    summary = analyze(path, "--map", "tenant=user")
    assert summary["fields"]["endpoint"] == "path"  # the query string is not part of it
    assert summary["lines"] == truth["lines"]
    same_analysis(summary, truth)
    assert summary["signatures"] == []  # access logs carry no error messages


def test_openstack_oslo_log_gives_the_same_analysis(events, folder, truth):
    path = log_formats.write_oslo(events, folder / "nova-api.log")
    assert detect_format(path).name == "oslo"
    summary = analyze(path)
    fields = summary["fields"]
    assert (fields["tenant"], fields["status"], fields["latency"]) == (
        "project",
        "status",
        "latency_ms",
    )
    assert summary["lines"] == truth["lines"]
    same_analysis(summary, truth)


@pytest.mark.parametrize(
    ("writer", "options"),
    [(log_formats.write_jsonl, ()), (log_formats.write_combined, ("--map", "tenant=user"))],
)
def test_paths_with_ids_give_the_same_analysis_on_their_routes(
    events, folder, truth, writer, options
):
    # Each request names its resource: a number, a UUID, an order number in a name.
    ids = (str, lambda i: str(uuid.UUID(int=i * 7919)), lambda i: f"ORD-{i:06d}")
    with_ids = events.assign(
        endpoint=[f"{e}/{ids[i % 3](i)}" for i, e in enumerate(events["endpoint"])]
    )
    summary = analyze(writer(with_ids, folder / f"ids-{writer.__name__}.log"), *options)
    routes = {e["endpoint"]: e for e in summary["endpoints"]}
    assert len(routes) == len(truth["endpoints"])
    for endpoint in truth["endpoints"]:
        assert rounded(routes[endpoint["endpoint"] + "/{id}"]) == rounded(
            endpoint | {"endpoint": endpoint["endpoint"] + "/{id}"}
        )
    assert summary["onset_group"]["endpoints"] == [
        e + "/{id}" for e in truth["onset_group"]["endpoints"]
    ]
    same_analysis(summary, truth, [k for k in ANALYSIS if k != "endpoints"])


def test_naive_local_timestamps_with_tz(events, folder, truth):
    path = log_formats.write_delimited(events, folder / "local.csv", tz="America/New_York")
    summary = analyze(path, "--tz", "America/New_York")
    same_analysis(summary, truth, [*ANALYSIS, "signatures"])
    shifted = analyze(path)  # read as UTC: the same incident, five hours early
    assert shifted["onset"] < truth["onset"]


def test_mixed_formats_in_one_investigation(events, folder, truth):
    half = len(events) // 2
    first = log_formats.write_jsonl(events.iloc[:half], folder / "first.jsonl")
    second = log_formats.write_logfmt(events.iloc[half:], folder / "second.logfmt")
    summary = analyze(first, "--logs", second)
    assert summary["lines"] == truth["lines"]
    same_analysis(summary, truth, [*ANALYSIS, "signatures"])


def test_gzip_csv_and_logfmt(events, folder, truth):
    import gzip
    import shutil

    writers = [("z.csv", log_formats.write_delimited), ("z.log", log_formats.write_logfmt)]
    for name, writer in writers:
        plain = writer(events, folder / name)
        packed = folder / (name + ".gz")
        with plain.open("rb") as src, gzip.open(packed, "wb") as dst:
            shutil.copyfileobj(src, dst)
        summary = analyze(packed)
        assert summary["lines"] == truth["lines"]
        same_analysis(summary, truth)


def test_malformed_records_in_each_text_format_are_counted_with_line_numbers(tmp_path):
    cases = {
        "bad.csv": "ts,status,message\n2026-11-20T12:00:00Z,200,ok\n2026-11-20T12:00:01Z,500\n"
        "2026-11-20T12:00:02Z,200,ok\n",
        "bad.logfmt": "ts=2026-11-20T12:00:00Z status=200\nnot logfmt at all\n"
        "ts=2026-11-20T12:00:02Z status=500\n",
        "bad.access.log": '1.2.3.4 - - [20/Nov/2026:12:00:00 +0000] "GET / HTTP/1.1" 200 5\n'
        '1.2.3.4 - - [20/Nov/2026:12:00:01 +0000] "GET /x HTTP/1.1" 500 5 "-" "trunc\n'
        '1.2.3.4 - - [20/Nov/2026:12:00:02 +0000] "GET / HTTP/1.1" 200 5\n',
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        store = LogStore.open([path])
        try:
            assert (store.lines.total, store.lines.malformed, store.lines.used) == (3, 1, 2), name
            assert store.lines.examples[0].line == (3 if name.endswith(".csv") else 2), name
        finally:
            store.close()


def test_unknown_format_and_unrecognisable_file_name_the_fix(tmp_path, capsys):
    path = tmp_path / "mystery.txt"
    path.write_text("just some words\nand more\n")
    assert main(["analyze", "--logs", str(path)]) == 1
    assert "--format" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["analyze", "--logs", str(path), "--format", "nope"])
    assert usage.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err
    csv = tmp_path / "nots.csv"
    csv.write_text("a,b,c\n1,2,3\n")
    assert main(["analyze", "--logs", str(csv)]) == 1
    err = capsys.readouterr().err
    assert "no timestamp field" in err and "--map timestamp=" in err
