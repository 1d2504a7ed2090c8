"""Localization on a small system with known faults: each signal finds the service at fault,
says so with the numbers, and does not blame the services that merely feel it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_nb.analysis.localize import Localization, localize
from incident_nb.analysis.localize.latency import edge_findings, edge_shares
from incident_nb.analysis.localize.stats import (
    confidence,
    g_test,
    greater,
    more_often,
    rate_divergence,
    ratio_strength,
)
from incident_nb.analysis.localize.structure import local_requests, span_structure
from tests.localize_scenario import BASELINE_START, Fault, frames, inputs, period


def ranked(result: Localization) -> list[str]:
    return [s.service for s in result.services]


def evidence(result: Localization, service: str, signal: str) -> list[str]:
    rank = next(s for s in result.services if s.service == service)
    return [e.summary for e in rank.evidence if e.signal == signal]


def test_a_healthy_period_blames_nobody_much():
    result = localize(inputs(Fault()))
    assert set(ranked(result)) == {"gateway", "shop", "stock", "pay", "db-proxy", "ledger"}
    assert max(s.score for s in result.services) < 0.5


def test_own_time_points_at_the_slow_service_not_its_callers():
    result = localize(inputs(Fault(slow={"stock": 8.0})))
    assert ranked(result)[0] == "stock"
    said = evidence(result, "stock", "latency")[0]
    assert said.startswith("own time in `GET /stock/{id}` rose from")
    assert "(median; p90" in said
    # shop waits longer for stock, but its own time did not change
    assert next(s for s in result.services if s.service == "shop").score < 0.3


def test_slow_edges_sharing_an_end_point_at_that_end():
    # Every call into and out of pay is delayed: shop -> pay and pay -> ledger are slow,
    # shop's other edges (gateway -> shop, shop -> stock) are not.
    result = localize(inputs(Fault(delay={"pay": 40.0})))
    assert ranked(result)[0] == "pay"
    said = evidence(result, "pay", "latency")[0]
    assert "time between client and server on calls" in said
    assert "2 of its 2 edges are at least twice as slow" in said
    assert "ledger" not in ranked(result)[:1] and "shop" not in ranked(result)[:1]


def test_one_slow_edge_goes_to_the_end_whose_other_edges_are_slow_too():
    edges = pd.DataFrame(
        {
            "caller": ["a", "a", "b", "x"],
            "callee": ["x", "y", "x", "z"],
            "baseline": 2.0,
            "window": [50.0, 2.0, 50.0, 50.0],
            "n_baseline": 20,
            "n_window": 20,
            "p_value": [1e-6, 0.5, 1e-6, 1e-6],
            "strength": [0.96, 0.0, 0.96, 0.96],
            "score": [0.96, 0.0, 0.96, 0.96],
        }
    )
    shares = edge_shares(edges).set_index(["caller", "callee"])
    # a's other edge (a -> y) is fine: the slow a -> x is x's
    assert shares.loc[("a", "x"), "callee_share"] > 0.9
    # z has no other edge; x's others are slow: x -> z is x's too
    assert shares.loc[("x", "z"), "caller_share"] > 0.6
    scores = edge_findings(edges).set_index("service")["score"]
    assert scores.idxmax() == "x"
    assert scores["x"] > 0.9 > scores.drop("x").max()


def test_a_new_error_template_points_at_the_service_logging_it():
    result = localize(inputs(Fault(error="ledger")))
    assert ranked(result)[0] == "ledger"
    said = evidence(result, "ledger", "errors")[0]
    assert said.startswith("ERROR `[POST <*>] cannot read item <*> from cache: timeout`")
    assert "in 100% of `POST /entries` requests" in said
    assert "new, never in the baseline" in said


def test_a_changed_message_sequence_is_found_where_nothing_errs_or_slows():
    result = localize(inputs(Fault(skip="stock")))
    assert ranked(result)[0] == "stock"
    said = evidence(result, "stock", "logs")[0]
    assert "in `GET /stock/{id}`, after" in said
    assert "fallback used" in said and "came in 100%" in said and "(was 0%" in said
    assert not evidence(result, "stock", "errors")


def test_cpu_metric_points_at_the_starved_service():
    result = localize(inputs(Fault(cpu={"pay": 30.0})))
    assert ranked(result)[0] == "pay"
    said = evidence(result, "pay", "resources")[0]
    assert said.startswith("CpuUsage rose from") and "millicores" in said


def test_callers_reacting_to_a_faulty_callee_rank_below_it():
    # db-proxy fails; stock, its caller, logs the same kind of error in reaction.
    base = period(BASELINE_START, seed=3)
    bad = period(BASELINE_START.replace(hour=11), fault=Fault(error="db-proxy"), seed=4)
    logs = bad.logs.copy()
    stock = logs[(logs["service"] == "stock") & logs["text"].str.contains("done")]
    reaction = stock.assign(
        level="ERROR", text="[GET /stock/{id}] rows unavailable: upstream error"
    )
    bad = type(bad)(
        bad.window, bad.spans, pd.concat([logs, reaction], ignore_index=True), bad.metrics
    )
    from incident_nb.analysis.localize import LocalizeInputs

    result = localize(LocalizeInputs(frames(bad), frames(base)))
    assert ranked(result)[:2] == ["db-proxy", "stock"] or ranked(result)[0] == "db-proxy"
    stock_rank = next(s for s in result.services if s.service == "stock")
    assert any(
        "follows the same change in a service it calls" in e.summary for e in stock_rank.evidence
    )


def test_the_json_document_has_the_promised_shape():
    payload = localize(inputs(Fault(slow={"pay": 6.0}))).as_json()
    assert set(payload) >= {"window", "baseline", "services"}
    assert set(payload["window"]) == {"start", "end"}
    assert payload["window"]["start"] == "2026-03-02T11:00:00Z"
    first = payload["services"][0]
    assert set(first) == {"service", "score", "evidence"}
    assert first["service"] == "pay"
    assert {e["signal"] for s in payload["services"] for e in s["evidence"]} <= {
        "latency",
        "errors",
        "logs",
        "resources",
    }
    scores = [s["score"] for s in payload["services"]]
    assert scores == sorted(scores, reverse=True)


def test_own_time_excludes_calls_even_when_a_handler_runs_beside_them():
    # gateway's handler span runs beside (not around) its call to shop, as async gateways do
    spans = pd.DataFrame(
        {
            "trace_id": "t",
            "span_id": ["r", "h", "c", "s"],
            "parent_span_id": [None, "r", "r", "c"],
            "service": ["gw", "gw", "gw", "shop"],
            "operation": ["/", "handle", "HTTP POST", "POST /x"],
            "start": pd.to_datetime([0, 1, 2, 3], unit="ms", utc=True),
            "duration_ms": [100.0, 98.0, 96.0, 90.0],
            "is_error": False,
            "kind": "unspecified",
        }
    )
    spans["parent_span_id"] = spans["parent_span_id"].astype("string")
    structure = span_structure(spans)
    requests = local_requests(structure).set_index("service")
    assert requests.loc["gw", "own_ms"] == pytest.approx(4.0)
    assert requests.loc["shop", "own_ms"] == pytest.approx(90.0)
    call = structure[structure["is_call"]].iloc[0]
    assert (call["callee"], call["self_ms"]) == ("shop", pytest.approx(6.0))


def test_statistics_agree_with_their_definitions():
    assert confidence(0.1) == 0.0 and confidence(0.001) == 1.0 and confidence(0.01) == 0.5
    assert ratio_strength(10.0, 20.0) == 0.5 and ratio_strength(20.0, 10.0) == 0.0
    assert rate_divergence(0.01, 0.01) == 0.0
    assert rate_divergence(0.01, 1.0) > rate_divergence(0.01, 0.1) > 0
    assert more_often(0, 10, 0, 10) == 1.0
    assert more_often(10, 10, 0, 100) < 1e-10
    assert g_test([10, 10], [10, 10]) == pytest.approx(1.0)
    rng = np.random.default_rng(5)
    assert greater(rng.normal(10, 1, 30), rng.normal(0, 1, 30)) < 1e-6
    assert greater([1, 1, 1], [1, 1, 1]) > 0.4


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.1, 1e4), min_size=3, max_size=30),
    st.lists(st.floats(0.1, 1e4), min_size=3, max_size=30),
)
def test_the_rank_test_is_a_probability_that_falls_as_the_window_slows(window, baseline):
    p = greater(window, baseline)
    assert 0.0 <= p <= 1.0
    slower = greater([w + 1e5 for w in window], baseline)
    assert slower <= p + 1e-12
    assert slower < 0.05 or len(window) + len(baseline) < 10


def test_the_chart_shows_the_top_services_signals_against_the_baseline():
    from incident_nb.charts import localization_chart

    result = localize(inputs(Fault(error="stock", slow={"stock": 3.0}, cpu={"stock": 20.0})))
    fig = localization_chart(result.findings, ranked(result), top=2)
    assert fig.layout.annotations[0].text == "1. stock"
    assert {t.name for t in fig.data} == {"errors", "logs", "latency", "resources"}
    errors = next(t for t in fig.data if t.name == "errors")
    assert list(errors.text) == ["new"]
    cpu = next(t for t in fig.data if t.name == "resources")
    assert cpu.base == 1.0 and 15 < cpu.x[0] + 1 < 30
    assert "CpuUsage rose from" in cpu.customdata[0][0]
    empty = localization_chart(result.findings.iloc[0:0], [])
    assert empty.layout.annotations[0].text == "no findings"
