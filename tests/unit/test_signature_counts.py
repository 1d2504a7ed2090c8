from datetime import UTC, datetime

import pandas as pd

from incident_nb.analysis.signature_tables import (
    ERROR_SIGNATURE_COLUMNS,
    error_signatures,
    error_signatures_from_counts,
)


def t(minute):
    return pd.Timestamp(datetime(2026, 11, 20, 14, minute, tzinfo=UTC))


def test_counted_rows_give_the_same_signatures_as_events():
    events = pd.DataFrame(
        [
            ("db error for order 1", "acme", "/pay", t(1)),
            ("db error for order 2", "acme", "/pay", t(2)),
            ("db error for order 3", "globex", "/cart", t(3)),
            ("timeout after 30 ms", "acme", "/pay", t(4)),
        ],
        columns=["message", "tenant", "endpoint", "ts"],
    )
    counts = (
        events.groupby(["message", "tenant", "endpoint"])
        .agg(count=("ts", "size"), first_seen=("ts", "min"), last_seen=("ts", "max"))
        .reset_index()
    )
    from_counts = error_signatures_from_counts(counts)
    from_events = error_signatures(events)
    assert list(from_counts.columns) == list(ERROR_SIGNATURE_COLUMNS)
    assert from_counts[["id", "template", "count", "tenants"]].to_dict("records") == from_events[
        ["id", "template", "count", "tenants"]
    ].to_dict("records")
    first = from_counts.iloc[0]
    assert (first["count"], first["first_seen"], first["last_seen"]) == (3, t(1), t(3))
    assert first["example"] == "db error for order 1" and first["endpoints"] == "/cart, /pay"
    assert error_signatures_from_counts(counts.iloc[:0]).empty
