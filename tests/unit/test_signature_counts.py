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


def test_counted_messages_holding_whole_records_group_by_their_trace():
    trace = (
        "2026-11-20 14:0{n}:00 ERROR charge failed for order {n}\n"
        "Traceback (most recent call last):\n"
        '  File "/srv/app/pay.py", line 1{n}, in charge\n'
        "    card = cards[key]\n"
        '  File "/usr/lib/python3.12/site-packages/stripe/api.py", line 9, in get\n'
        "    raise KeyError(key)\n"
        "KeyError: 'card{n}'"
    )
    php = (
        "[2026-11-20 14:0{n}:00] production.ERROR: order {n} not found\n"
        "Stack trace:\n"
        "#0 /var/www/app/Orders.php(1{n}): find()\n"
        "#1 {{main}}"
    )
    counts = pd.DataFrame(
        [
            (trace.format(n=1), "acme", "/pay", 3, t(1), t(2)),
            (trace.format(n=2), "globex", "/pay", 2, t(3), t(4)),
            (php.format(n=3), "acme", "/orders", 1, t(5), t(5)),
            (php.format(n=4), "acme", "/orders", 4, t(6), t(7)),
            ("timeout after 30 ms", "acme", "/pay", 1, t(8), t(8)),
        ],
        columns=["message", "tenant", "endpoint", "count", "first_seen", "last_seen"],
    )
    table = error_signatures_from_counts(counts)
    assert list(table.columns) == list(ERROR_SIGNATURE_COLUMNS)
    rows = {row["template"]: row for row in table.to_dict("records")}
    python = "KeyError: '<*>'\n  File \"/srv/app/pay.py\", line <*>, in charge"
    laravel = (
        "[<*>] production.ERROR: order <*> not found\n  #<*> /var/www/app/Orders.php(<*>): find()"
    )
    assert set(rows) == {python, laravel, "timeout after <*>"}
    assert (rows[python]["count"], rows[python]["tenants"]) == (5, 2)
    assert rows[python]["first_seen"] == t(1) and rows[python]["last_seen"] == t(4)
    assert rows[laravel]["count"] == 5
    assert not any(template.startswith("Stack trace") for template in rows)
