"""Where failing requests fail: traces as evidence. Pure: the spans frame in, frames out.

The spans frame is the one :func:`incident_nb.sources.traces.read_traces` returns. A trace is
*failing* when any of its spans is an error. Its failure *originates* in the deepest error
spans: error spans none of whose children is an error (an error that a caller merely passed on
is not where the request failed). Comparing the spans of failing traces with those of successful
ones per service and operation shows where failing requests spend their time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from incident_nb.core.models import TimeWindow, iso

_PRECISION = 3


def span_window(spans: pd.DataFrame) -> TimeWindow:
    """From the first span's start to the last span's end.

    Raises:
        ValueError: there are no spans.
    """
    if spans.empty:
        raise ValueError("no spans")
    ends = spans["start"] + pd.to_timedelta(spans["duration_ms"], unit="ms")
    return TimeWindow(spans["start"].min().to_pydatetime(), ends.max().to_pydatetime())


def restrict_traces(
    spans: pd.DataFrame, start: datetime | None = None, end: datetime | None = None
) -> pd.DataFrame:
    """The whole traces whose first span starts in ``[start, end)`` (either bound may be open).

    Traces are kept or dropped whole, so a request that began in the window keeps its late spans.
    """
    if spans.empty or (start is None and end is None):
        return spans
    first = spans.groupby("trace_id")["start"].transform("min")
    keep = pd.Series(True, index=spans.index)
    if start is not None:
        keep &= first >= pd.Timestamp(start)
    if end is not None:
        keep &= first < pd.Timestamp(end)
    return spans[keep]


def trace_outcomes(spans: pd.DataFrame) -> pd.DataFrame:
    """One row per trace: spans, errors, failing, its root span and its duration.

    The root is the earliest span without a parent in the trace (a trace cut short may have
    several such spans). ``duration_ms`` runs from the first span's start to the last one's end.
    """
    columns = ["trace_id", "spans", "errors", "failing", "root_service", "root_operation"]
    columns += ["root_error", "start", "duration_ms"]
    if spans.empty:
        return pd.DataFrame(columns=columns)
    ends = spans["start"] + pd.to_timedelta(spans["duration_ms"], unit="ms")
    per = (
        spans.assign(end=ends)
        .groupby("trace_id", sort=False)
        .agg(
            spans=("span_id", "size"),
            errors=("is_error", "sum"),
            start=("start", "min"),
            end=("end", "max"),
        )
    )
    per["failing"] = per["errors"] > 0
    per["duration_ms"] = (per["end"] - per["start"]).dt.total_seconds() * 1000
    roots = spans[~_has_parent_in_trace(spans)].sort_values("start", kind="stable")
    roots = roots.drop_duplicates("trace_id").set_index("trace_id")
    per["root_service"] = roots["service"].reindex(per.index)
    per["root_operation"] = roots["operation"].reindex(per.index)
    per["root_error"] = roots["is_error"].reindex(per.index).fillna(False).astype(bool)
    return per.reset_index()[columns]


def failure_origins(spans: pd.DataFrame) -> pd.DataFrame:
    """Where failing traces fail, per service and operation, most frequent first.

    Columns: service, operation, failing_traces (failing traces with an origin there), share
    (of all failing traces; a trace failing in two places counts in both), origin_spans,
    example_message.
    """
    columns = ["service", "operation", "failing_traces", "share", "origin_spans"]
    columns.append("example_message")
    errors = spans[spans["is_error"]]
    if errors.empty:
        return pd.DataFrame(columns=columns)
    failing_traces = errors["trace_id"].nunique()
    parents_of_errors = set(
        zip(errors["trace_id"], errors["parent_span_id"].astype(object), strict=True)
    )
    is_origin = [
        (t, s) not in parents_of_errors
        for t, s in zip(errors["trace_id"], errors["span_id"], strict=True)
    ]
    origins = errors[is_origin]
    grouped = origins.groupby(["service", "operation"], sort=False).agg(
        failing_traces=("trace_id", "nunique"),
        origin_spans=("span_id", "size"),
        example_message=("status_message", _first_text),
    )
    grouped["share"] = grouped["failing_traces"] / failing_traces
    grouped = grouped.reset_index().sort_values(
        ["failing_traces", "origin_spans", "service", "operation"],
        ascending=[False, False, True, True],
        kind="stable",
    )
    return grouped[columns].reset_index(drop=True)


def compare_failing(spans: pd.DataFrame, by: Sequence[str] = ("service",)) -> pd.DataFrame:
    """Spans of failing vs successful traces per group (``by``: service, or service+operation).

    Columns: the ``by`` columns, spans_failing, spans_ok, traces_failing, traces_ok,
    mean_ms_failing, mean_ms_ok, p95_ms_failing, p95_ms_ok, errors, slowdown (mean in failing
    over mean in successful traces; NaN when one side has no spans). Groups with the most error
    spans come first.
    """
    keys = list(by)
    stats = ["spans", "traces", "mean_ms", "p95_ms"]
    sides = [f"{s}_{side}" for s in stats for side in ("failing", "ok")]
    columns = [*keys, *sides, "errors", "slowdown"]
    if spans.empty:
        return pd.DataFrame(columns=columns)
    failing = spans.groupby("trace_id")["is_error"].transform("any")
    labelled = spans.assign(side=failing.map({True: "failing", False: "ok"}))
    per = labelled.groupby([*keys, "side"]).agg(
        spans=("span_id", "size"),
        traces=("trace_id", "nunique"),
        mean_ms=("duration_ms", "mean"),
        p95_ms=("duration_ms", lambda d: d.quantile(0.95)),
    )
    wide = pd.DataFrame(per.unstack("side"))
    wide.columns = [f"{c[0]}_{c[1]}" for c in wide.columns]
    wide = wide.reindex(columns=sides)
    for column in ("spans_failing", "spans_ok", "traces_failing", "traces_ok"):
        wide[column] = wide[column].fillna(0).astype(int)
    wide["errors"] = spans.groupby(keys)["is_error"].sum().reindex(wide.index).astype(int)
    wide["slowdown"] = wide["mean_ms_failing"] / wide["mean_ms_ok"]
    wide = wide.reset_index().sort_values(
        ["errors", "spans_failing", *keys], ascending=[False, False, *[True] * len(keys)]
    )
    return wide[columns].reset_index(drop=True)


def critical_path(spans: pd.DataFrame) -> pd.DataFrame:
    """Each span's time on its trace's critical path (the chain that sets the trace's duration).

    From the root, time is walked backwards from the span's end: the child that ended last
    (within what is left) is on the path up to its start, and the gaps between such children are
    the span's own time. Children overlapping a later one are off the path. Columns: trace_id,
    span_id, service, operation, critical_ms (only spans with time on the path).
    """
    columns = ["trace_id", "span_id", "service", "operation", "critical_ms"]
    if spans.empty:
        return pd.DataFrame(columns=columns)
    ns = spans["start"].astype("int64")
    start = (ns - ns.min()).to_numpy() / 1e6  # ms since the first span: exact to the ns
    end = start + spans["duration_ms"].to_numpy()
    has_parent = _has_parent_in_trace(spans).to_numpy()
    parents = spans["parent_span_id"].astype(object).to_numpy()
    index = {k: i for i, k in enumerate(zip(spans["trace_id"], spans["span_id"], strict=True))}
    children: dict[int, list[int]] = {}
    for i, (trace, parent) in enumerate(zip(spans["trace_id"], parents, strict=True)):
        if has_parent[i]:
            children.setdefault(index[(trace, parent)], []).append(i)
    on_path = [0.0] * len(spans)
    roots = [i for i in range(len(spans)) if not has_parent[i]]
    for root in roots:
        stack = [(root, float(end[root]))]
        while stack:
            i, limit = stack.pop()
            t = min(float(end[i]), limit)
            for c in sorted(children.get(i, []), key=lambda c: end[c], reverse=True):
                if end[c] <= t and start[c] >= start[i]:
                    on_path[i] += t - float(end[c])
                    stack.append((c, t))
                    t = float(start[c])
            on_path[i] += max(0.0, t - float(start[i]))
    out = spans[["trace_id", "span_id", "service", "operation"]].assign(critical_ms=on_path)
    return out[out["critical_ms"] > 0].reset_index(drop=True)[columns]


def critical_path_by_service(spans: pd.DataFrame) -> pd.DataFrame:
    """Mean critical-path time per trace by service, in failing vs successful traces.

    Columns: service, critical_ms_failing, critical_ms_ok (means over the traces of each kind,
    counting 0 for a trace whose path does not pass through the service), ratio.
    """
    columns = ["service", "critical_ms_failing", "critical_ms_ok", "ratio"]
    path = critical_path(spans)
    if path.empty:
        return pd.DataFrame(columns=columns)
    failing = spans.groupby("trace_id")["is_error"].any()
    per_trace = path.groupby(["trace_id", "service"])["critical_ms"].sum().unstack(fill_value=0)
    per_trace = per_trace.reindex(failing.index, fill_value=0.0)
    sides = {
        "critical_ms_failing": per_trace[failing.to_numpy()].mean(),
        "critical_ms_ok": per_trace[~failing.to_numpy()].mean(),
    }
    out = pd.DataFrame(sides).rename_axis("service").reset_index()
    out["ratio"] = out["critical_ms_failing"] / out["critical_ms_ok"].where(
        out["critical_ms_ok"] > 0
    )
    order = ["critical_ms_failing", "critical_ms_ok", "service"]
    return out.sort_values(order, ascending=[False, False, True])[columns].reset_index(drop=True)


def headline(origins: pd.DataFrame, operations: pd.DataFrame) -> str:
    """One sentence: where failing requests fail, and how much longer they spend there.

    Args:
        origins: :func:`failure_origins`.
        operations: :func:`compare_failing` by service and operation.
    """
    if origins.empty:
        return "No failing traces: no span is an error."
    top = origins.iloc[0]
    text = (
        f"Failing requests fail in {top['service']} `{top['operation']}` "
        f"({top['share']:.0%} of failing traces)"
    )
    match = operations[
        (operations["service"] == top["service"]) & (operations["operation"] == top["operation"])
    ]
    ratio = float(match["slowdown"].iloc[0]) if len(match) else float("nan")
    if not math.isnan(ratio) and ratio > 0:
        if ratio >= 1:
            text += f" and spend {ratio:.1f}x longer in it than successful requests"
        else:
            text += f" and spend {1 / ratio:.1f}x less time in it than successful requests"
    return text + "."


def trace_summary(spans: pd.DataFrame, malformed: int = 0) -> dict[str, Any]:
    """The ``traces`` part of the ``analyze --json`` document."""
    outcomes = trace_outcomes(spans)
    origins = failure_origins(spans)
    services = compare_failing(spans, ("service",))
    operations = compare_failing(spans, ("service", "operation"))
    summary: dict[str, Any] = {
        "spans": len(spans),
        "traces": len(outcomes),
        "failing_traces": int(outcomes["failing"].sum()) if len(outcomes) else 0,
        "malformed": malformed,
        "headline": headline(origins, operations),
        "failure_origins": [
            {
                "service": str(r["service"]),
                "operation": str(r["operation"]),
                "failing_traces": int(r["failing_traces"]),
                "share": round(float(r["share"]), 4),
                "example_message": str(r["example_message"]),
            }
            for r in origins.to_dict("records")
        ],
        "services": _rows(services, ["service"]),
        "operations": _rows(operations, ["service", "operation"]),
        "critical_path": [
            {"service": str(r["service"])}
            | {k: _number(r[k]) for k in ("critical_ms_failing", "critical_ms_ok", "ratio")}
            for r in critical_path_by_service(spans).to_dict("records")
        ],
    }
    if len(spans):
        window = span_window(spans)
        summary["window"] = {"start": iso(window.start), "end": iso(window.end)}
    return summary


def _rows(frame: pd.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
    rows = []
    for record in frame.to_dict("records"):
        row: dict[str, Any] = {k: str(record[k]) for k in keys}
        for name in ("spans_failing", "spans_ok", "traces_failing", "traces_ok", "errors"):
            row[name] = int(record[name])
        for name in ("mean_ms_failing", "mean_ms_ok", "p95_ms_failing", "p95_ms_ok", "slowdown"):
            row[name] = _number(record[name])
        rows.append(row)
    return rows


def _number(value: Any) -> float | None:
    return None if pd.isna(value) else round(float(value), _PRECISION)


def _first_text(values: pd.Series) -> str:
    texts = [v for v in values if isinstance(v, str) and v]
    return texts[0] if texts else ""


def _has_parent_in_trace(spans: pd.DataFrame) -> pd.Series:
    ids = set(zip(spans["trace_id"], spans["span_id"], strict=True))
    parents = spans["parent_span_id"].astype(object)
    return pd.Series(
        [
            p is not None and p is not pd.NA and (t, p) in ids
            for t, p in zip(spans["trace_id"], parents, strict=True)
        ],
        index=spans.index,
    )
