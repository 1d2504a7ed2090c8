"""The shape of the spans: own time, calls between services, and each service's requests.

From the spans frame (one period) :func:`span_structure` derives, per span:

- ``self_ms``: its *own* time, its duration less the time covered by its children (the union of
  their intervals, clipped to the span, so overlapping children count once);
- ``is_call``: whether it is a call to another service: a client span (``kind == "client"``),
  or a span with a child in another service when the spans carry no kind; ``callee``,
  ``callee_operation`` and ``callee_request`` (the callee's local request) name the other end
  when its server span is there. A call's own time is the time lost between the caller's
  client span and the callee's server span (network and queueing): it belongs to the edge
  ``service -> callee``, not to the caller's own work;
- ``request``: the position of its *local root*, the first span of the service's part of the
  request (its parent is in another service, or it has none); the spans of one local request
  are one visit of the request to the service, and ``entry`` is that root's operation.

:func:`local_requests` then gives one row per visit, with the service's own time in it: the
visit's wall time less the time its calls to other services were in flight (their union). This
is the service's own work whatever its instrumentation: a handler span that runs beside its
outgoing call (asynchronous frameworks) does not count the call as its own time.

Spans repeated across files (same trace and span id) are kept once.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

STRUCTURE_COLUMNS = (
    "trace_id",
    "span_id",
    "service",
    "operation",
    "start_ns",
    "end_ns",
    "self_ms",
    "is_error",
    "parent",
    "is_call",
    "callee",
    "callee_operation",
    "callee_request",
    "request",
    "entry",
)


def span_structure(spans: pd.DataFrame) -> pd.DataFrame:
    """The spans with their own time, calls and local requests (:data:`STRUCTURE_COLUMNS`).

    ``parent`` and ``request`` are row positions in the returned frame (-1: no parent).
    """
    frame = spans.drop_duplicates(["trace_id", "span_id"]).reset_index(drop=True)
    n = len(frame)
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in STRUCTURE_COLUMNS})
    trace_ids = frame["trace_id"].astype(str)
    keys = pd.Index(trace_ids + "/" + frame["span_id"].astype(str))
    parent_ids = frame["parent_span_id"].astype("string").fillna("").astype(str)
    parent = keys.get_indexer(pd.Index(trace_ids + "/" + parent_ids)).astype(np.int64)
    parent[(parent_ids == "").to_numpy(bool)] = -1
    trace = trace_ids.to_numpy()
    start = epoch_ns(frame["start"])
    durations = np.round(frame["duration_ms"].to_numpy(dtype="float64") * 1e6)
    end: npt.NDArray[np.int64] = start + durations.astype(np.int64)
    service = frame["service"].astype(str).to_numpy()
    has_parent = parent >= 0
    safe_parent = np.where(has_parent, parent, 0)
    remote_parent = has_parent & (service != service[safe_parent])
    covered = _covered(parent, start, end)
    kinds = frame["kind"].astype(str).str.lower().to_numpy() if "kind" in frame else None
    callee, callee_op, child = _callees(parent, remote_parent, start, frame)
    has_remote_child = child >= 0
    is_call = has_remote_child | (kinds == "client" if kinds is not None else False)
    local_parent = np.where(has_parent & ~remote_parent, parent, -1)
    request = _roots(local_parent)
    operation = frame["operation"].astype(str).to_numpy()
    return pd.DataFrame(
        {
            "trace_id": trace,
            "span_id": frame["span_id"].astype(str).to_numpy(),
            "service": service,
            "operation": operation,
            "start_ns": start,
            "end_ns": end,
            "self_ms": np.maximum(end - start - covered, 0) / 1e6,
            "is_error": frame["is_error"].to_numpy(bool) if "is_error" in frame else False,
            "parent": parent,
            "is_call": is_call,
            "callee": callee,
            "callee_operation": callee_op,
            "callee_request": np.where(child >= 0, request[np.maximum(child, 0)], -1),
            "request": request,
            "entry": operation[request],
        }
    )


REQUEST_COLUMNS = (
    "request",
    "trace_id",
    "service",
    "entry",
    "start_ns",
    "own_ms",
    "calls",
    "is_error",
    "caller_request",
)


def epoch_ns(times: pd.Series) -> npt.NDArray[np.int64]:
    """Nanoseconds since 1970 of datetimes, whatever their resolution."""
    stamps = pd.to_datetime(times, utc=True).dt.as_unit("ns")
    return np.asarray(stamps.astype("int64"), dtype=np.int64)


def local_requests(structure: pd.DataFrame) -> pd.DataFrame:
    """One row per local request (:data:`REQUEST_COLUMNS`), indexed by its root's position.

    ``caller_request`` is the local request that called it (-1 for a request's first visit).
    """
    if structure.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in REQUEST_COLUMNS})
    request = structure["request"].to_numpy()
    roots = np.flatnonzero(request == np.arange(len(structure)))
    start = structure["start_ns"].to_numpy()
    end = structure["end_ns"].to_numpy()
    calls = np.flatnonzero(
        structure["is_call"].to_numpy(bool) & (request != np.arange(len(request)))
    )
    # The calls of each request, as children of its root, give the time spent waiting on others.
    as_parent = np.full(len(structure), -1, dtype=np.int64)
    as_parent[calls] = request[calls]
    waiting = _covered(as_parent, start, end)
    errors = np.zeros(len(structure), dtype=np.int64)
    np.add.at(errors, request, structure["is_error"].to_numpy(bool).astype(np.int64))
    n_calls = np.bincount(request[calls], minlength=len(structure))
    parent = structure["parent"].to_numpy()
    caller = np.where(parent[roots] >= 0, request[np.maximum(parent[roots], 0)], -1)
    return pd.DataFrame(
        {
            "request": roots,
            "trace_id": structure["trace_id"].to_numpy()[roots],
            "service": structure["service"].to_numpy()[roots],
            "entry": structure["operation"].to_numpy()[roots],
            "start_ns": start[roots],
            "own_ms": np.maximum(end[roots] - start[roots] - waiting[roots], 0) / 1e6,
            "calls": n_calls[roots],
            "is_error": errors[roots] > 0,
            "caller_request": caller,
        },
        index=roots,
    )


def _covered(
    parent: npt.NDArray[np.int64], start: npt.NDArray[np.int64], end: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Per span, the nanoseconds its children cover (union of intervals, clipped to it)."""
    n = len(parent)
    children = np.flatnonzero(parent >= 0)
    covered = np.zeros(n, dtype=np.int64)
    if not len(children):
        return covered
    p = parent[children]
    lo = np.maximum(start[children], start[p])
    hi = np.minimum(end[children], end[p])
    order = np.lexsort((lo, p))
    p, lo, hi = p[order], lo[order], hi[order]
    # Running maximum of the ends within each parent: a child adds only what lies past it.
    group_start = np.r_[True, p[1:] != p[:-1]]
    running = pd.Series(hi).groupby(np.cumsum(group_start)).cummax().to_numpy()
    previous = np.r_[np.iinfo(np.int64).min, running[:-1]]
    previous[group_start] = np.iinfo(np.int64).min
    added = np.clip(hi - np.maximum(lo, previous), 0, None)
    np.add.at(covered, p, added)
    return covered


def _callees(
    parent: npt.NDArray[np.int64],
    remote_parent: npt.NDArray[np.bool_],
    start: npt.NDArray[np.int64],
    frame: pd.DataFrame,
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_], npt.NDArray[np.int64]]:
    """Per span: the service, operation and position of its first child in another service."""
    n = len(parent)
    callee = np.full(n, "", dtype=object)
    callee_op = np.full(n, "", dtype=object)
    child = np.full(n, -1, dtype=np.int64)
    remote = np.flatnonzero(remote_parent)
    if len(remote):
        order = remote[np.lexsort((start[remote], parent[remote]))]
        callers = parent[order]
        first = np.r_[True, callers[1:] != callers[:-1]]
        chosen = order[first]
        callee[parent[chosen]] = frame["service"].astype(str).to_numpy()[chosen]
        callee_op[parent[chosen]] = frame["operation"].astype(str).to_numpy()[chosen]
        child[parent[chosen]] = chosen
    return callee, callee_op, child


def _roots(local_parent: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The local root of every span, by pointer jumping (log of the depth passes)."""
    root = np.where(local_parent >= 0, local_parent, np.arange(len(local_parent)))
    for _ in range(64):  # enough for any depth; a cycle of bad parent ids just stops here
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    return root


__all__ = [
    "REQUEST_COLUMNS",
    "STRUCTURE_COLUMNS",
    "epoch_ns",
    "local_requests",
    "span_structure",
]
