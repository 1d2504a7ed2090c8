"""Missing and numpy values in the frames never break the JSON summary."""

import json
import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from incident_nb.analysis.assessment import _plain


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (pd.NA, None),
        (pd.NaT, None),
        (None, None),
        (float("nan"), None),
        (np.float64("nan"), None),
        (float("inf"), None),
        (np.int64(7), 7),
        (np.int32(500), 500),
        (np.float32(0.5), 0.5),
        (np.bool_(True), True),
        (1.23456789, 1.234568),
        ("text", "text"),
        (pd.Timestamp("2026-11-20T14:00:00.5Z"), "2026-11-20T14:00:00Z"),
        (datetime(2026, 11, 20, 14, tzinfo=UTC), "2026-11-20T14:00:00Z"),
    ],
)
def test_plain_values_are_json_ready(value, expected):
    got = _plain(value)
    assert got == expected or (got is None and expected is None)
    json.dumps(got)


def test_a_nullable_integer_column_row_is_json_ready():
    frame = pd.DataFrame({"status": pd.array([500, None], dtype="Int32")})
    row = [_plain(v) for v in frame["status"]]
    assert row == [500, None]
    assert not any(isinstance(v, float) and math.isnan(v) for v in row)
