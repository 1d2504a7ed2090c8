"""Where failing requests fail, on small hand-made span sets with known answers."""

import math

import pandas as pd
import pytest

from incident_nb.analysis.traces import (
    compare_failing,
    critical_path,
    critical_path_by_service,
    failure_origins,
    headline,
    restrict_traces,
    trace_outcomes,
    trace_summary,
)
from incident_nb.sources.traces import SPAN_COLUMNS, spans_frame

T0 = 1_700_000_000_000_000_000  # ns


def span(trace, sid, parent, service, op, ms, *, error=False, at_ms=0, message=""):
    return {
        "trace_id": trace,
        "span_id": sid,
        "parent_span_id": parent,
        "service": service,
        "operation": op,
        "start": T0 + at_ms * 1_000_000,
        "duration_ms": float(ms),
        "is_error": error,
        "status_message": message,
        "kind": "server",
        "http_method": None,
        "http_route": None,
        "http_status": None,
    }


@pytest.fixture
def spans():
    return spans_frame(
        [
            # t1 fails in db; api and svc only pass the error on
            span("t1", "a", None, "api", "GET /x", 100, error=True),
            span("t1", "b", "a", "svc", "work", 90, error=True, at_ms=5),
            span("t1", "c", "b", "db", "SELECT", 80, error=True, at_ms=10, message="lock"),
            span("t1", "d", "c", "db", "fetch", 1, at_ms=20),
            # t2 fails in two places: db SELECT and cache get (both error leaves)
            span("t2", "a", None, "api", "GET /x", 60, error=True),
            span("t2", "b", "a", "db", "SELECT", 40, error=True, at_ms=5),
            span("t2", "e", "a", "cache", "get", 2, error=True, at_ms=50),
            # t3 succeeds; it is cut short: its root's parent is not in the file
            span("t3", "a", "zz", "api", "GET /x", 30, at_ms=1000),
            span("t3", "b", "a", "db", "SELECT", 20, at_ms=1005),
            span("t4", "a", None, "api", "GET /x", 10, at_ms=2000),
            span("t4", "b", "a", "db", "SELECT", 4, at_ms=2002),
        ]
    )


def test_the_frame_has_the_normalised_columns(spans):
    assert tuple(spans.columns) == SPAN_COLUMNS
    assert str(spans["start"].dt.tz) == "UTC"


def test_outcomes_per_trace(spans):
    out = trace_outcomes(spans).set_index("trace_id")
    assert out["failing"].to_dict() == {"t1": True, "t2": True, "t3": False, "t4": False}
    assert out["errors"].to_dict() == {"t1": 3, "t2": 3, "t3": 0, "t4": 0}
    assert out.loc["t3", "root_service"] == "api"  # parent missing from the file: still the root
    assert out.loc["t1", "root_error"]
    assert out.loc["t2", "duration_ms"] == 60.0
    assert out.loc["t1", "duration_ms"] == 100.0


def test_origins_are_the_deepest_error_spans(spans):
    origins = failure_origins(spans)
    rows = [tuple(r) for r in origins[["service", "operation", "failing_traces", "share"]].values]
    assert rows == [("db", "SELECT", 2, 1.0), ("cache", "get", 1, 0.5)]
    assert origins.loc[0, "example_message"] == "lock"


def test_failing_and_successful_traces_compared_per_service(spans):
    by = compare_failing(spans, ("service",)).set_index("service")
    db = by.loc["db"]
    assert (db["spans_failing"], db["spans_ok"], db["errors"]) == (3, 2, 2)
    assert db["mean_ms_failing"] == pytest.approx((80 + 1 + 40) / 3)
    assert db["mean_ms_ok"] == pytest.approx(12.0)
    assert db["p95_ms_ok"] == pytest.approx(4 + 0.95 * 16)  # linear interpolation
    assert db["slowdown"] == pytest.approx(((80 + 1 + 40) / 3) / 12)
    assert math.isnan(by.loc["cache", "mean_ms_ok"])  # cache is only in failing traces
    assert math.isnan(by.loc["cache", "slowdown"])
    ops = compare_failing(spans, ("service", "operation"))
    select = ops[(ops["service"] == "db") & (ops["operation"] == "SELECT")].iloc[0]
    assert select["mean_ms_failing"] == pytest.approx(60.0)
    assert select["slowdown"] == pytest.approx(5.0)


def test_headline_names_the_origin_its_share_and_the_slowdown(spans):
    ops = compare_failing(spans, ("service", "operation"))
    text = headline(failure_origins(spans), ops)
    assert text == (
        "Failing requests fail in db `SELECT` (100% of failing traces) "
        "and spend 5.0x longer in it than successful requests."
    )


def test_summary_with_no_failures_and_with_no_spans(spans):
    ok = spans[spans["trace_id"].isin(["t3", "t4"])]
    summary = trace_summary(ok, malformed=2)
    assert summary["failing_traces"] == 0
    assert summary["failure_origins"] == []
    assert summary["malformed"] == 2
    assert summary["headline"] == "No failing traces: no span is an error."
    assert summary["window"] == {"start": "2023-11-14T22:13:21Z", "end": "2023-11-14T22:13:22Z"}
    empty = trace_summary(spans.iloc[0:0])
    assert (empty["spans"], empty["traces"], empty["services"]) == (0, 0, [])
    assert "window" not in empty


def test_restrict_keeps_whole_traces_that_begin_in_the_window(spans):
    t0 = pd.Timestamp(T0, unit="ns", tz="UTC")
    late = restrict_traces(spans, t0 + pd.Timedelta(milliseconds=500), None)
    assert sorted(set(late["trace_id"])) == ["t3", "t4"]
    early = restrict_traces(spans, None, t0 + pd.Timedelta(milliseconds=1000))
    assert sorted(set(early["trace_id"])) == ["t1", "t2"]
    assert len(early) == 7  # t2's span starting 50 ms in is kept with its trace
    assert restrict_traces(spans) is spans


def test_critical_path_walks_back_from_the_end(spans):
    path = critical_path(spans).set_index(["trace_id", "span_id"])["critical_ms"]
    # t1: a 0-100, b 5-95, c 10-90, d 20-21: every span is on the path
    assert path.loc["t1"].to_dict() == pytest.approx({"a": 10.0, "b": 10.0, "c": 79.0, "d": 1.0})
    # t2: a 0-60; b 5-45 and e 50-52 are sequential children: both on the path
    assert path.loc["t2"].to_dict() == pytest.approx({"a": 18.0, "b": 40.0, "e": 2.0})
    per_trace = path.groupby(level="trace_id").sum()
    assert per_trace.to_dict() == pytest.approx({"t1": 100.0, "t2": 60.0, "t3": 30.0, "t4": 10.0})


def test_overlapping_children_are_off_the_path():
    spans = spans_frame(
        [
            span("t", "root", None, "api", "GET", 100),
            span("t", "slow", "root", "db", "q1", 80, at_ms=10),  # ends at 90
            span("t", "fast", "root", "db", "q2", 20, at_ms=30),  # inside q1: off the path
        ]
    )
    path = critical_path(spans).set_index("span_id")["critical_ms"].to_dict()
    assert path == pytest.approx({"root": 20.0, "slow": 80.0})
    by = critical_path_by_service(spans)
    assert by[["service", "critical_ms_ok"]].values.tolist() == [["db", 80.0], ["api", 20.0]]
