from datetime import UTC, datetime, timedelta

import pytest

from incident_nb.core.models import Severity
from incident_nb.core.severity import next_update, update_cadence

OPEN = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return OPEN + timedelta(minutes=minutes)


def test_cadence_per_severity():
    assert [update_cadence(s) for s in Severity] == [
        timedelta(minutes=15),
        timedelta(minutes=30),
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("level", "sent", "now", "due", "overdue", "late"),
    [
        # SEV-1: 15 min after opening, then 15 min after the last update
        (Severity.SEV1, [], 10, 15, False, 0),
        (Severity.SEV1, [], 15, 15, False, 0),  # due exactly now is not late yet
        (Severity.SEV1, [], 22, 15, True, 7),
        (Severity.SEV1, [12, 26], 40, 41, False, 0),
        (Severity.SEV1, [26, 12], 50, 41, True, 9),  # order of updates does not matter
        # SEV-2: 30 min
        (Severity.SEV2, [], 29, 30, False, 0),
        (Severity.SEV2, [25], 70, 55, True, 15),
        # SEV-3/4: nothing due while open
        (Severity.SEV3, [], 600, None, False, 0),
        (Severity.SEV4, [5], 600, None, False, 0),
    ],
)
def test_next_update_while_open(level, sent, now, due, overdue, late):
    result = next_update(level, OPEN, [at(m) for m in sent], at(now))
    assert result.due_at == (None if due is None else at(due))
    assert result.overdue is overdue
    assert result.late_by == timedelta(minutes=late)


@pytest.mark.parametrize("level", list(Severity))
def test_on_resolution_one_update_is_due_at_every_severity(level):
    resolved = at(90)
    missing = next_update(level, OPEN, [at(10)], at(100), resolved)
    assert (
        missing.due_at == resolved and missing.overdue and missing.late_by == timedelta(minutes=10)
    )
    done = next_update(level, OPEN, [at(10), at(95)], at(100), resolved)
    assert done.due_at is None and not done.overdue


def test_descriptions_say_when_and_how_late():
    fine = next_update(Severity.SEV2, OPEN, [], at(20))
    assert (
        fine.describe(at(20))
        == "Next update due at 14:30 UTC, in 10 min (SEV-2: updates every 30 min)."
    )
    late = next_update(Severity.SEV1, OPEN, [], at(22))
    assert late.describe(at(22)) == (
        "OVERDUE: the update due at 14:15 UTC is 7 min late (SEV-1: updates every 15 min)."
    )
    quiet = next_update(Severity.SEV3, OPEN, [], at(22))
    assert quiet.describe(at(22)) == "No update due now: SEV-3: updates on resolution."
