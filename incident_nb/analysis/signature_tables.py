"""Tables of error signatures: what the notebook, ``analyze --json`` and the CLI show.

:func:`signatures_frame` turns a column of messages (and their times) into one row per signature;
:func:`error_signatures` does the same for error events that also carry tenant and endpoint, in
the shape of the log store's error-message table.
"""

from __future__ import annotations

import pandas as pd

from incident_nb.analysis.signatures import DEFAULT_CONFIG, Grouping, GroupingConfig, group_messages

SIGNATURE_COLUMNS = ("id", "template", "count", "first_seen", "last_seen", "example")


def signatures_frame(
    messages: pd.Series,
    timestamps: pd.Series | None = None,
    config: GroupingConfig = DEFAULT_CONFIG,
) -> pd.DataFrame:
    """Signatures of a column of messages as a table, most frequent first.

    Args:
        messages: one message per row (nulls count as empty messages, they are not dropped).
        timestamps: the time of each row (same length, aware or naive datetimes; missing ones
            are ignored for first and last seen); None when the lines have no time.
        config: clustering knobs; the default is meant for every system.

    Returns:
        Columns ``id, template, count, first_seen, last_seen, example``; the example is the
        first message of the signature; ``first_seen``/``last_seen`` are NaT without timestamps.
    """
    if timestamps is not None and len(timestamps) != len(messages):
        raise ValueError(
            f"{len(timestamps)} timestamps for {len(messages)} messages; give one per message"
        )
    return grouping_frame(group_messages(messages, config), timestamps)


def grouping_frame(grouping: Grouping, timestamps: pd.Series | None = None) -> pd.DataFrame:
    """The table of :func:`signatures_frame` for a grouping already made (same columns).

    Args:
        grouping: the signatures of some messages.
        timestamps: the time of each of those messages, or None.
    """
    frame = pd.DataFrame(
        {
            "id": [s.id for s in grouping.signatures],
            "template": [s.template for s in grouping.signatures],
            "count": [s.count for s in grouping.signatures],
            "example": [s.example for s in grouping.signatures],
        }
    )
    times = (
        pd.Series(pd.NaT, index=range(len(grouping.labels)), dtype="datetime64[ns, UTC]")
        if timestamps is None
        else pd.Series(pd.to_datetime(timestamps.to_numpy(), utc=True))
    )
    by_label = times.groupby(grouping.labels)
    frame["first_seen"] = by_label.min().reindex(range(len(frame))).reset_index(drop=True)
    frame["last_seen"] = by_label.max().reindex(range(len(frame))).reset_index(drop=True)
    return frame.loc[:, list(SIGNATURE_COLUMNS)]


ERROR_SIGNATURE_COLUMNS = (*SIGNATURE_COLUMNS, "tenants", "endpoints")


def error_signatures(events: pd.DataFrame, config: GroupingConfig = DEFAULT_CONFIG) -> pd.DataFrame:
    """Signatures of error events, with how many tenants and which endpoints each one hit.

    Args:
        events: one row per error event with ``message`` and ``ts`` columns, and optionally
            ``tenant`` and ``endpoint`` (missing columns count as unknown).
        config: clustering knobs; the default is meant for every system.

    Returns:
        Columns ``id, template, count, first_seen, last_seen, example, tenants, endpoints``
        (``endpoints`` sorted and comma-separated), most frequent first.
    """
    messages = events["message"].reset_index(drop=True)
    grouping = group_messages(messages, config)
    frame = grouping_frame(grouping, events["ts"].reset_index(drop=True))
    labels = pd.Series(grouping.labels)
    tenants = (
        events["tenant"].reset_index(drop=True)
        if "tenant" in events
        else pd.Series([None] * len(events), dtype=object)
    )
    endpoints = (
        events["endpoint"].reset_index(drop=True)
        if "endpoint" in events
        else pd.Series([None] * len(events), dtype=object)
    )
    frame["tenants"] = tenants.groupby(labels).nunique().reindex(frame.index, fill_value=0)
    frame["endpoints"] = (
        endpoints.dropna()
        .groupby(labels[endpoints.notna()])
        .agg(lambda values: ", ".join(sorted(set(map(str, values)))))
        .reindex(frame.index)
    )
    return frame.loc[:, list(ERROR_SIGNATURE_COLUMNS)]


__all__ = [
    "ERROR_SIGNATURE_COLUMNS",
    "SIGNATURE_COLUMNS",
    "error_signatures",
    "grouping_frame",
    "signatures_frame",
]


def error_signatures_from_counts(
    counts: pd.DataFrame, config: GroupingConfig = DEFAULT_CONFIG
) -> pd.DataFrame:
    """Signatures of error events already counted per (message, tenant, endpoint).

    The log store counts events per distinct message in SQL, so that millions of error lines
    cost as much as their distinct messages here.

    Args:
        counts: columns ``message, tenant, endpoint, count, first_seen, last_seen``.
        config: clustering knobs; the default is meant for every system.

    Returns:
        The columns of :func:`error_signatures`, most frequent first.
    """
    if counts.empty:
        return pd.DataFrame(columns=list(ERROR_SIGNATURE_COLUMNS))
    rows = counts.reset_index(drop=True)
    grouping = group_messages(rows["message"].fillna(""), config)
    rows = rows.assign(label=grouping.labels)
    earliest = rows.sort_values("first_seen").drop_duplicates("label").set_index("label")
    agg = rows.groupby("label").agg(
        count=("count", "sum"),
        first_seen=("first_seen", "min"),
        last_seen=("last_seen", "max"),
        tenants=("tenant", "nunique"),
    )
    present = rows.dropna(subset=["endpoint"])
    agg["endpoints"] = (
        present.assign(endpoint=present["endpoint"].astype(str))
        .drop_duplicates(["label", "endpoint"])
        .sort_values("endpoint")
        .groupby("label")["endpoint"]
        .agg(", ".join)
    )
    agg["example"] = earliest["message"]
    agg["id"] = [grouping.signatures[i].id for i in agg.index]
    agg["template"] = [grouping.signatures[i].template for i in agg.index]
    agg = agg.sort_values(["count", "template"], ascending=[False, True])
    return agg.reset_index(drop=True).loc[:, list(ERROR_SIGNATURE_COLUMNS)]
