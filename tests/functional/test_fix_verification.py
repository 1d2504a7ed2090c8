"""Fix verification on generated logs: the verdicts match what happened after the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_nb.analysis.verification import FAIL, PASS, FixVerification, verify_fix
from incident_nb.core.models import Severity
from incident_nb.core.workflow import DEPLOYMENT_CHECKLIST
from incident_nb.sources.logs import LogStore
from tests.fix_scenario import AFFECTED, FixScenario


def _verify(tmp_path: Path, variant: str, severity: Severity = Severity.SEV2) -> FixVerification:
    scenario = FixScenario(variant=variant)
    store = LogStore.open([scenario.write_logs(tmp_path / f"{variant}.jsonl")])
    try:
        return verify_fix(
            store.per_minute(),
            scenario.fix_at,
            severity,
            scenario.onset,
            minute_groups=store.minute_groups(),
            error_messages=store.error_messages(limit=1000),
        )
    finally:
        store.close()


def test_fix_works(tmp_path: Path) -> None:
    result = _verify(tmp_path, "works")
    assert [v.item for v in result.verdicts] == list(DEPLOYMENT_CHECKLIST)
    assert {v.item: v.verdict for v in result.verdicts} == dict.fromkeys(DEPLOYMENT_CHECKLIST, PASS)
    assert result.passed
    assert result.watch_minutes == 15
    assert sorted(result.tenants["tenant"]) == sorted(AFFECTED)
    rate = result.verdict("Error rate returned to baseline")
    assert rate.numbers["watch_error_rate"] < 0.02
    assert "exact binomial test" in rate.detail


def test_errors_persist_for_one_tenant(tmp_path: Path) -> None:
    result = _verify(tmp_path, "tenant")
    verdicts = {v.item: v.verdict for v in result.verdicts}
    assert verdicts["Affected tenants verified working"] == FAIL
    assert "still failing: globex" in result.verdict("Affected tenants verified working").detail
    assert verdicts["No new error types appearing"] == PASS
    back = dict(zip(result.tenants["tenant"], result.tenants["back"], strict=True))
    assert back == {"acme": True, "globex": False}
    assert not result.passed


def test_new_error_type_appears(tmp_path: Path) -> None:
    result = _verify(tmp_path, "new_error")
    verdict = result.verdict("No new error types appearing")
    assert verdict.verdict == FAIL
    assert list(result.new_signatures["template"]) == [
        "KeyError: 'discount' while pricing order <*>"
    ]
    # The new error hits every tenant, the affected ones included: not back to normal either.
    assert result.verdict("Affected tenants verified working").verdict == FAIL
    assert result.verdict("Error rate returned to baseline").verdict == FAIL
    assert result.verdict("Latency returned to baseline").verdict == PASS


@pytest.mark.parametrize("severity", [Severity.SEV3, Severity.SEV4])
def test_watch_period_follows_severity(tmp_path: Path, severity: Severity) -> None:
    result = _verify(tmp_path, "works", severity)
    assert result.watch_minutes == 5
    assert result.verdict("Watch for 15 minutes post-deploy").numbers["observed_minutes"] == 5
