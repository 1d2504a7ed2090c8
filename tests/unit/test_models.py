from datetime import UTC, datetime, timedelta, timezone

import pytest

from incident_nb.core.models import TimeWindow, iso, parse_utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T14:11:12Z", datetime(2026, 11, 20, 14, 11, 12, tzinfo=UTC)),
        ("2026-11-20T14:11:12.123456789Z", datetime(2026, 11, 20, 14, 11, 12, 123456, tzinfo=UTC)),
        ("2026-11-20T14:11:12.1Z", datetime(2026, 11, 20, 14, 11, 12, 100000, tzinfo=UTC)),
        ("2026-11-20T16:11:12+02:00", datetime(2026, 11, 20, 14, 11, 12, tzinfo=UTC)),
        ("2026-11-20T14:11:12", datetime(2026, 11, 20, 14, 11, 12, tzinfo=UTC)),
        ("2026-11-20T14:11:12.000000001-01:00", datetime(2026, 11, 20, 15, 11, 12, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
    ],
)
def test_parse_utc_accepts_zero_to_nine_fraction_digits_and_offsets(text, expected):
    parsed = parse_utc(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-01T00:00:00Z", "12:00"])
def test_parse_utc_rejects_non_timestamps_with_the_text(text):
    with pytest.raises(ValueError, match="not an ISO-8601 timestamp"):
        parse_utc(text)


def test_iso_is_utc_with_z_to_the_second():
    local = datetime(2026, 1, 2, 3, 4, 5, 999, tzinfo=timezone(timedelta(hours=-5)))
    assert iso(local) == "2026-01-02T08:04:05Z"


def test_time_window_refuses_to_end_before_it_starts():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="before it starts"):
        TimeWindow(start, start - timedelta(seconds=1))
