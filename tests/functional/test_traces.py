"""Trace files as evidence: the same traces in every format give the same answer, the real
samples parse exactly, bad files get a clear error, and ``analyze --traces`` reports it all."""

import json
from pathlib import Path
from statistics import quantiles

import nbformat
import pandas as pd
import pytest
from IPython.display import Markdown

from incident_nb.analysis.traces import compare_failing, trace_summary
from incident_nb.cli import main
from incident_nb.core.errors import EvidenceError
from incident_nb.core.record import read_record
from incident_nb.demo.scenario import Scenario, generate_logs
from incident_nb.notebook.params import NotebookParams
from incident_nb.notebook.session import Investigation
from incident_nb.notebook.step2 import Chart
from incident_nb.notebook.tables import Table
from incident_nb.sources.traces import read_traces
from tests.trace_scenario import TraceSet

TRACES = TraceSet()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("traces")
    return {
        "otlp": TRACES.write_otlp(folder / "traces.otlp.json"),
        "otlp-lines": TRACES.write_otlp(folder / "traces.otlp.jsonl", lines_of=40),
        "jaeger": TRACES.write_jaeger(folder / "traces.jaeger.json"),
    }


def sorted_spans(frame):
    return frame.sort_values(["trace_id", "span_id"]).reset_index(drop=True)


def test_every_format_gives_the_same_spans_and_analysis(files):
    frames = {name: read_traces([path]) for name, path in files.items()}
    assert {name: report.files[0][1] for name, (_, report) in frames.items()} == {
        "otlp": "otlp",
        "otlp-lines": "otlp",
        "jaeger": "jaeger-api",
    }
    base = sorted_spans(frames["otlp"][0])
    for name in ("otlp-lines", "jaeger"):
        pd.testing.assert_frame_equal(sorted_spans(frames[name][0]), base, obj=name)
    summaries = [trace_summary(frame) for frame, _ in frames.values()]
    assert summaries[0] == summaries[1] == summaries[2]


def test_the_analysis_finds_the_ground_truth(files):
    spans, report = read_traces([files["jaeger"]])
    assert (report.spans, report.malformed, report.duplicates) == (len(TRACES.spans), 0, 0)
    summary = trace_summary(spans)
    assert summary["traces"] == TRACES.traces
    assert summary["failing_traces"] == len(TRACES.failing_trace_ids()) == 30
    assert summary["failure_origins"] == [
        {
            "service": "payments-db",
            "operation": "SELECT",
            "failing_traces": 27,
            "share": 0.9,
            "example_message": "canceling statement due to lock timeout",
        },
        {
            "service": "inventory",
            "operation": "reserve",
            "failing_traces": 3,
            "share": 0.1,
            "example_message": "out of stock",
        },
    ]
    services = {s["service"]: s for s in summary["services"]}
    assert set(services) == {"frontend", "checkout", "inventory", "payments", "payments-db"}
    for name, row in services.items():
        truth = TRACES.durations_ms(name)
        assert (row["spans_failing"], row["spans_ok"]) == (
            len(truth["failing"]),
            len(truth["ok"]),
        )
        failing, ok = TRACES.mean_ms(name)
        assert row["mean_ms_failing"] == pytest.approx(failing, abs=1e-3)
        assert row["mean_ms_ok"] == pytest.approx(ok, abs=1e-3)
        p95 = quantiles(truth["ok"], n=20, method="inclusive")[-1]
        assert row["p95_ms_ok"] == pytest.approx(p95, abs=1e-3)
    assert services["payments-db"]["errors"] == 27
    assert services["inventory"]["errors"] == 3
    assert services["frontend"]["errors"] == 30  # HTTP 500 alone marks the Jaeger span
    failing, ok = TRACES.mean_ms("payments-db", "SELECT")
    assert summary["headline"] == (
        f"Failing requests fail in payments-db `SELECT` (90% of failing traces) "
        f"and spend {failing / ok:.1f}x longer in it than successful requests."
    )
    assert failing / ok > 20
    by_op = compare_failing(spans, ("service", "operation"))
    assert len(by_op) == 5
    # the db call is the last child of payments: all of it is on the critical path
    path = {c["service"]: c for c in summary["critical_path"]}
    db = TRACES.durations_ms("payments-db", "SELECT")
    failing_ms = path["payments-db"]["critical_ms_failing"]
    assert failing_ms == pytest.approx(sum(db["failing"]) / 30, abs=1e-3)
    assert path["payments-db"]["critical_ms_ok"] == pytest.approx(sum(db["ok"]) / 170, abs=1e-3)
    assert summary["critical_path"][0]["service"] == "payments-db"


