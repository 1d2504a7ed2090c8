from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from incident_nb.analysis.verification import (
    FAIL,
    PASS,
    UNKNOWN,
    compare_rates,
    verify_fix,
)
from incident_nb.core.models import Severity

START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ONSET, FIX = START + timedelta(minutes=30), START + timedelta(minutes=50)


def _per_minute(after_rate: float, after_p95: float, minutes: int = 70) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for m in range(minutes):
        when = START + timedelta(minutes=m)
        incident = ONSET <= when < FIX
        rate = 0.3 if incident else (after_rate if when >= FIX else 0.005)
        p95 = 400.0 if incident else (after_p95 if when >= FIX else 100.0)
        rows.append((when, 1000, round(1000 * rate), p95 * rng.uniform(0.95, 1.05)))
    frame = pd.DataFrame(rows, columns=["minute", "requests", "errors", "p95_ms"])
    frame["minute"] = pd.to_datetime(frame["minute"], utc=True)
    return frame


def test_compare_rates_needs_significance_and_materiality() -> None:
    assert compare_rates(5, 1000, 500, 100_000).back_to_baseline is True  # same rate
    assert compare_rates(60, 1000, 500, 100_000).back_to_baseline is False  # 6% vs 0.5%
    # 0.6% vs 0.5%: tiny excess, immaterial even with huge counts
    assert compare_rates(6000, 1_000_000, 500, 100_000).back_to_baseline is True
    # 1 error of 10 requests: material but not significant (exact p = 0.049)
    one = compare_rates(1, 10, 500, 100_000)
    assert one.back_to_baseline is True
    assert one.p_value == pytest.approx(1 - 0.995**10)
    assert compare_rates(0, 0, 5, 1000).back_to_baseline is None


def test_back_to_baseline() -> None:
    result = verify_fix(_per_minute(0.005, 100.0), FIX, Severity.SEV1, ONSET)
    verdicts = {v.item: v.verdict for v in result.verdicts}
    assert verdicts["Error rate returned to baseline"] == PASS
    assert verdicts["Latency returned to baseline"] == PASS
    assert verdicts["Watch for 15 minutes post-deploy"] == PASS
    # Without tenants or messages the evidence cannot say: unknown, not pass.
    assert verdicts["No new error types appearing"] == UNKNOWN
    assert verdicts["Affected tenants verified working"] == UNKNOWN
    assert not result.passed
    frame = result.to_frame()
    assert list(frame.columns) == ["item", "verdict", "detail"]


def test_errors_and_latency_still_high() -> None:
    result = verify_fix(_per_minute(0.05, 300.0), FIX, Severity.SEV2, ONSET)
    rate = result.verdict("Error rate returned to baseline")
    assert rate.verdict == FAIL
    assert rate.numbers["watch_error_rate"] == pytest.approx(0.05)
    assert rate.numbers["baseline_error_rate"] == pytest.approx(0.005)
    latency = result.verdict("Latency returned to baseline")
    assert latency.verdict == FAIL
    assert latency.numbers["p_value"] < 0.01
    assert "Mann-Whitney" in latency.detail


def test_watch_window_not_over_yet() -> None:
    frame = _per_minute(0.005, 100.0, minutes=58)  # 8 minutes after the fix
    result = verify_fix(frame, FIX, Severity.SEV2, ONSET)
    watch = result.verdict("Watch for 15 minutes post-deploy")
    assert watch.verdict == UNKNOWN
    assert watch.detail.startswith("8 of 15 minutes observed")
