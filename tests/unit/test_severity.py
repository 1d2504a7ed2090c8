import re

import pytest

from incident_nb.core.models import Severity
from incident_nb.core.severity import SEVERITY_TABLE, ImpactFacts, level_info, suggest_severity
from incident_nb.core.workflow import DEPLOYMENT_CHECKLIST, FIX_CHECKLIST, STAGING_STEPS, STEPS


def test_sev_table_is_the_workflows_word_for_word(shared_data):
    workflow = (shared_data.parent / "incident-response-workflow.md").read_text()
    for row in SEVERITY_TABLE:
        line = f"| **{row.level.value}** | {row.criteria} | {row.response} |"
        assert line in workflow
    for item in FIX_CHECKLIST + DEPLOYMENT_CHECKLIST:
        assert f"[ ] {item}\n" in workflow
    for number, step in enumerate(STAGING_STEPS, start=1):
        assert re.search(rf"{number}\. \*\*{re.escape(step)}\*\*", workflow)
    for step in STEPS:
        assert f"### {step}\n" in workflow


def test_cadences_and_watch_periods():
    assert [level_info(s).update_every_min for s in Severity] == [15, 30, None, None]
    assert [level_info(s).watch_period_min for s in Severity] == [15, 15, 5, 5]


@pytest.mark.parametrize(
    ("facts", "level", "reason"),
    [
        (ImpactFacts(8, 8), Severity.SEV1, "all tenants affected (8)"),
        (ImpactFacts(8, 1, overall_error_rate=0.95), Severity.SEV1, "service down: 95.0%"),
        (ImpactFacts(8, 0, data_loss=True), Severity.SEV1, "data loss reported"),
        (ImpactFacts(8, 0, security_breach=True), Severity.SEV1, "security breach reported"),
        (
            ImpactFacts(8, 3),
            Severity.SEV2,
            "significant tenant subset affected: 3 of 8 tenants affected (38%)",
        ),
        (
            ImpactFacts(100, 1, (("/checkout", 0.8),)),
            Severity.SEV2,
            "major feature broken: /checkout fails 80.0%",
        ),
        (
            ImpactFacts(100, 2, (("/search", 0.1),)),
            Severity.SEV3,
            "minor feature degraded: /search fails 10.0%",
        ),
        (ImpactFacts(100, 2), Severity.SEV3, "few tenants affected: 2 of 100"),
        (ImpactFacts(100, 0), Severity.SEV4, "no functionality impact measured"),
    ],
)
def test_rubric_picks_the_worst_matching_row_and_says_why(facts, level, reason):
    suggestion = suggest_severity(facts)
    assert suggestion.level is level
    assert any(r.startswith(reason) for r in suggestion.reasons), suggestion.reasons