def test_real_samples_parse_with_their_span_counts_and_services(shared_data):
    expected = {
        "otel/otlp_trace.json": ("otlp", 1, {"my.service"}, 0),
        "traces/jaeger_otlp2jaeger-in.otlp.json": ("otlp", 2, {"telemetrygen"}, 1),
        "traces/jaeger_otlp2jaeger-out.jaeger_api.json": ("jaeger-api", 2, {"telemetrygen"}, 1),
        "traces/jaeger_ui_format_ui_01.json": ("jaeger-ui", 5, {"service-x", "service-y"}, 1),
        "traces/jaeger_ui_testTraceNormal_petclinic.json": (
            "jaeger-ui",
            5,
            {"api-gateway", "customers-service"},
            0,
        ),
    }
    for name, (shape, count, services, duplicates) in expected.items():
        spans, report = read_traces([shared_data / name])
        assert report.files[0][1] == shape, name
        assert (len(spans), report.malformed, report.duplicates) == (count, 0, duplicates), name
        assert set(spans["service"]) == services, name
    # the OTLP sample: upper-case ids, times as strings, a one-second server span
    otlp, _ = read_traces([shared_data / "otel/otlp_trace.json"])
    row = otlp.iloc[0]
    assert (row["trace_id"], row["span_id"]) == (
        "5b8efff798038103d269b633813fc60c",
        "eee19b7ec3c1b174",
    )
    assert (row["duration_ms"], row["kind"], row["is_error"]) == (1000.0, "server", False)
    assert row["start"] == pd.Timestamp("2018-12-13T14:51:00Z")
    # the converter's input and output are the same spans
    a, _ = read_traces([shared_data / "traces/jaeger_otlp2jaeger-in.otlp.json"])
    b, _ = read_traces([shared_data / "traces/jaeger_otlp2jaeger-out.jaeger_api.json"])
    pd.testing.assert_frame_equal(a, b)
    # Jaeger UI: error=true tag, and the parent is the CHILD_OF reference within the trace
    ui, _ = read_traces([shared_data / "traces/jaeger_ui_format_ui_01.json"])
    assert ui["is_error"].tolist() == [False, True, False, False, False]
    assert ui["parent_span_id"].tolist()[2:] == ["0000000000000002"] * 2 + ["0000000000000004"]
    assert ui["parent_span_id"].isna().tolist()[:2] == [True, True]
    pet, _ = read_traces([shared_data / "traces/jaeger_ui_testTraceNormal_petclinic.json"])
    summary = trace_summary(pet)
    assert (summary["traces"], summary["failing_traces"]) == (1, 0)
    path = {c["service"]: c["critical_ms_ok"] for c in summary["critical_path"]}
    # gateway 4.902 ms in all; its client span waits 2.499 ms of which 1.739 ms in customers
    assert path == {"api-gateway": 3.163, "customers-service": 1.739}
    assert summary["window"] == {"start": "2020-01-15T06:44:35Z", "end": "2020-01-15T06:44:35Z"}


def test_files_that_are_not_traces_get_a_clear_error(shared_data, tmp_path):
    with pytest.raises(
        EvidenceError,
        match=r"otlp_logs\.json: .*resourceLogs.*not traces.*"
        r"resourceSpans.*Jaeger API.*Jaeger UI",
    ):
        read_traces([shared_data / "otel/otlp_logs.json"])
    other = tmp_path / "alert.json"
    other.write_text(json.dumps({"status": "firing", "alerts": []}))
    with pytest.raises(
        EvidenceError,
        match=r"alert\.json: JSON of no known trace shape "
        r"\(top-level keys: alerts, status\); give OTLP/JSON traces",
    ):
        read_traces([other])
    text = tmp_path / "notes.txt"
    text.write_text("this is not json\n")
    with pytest.raises(EvidenceError, match=r"notes\.txt is not JSON \(line 1"):
        read_traces([text])
    empty = tmp_path / "empty.json"
    empty.write_text("\n")
    with pytest.raises(EvidenceError, match=r"empty\.json is empty; give OTLP/JSON traces"):
        read_traces([empty])
    with pytest.raises(EvidenceError, match="trace file not found"):
        read_traces([tmp_path / "missing.json"])


