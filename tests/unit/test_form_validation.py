from datetime import UTC, date, datetime

import pytest

from incident_nb.core.models import Severity
from incident_nb.core.record import (
    ActionItem,
    AlertRecord,
    FiveWhys,
    IncidentRecord,
    SeverityDecision,
    Why,
)
from incident_nb.core.severity import SeveritySuggestion
from incident_nb.forms.impact import effective_suggestion
from incident_nb.forms.validation import (
    action_item_problems,
    finalize_problems,
    five_whys_problems,
    lines,
    parse_day,
    parse_time,
    severity_problems,
)


def test_times_and_days():
    assert parse_time("2026-11-20 14:07") == datetime(2026, 11, 20, 14, 7, tzinfo=UTC)
    assert parse_time(" 2026-11-20T15:07:00+01:00 ") == datetime(2026, 11, 20, 14, 7, tzinfo=UTC)
    with pytest.raises(ValueError, match=r"not a time; use e\.g\. 2026-11-20 14:07"):
        parse_time("after lunch")
    with pytest.raises(ValueError, match="enter a time"):
        parse_time("  ")
    assert parse_day("2026-12-05") == date(2026, 12, 5)
    with pytest.raises(ValueError, match="use YYYY-MM-DD"):
        parse_day("next week")
    assert lines(" a \n\n b\n") == ["a", "b"]


def test_severity_other_than_suggested_needs_a_reason():
    assert severity_problems(SeverityDecision(level=Severity.SEV2), Severity.SEV2) == {}
    problems = severity_problems(SeverityDecision(level=Severity.SEV3), Severity.SEV2)
    assert problems == {"severity.reason": "SEV-3 differs from the suggested SEV-2: say why"}
    assert (
        severity_problems(
            SeverityDecision(level=Severity.SEV3, reason="internal only"), Severity.SEV2
        )
        == {}
    )


def test_flags_raise_the_suggestion_to_sev1():
    base = SeveritySuggestion(Severity.SEV3, ("few tenants",))
    assert effective_suggestion(base, False, False) is base
    raised = effective_suggestion(base, True, False)
    assert raised.level is Severity.SEV1 and raised.reasons == ("data loss reported",)


def test_five_whys_rules():
    short = FiveWhys(whys=[Why(answer="a")] * 3, would_still_happen=True)
    problems = five_whys_problems(short)
    assert problems["five_whys.whys"].startswith("3 of at least 5 whys answered")
    assert set(problems) == {
        "five_whys.whys",
        "five_whys.root_cause",
        "five_whys.category",
        "five_whys.would_still_happen",
    }
    done = FiveWhys(
        whys=[Why(answer=str(i)) for i in range(5)],
        root_cause="r",
        category="data",
        would_still_happen=False,
    )
    assert five_whys_problems(done) == {}


def test_action_items_need_owner_and_due_date_once_final():
    item = ActionItem(action="Add index")
    assert action_item_problems(item, final=False) == []
    assert action_item_problems(item, final=True) == [
        "an owner is required before the post-mortem is final",
        "a due date is required before the post-mortem is final",
    ]
    record = IncidentRecord(
        id="x",
        title="t",
        service="s",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        alert=AlertRecord(
            source="m", key="k", title="t", service="s", started_at=datetime(2026, 1, 1, tzinfo=UTC)
        ),
        action_items=[item],
    )
    problems = finalize_problems(record)
    assert problems["action_items.0"].startswith("Add index: an owner is required")
    assert {"severity.level", "narrative.summary", "narrative.author", "five_whys.whys"} <= set(
        problems
    )
