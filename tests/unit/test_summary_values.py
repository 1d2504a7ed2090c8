"""Missing and numpy values in the evidence frames never break the JSON summary."""

import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from incident_nb.core.findings import EndpointImpact, ErrorEvent, SignatureNote, TenantImpact
from incident_nb.evidence.logs import _records


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (pd.NA, None),
        (pd.NaT, None),
        (None, None),
        (float("nan"), None),
        (np.float64("nan"), None),
        (float("inf"), None),
        (np.int64(7), 7.0),
        (np.int32(500), 500.0),
        (np.float32(0.5), 0.5),
        (1.23456789, 1.234568),
    ],
)
def test_numbers_of_any_kind_are_json_ready(value, expected):
    frame = pd.DataFrame({"endpoint": ["/x"], "requests": [1], "errors": [0], "p99_ms": [value]})
    row = EndpointImpact.from_json(_records(frame)[0])
    document = {"p99_ms": None if row.p99_ms is None else round(row.p99_ms, 6)}
    assert document["p99_ms"] == expected
    json.dumps(document)


def test_a_nullable_integer_column_row_is_json_ready():
    frame = pd.DataFrame(
        {
            "ts": [pd.Timestamp("2026-11-20T14:00:00.5Z"), pd.NaT],
            "status": pd.array([500, None], dtype="Int32"),
            "tenant": pd.array(["acme", None], dtype="string"),
        }
    )
    first, second = (ErrorEvent.from_json(r) for r in _records(frame))
    assert first.to_json() == {
        "ts": "2026-11-20T14:00:00Z",
        "request_id": None,
        "tenant": "acme",
        "endpoint": None,
        "status": 500,
        "message": None,
    }
    assert second.ts is None and second.status is None and second.tenant is None
    json.dumps([first.to_json(), second.to_json()])


def test_rows_with_missing_times_and_counts_read():
    frame = pd.DataFrame(
        {
            "id": ["a1"],
            "template": ["boom <*>"],
            "count": [np.int64(3)],
            "first_seen": [pd.NaT],
            "last_seen": [datetime(2026, 11, 20, 14, tzinfo=UTC)],
            "example": ["boom 1"],
            "new_since_onset": [np.bool_(True)],
            "tenant": [pd.NA],
        }
    )
    (row,) = _records(frame)
    signature = SignatureNote.from_json(row)
    assert (signature.count, signature.first_seen, signature.new_since_onset) == (3, None, True)
    assert TenantImpact.from_json({"tenant": "acme", "requests": np.int64(2)}).requests == 2