def test_malformed_spans_are_counted_with_examples(tmp_path):
    good = TraceSet(traces=3, db_failures=1, inventory_failures=0, seed=1)
    otlp = json.loads(good.write_otlp(tmp_path / "a.json").read_text())
    spans = otlp["resourceSpans"][0]["scopeSpans"][0]["spans"]
    del spans[0]["spanId"]
    del spans[1]["endTimeUnixNano"]
    spans[2]["endTimeUnixNano"] = "1"  # ends before it starts
    broken = tmp_path / "broken.otlp.jsonl"
    broken.write_text(json.dumps(otlp) + "\n{not json\n")
    jaeger = json.loads(good.write_jaeger(tmp_path / "b.json").read_text())
    del jaeger["data"][0]["spans"][0]["startTime"]
    jaeger["data"][0]["spans"][1]["traceID"] = "not-hex"
    (tmp_path / "b.json").write_text(json.dumps(jaeger))

    frame, report = read_traces([broken, tmp_path / "b.json"])
    assert report.malformed == 6  # 3 OTLP spans, 1 unreadable line, 2 Jaeger spans
    assert len(frame) == report.spans == 2 * len(good.spans) - 5
    reasons = [(e.where, e.reason) for e in report.examples]
    assert reasons == [
        (
            "line 2",
            "not JSON (Expecting property name enclosed in double quotes); its spans are lost",
        ),
        ("line 1: resourceSpans[0].scopeSpans[0].spans[0]", "no spanId"),
        ("line 1: resourceSpans[0].scopeSpans[0].spans[1]", "no endTimeUnixNano"),
        ("line 1: resourceSpans[0].scopeSpans[0].spans[2]", "it ends before it starts"),
        ("data[0].spans[0]", "no startTime"),
    ]  # five examples at most
    assert report.examples[0].path == str(broken)


def analyze(capsys, *args):
    capsys.readouterr()
    status = main(["analyze", *map(str, args)])
    out = capsys.readouterr()
    assert status == 0, out.err
    return out.out


def test_cli_analyze_traces_json(files, capsys):
    doc = json.loads(analyze(capsys, "--traces", files["otlp"], "--json"))
    assert set(doc) == {"traces", "window"}
    traces = doc["traces"]
    assert set(traces) >= {
        "spans",
        "traces",
        "failing_traces",
        "malformed",
        "failure_origins",
        "services",
    }
    assert (traces["spans"], traces["traces"], traces["failing_traces"]) == (994, 200, 30)
    assert traces["malformed"] == 0
    origin = traces["failure_origins"][0]
    assert {k: origin[k] for k in ("service", "operation", "failing_traces", "share")} == {
        "service": "payments-db",
        "operation": "SELECT",
        "failing_traces": 27,
        "share": 0.9,
    }
    assert set(traces["services"][0]) >= {
        "service",
        "spans_failing",
        "spans_ok",
        "p95_ms_failing",
        "p95_ms_ok",
        "errors",
    }
    assert doc["window"] == traces["window"]
    assert doc["window"]["start"].startswith("2026-03-14T09:00")


def test_cli_analyze_traces_in_a_window(files, capsys):
    window = "2026-03-14T09:05:00Z,2026-03-14T09:06:00Z"  # 20 traces begin in it, 3 s apart
    doc = json.loads(analyze(capsys, "--traces", files["otlp"], "--window", window, "--json"))
    begins = sorted({s.trace_id: s.start_us for s in TRACES.spans if s.parent is None}.values())
    lo, hi = (int(pd.Timestamp(t).timestamp() * 1e6) for t in window.split(","))
    assert doc["traces"]["traces"] == sum(lo <= b < hi for b in begins) == 20
    status = main(["analyze", "--traces", str(files["otlp"]), "--window", "2030-01-01T00:00Z,"])
    assert status == 1
    assert "begins in the window" in capsys.readouterr().err


def test_cli_analyze_traces_readable_and_errors(files, shared_data, capsys):
    text = analyze(capsys, "--traces", files["jaeger"])
    assert "Traces:      200 traces, 30 failing, 994 spans, 0 malformed" in text
    assert "payments-db SELECT: 27 failing traces (90%)" in text
    assert "Failing requests fail in payments-db `SELECT`" in text
    status = main(["analyze", "--traces", str(shared_data / "otel/otlp_metrics.json")])
    err = capsys.readouterr().err
    assert status == 1
    assert "otlp_metrics.json: JSON of no known trace shape" in err


def test_new_records_the_trace_files_and_the_notebook_shows_them(files, tmp_path, capsys):
    args = ["new", "--title", "Checkout failing", "--service", "checkout"]
    args += ["--started-at", "2026-03-14T09:05:00Z", "--root", str(tmp_path)]
    assert main([*args, "--traces", str(files["otlp"]), str(files["jaeger"])]) == 0
    folder = Path(capsys.readouterr().out.strip())
    record = read_record(folder)
    assert record.evidence.traces == [str(files["otlp"]), str(files["jaeger"])]
    nb = nbformat.read(folder / "investigation.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f"traces = [{json.dumps(str(files['otlp']))}" in injected.source

    params = NotebookParams(incident_dir=str(folder), traces=[str(files["jaeger"])])
    items = Investigation.open(params).traces_section()
    markdown = [i.data for i in items if isinstance(i, Markdown)]
    assert markdown[0] == "### Traces"
    assert markdown[1].startswith("Failing requests fail in payments-db `SELECT` (90% of")
    assert markdown[1].endswith("(200 traces (30 failing), 994 spans, 0 malformed)")
    (origins,) = [i for i in items if isinstance(i, Table) and "share" in i.frame]
    assert origins.frame.iloc[0][["service", "failing_traces"]].tolist() == ["payments-db", 27]
    assert "<th " in origins.to_html() and "Failing traces" in origins.to_text()  # for people
    (chart,) = [i for i in items if isinstance(i, Chart)]
    assert chart.name == "traces"
    assert [t.name for t in chart.figure.data] == ["failing traces", "successful"]
    assert set(chart.figure.data[0].y) == {
        "frontend", "checkout", "inventory", "payments", "payments-db"
    }  # fmt: skip

    # without trace files the section is one line that says so
    (line,) = Investigation.open(NotebookParams(incident_dir=str(folder))).traces_section()
    assert line.data.startswith("**Traces**: no trace files were given")
    bad = NotebookParams(incident_dir=str(folder), traces=[str(tmp_path / "gone.json")])
    (line,) = Investigation.open(bad).traces_section()
    assert "trace file not found" in line.data


def test_new_refuses_a_missing_trace_file(tmp_path, capsys):
    args = ["new", "--title", "x", "--service", "y", "--started-at", "2026-03-14T09:05:00Z"]
    status = main([*args, "--root", str(tmp_path), "--traces", str(tmp_path / "nope.json")])
    assert status == 1
    assert "trace file not found" in capsys.readouterr().err
    assert not (tmp_path / "incidents").exists() or not any((tmp_path / "incidents").iterdir())


def test_files_without_a_usable_span_are_refused(tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"data": [], "total": 0}))
    with pytest.raises(EvidenceError, match=r"no usable spans in .*empty\.json; export traces"):
        read_traces([empty])
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"traceID": "ab", "spans": [{"spanID": "01"}], "processes": {}}))
    with pytest.raises(EvidenceError, match=r"1 malformed, e\.g\. spans\[0\]: no traceID"):
        read_traces([broken])


def test_cli_analyze_logs_and_traces_together(files, tmp_path, capsys):
    logs = generate_logs(Scenario(lines=3_000), tmp_path / "service.jsonl")
    alone = json.loads(analyze(capsys, "--logs", logs, "--json"))
    both = json.loads(analyze(capsys, "--logs", logs, "--traces", files["jaeger"], "--json"))
    assert {k: v for k, v in both.items() if k != "traces"} == alone  # the log part is unchanged
    assert both["traces"]["failing_traces"] == 30
    text = analyze(capsys, "--logs", logs, "--traces", files["jaeger"])
    assert "Lines:       3000 total" in text
    assert "Traces:      200 traces, 30 failing" in text
