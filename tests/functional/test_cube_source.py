"""The log store answers the onset search's three questions exactly, as the in-memory cube does."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from incident_nb.analysis.cube import SUMS, MinuteCube
from incident_nb.analysis.cube_source import FrameSource
from incident_nb.analysis.incident_search import find_incident
from incident_nb.sources import logsql
from incident_nb.sources.logs import LogStore

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def records(seed: int = 3) -> list[dict[str, object]]:
    """An hour of a service: POST /pay fails for tenant t0 from 09:40; odd fields here and there."""
    rng = np.random.default_rng(seed)
    out: list[dict[str, object]] = []
    for minute in range(60):
        for i in range(40):
            tenant = f"t{i % 8}"
            endpoint = "POST /pay" if i % 4 == 0 else "GET /list"
            failing = minute >= 40 and tenant == "t0" and endpoint == "POST /pay"
            record: dict[str, object] = {
                "ts": f"2026-11-20T09:{minute:02d}:{i:02d}Z",
                "endpoint": endpoint,
                "status": 500 if failing or rng.random() < 0.002 else 200,
                "latency_ms": round(float(rng.lognormal(3, 0.4)), 2),
            }
            if i != 39:  # one record a minute has no tenant
                record["tenant_id"] = tenant
            out.append(record)
    out[5]["latency_ms"] = -3  # not a latency: not timed
    out[6].pop("latency_ms")
    out[7]["status"] = 404  # the client's error, not a failure
    return out


def memory_cube(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The minute cube of the records, computed with pandas."""
    frame = pd.DataFrame(rows)
    latency = pd.to_numeric(frame["latency_ms"], errors="coerce")
    timed = latency.between(0, 1e9)
    log = np.log1p(latency.where(timed))
    cube = pd.DataFrame(
        {
            "minute": pd.to_datetime(frame["ts"], utc=True).dt.floor("min"),
            "endpoint": frame["endpoint"],
            "tenant": frame["tenant_id"],
            "requests": 1,
            "errors": (frame["status"] >= 500).astype(int),
            "timed": timed.astype(int),
            "log_latency": log.fillna(0.0),
            "log_latency_sq": (log * log).fillna(0.0),
        }
    )
    keys = ["minute", "endpoint", "tenant"]
    return cube.groupby(keys, dropna=False)[list(SUMS)].sum().reset_index()


def canonical(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for key in keys:
        if key == "minute":
            out[key] = pd.to_datetime(out[key], utc=True)
        elif key == "inside":
            out[key] = out[key].map({True: "in", False: "out"}).fillna("aside")
        else:
            out[key] = out[key].astype(object).where(out[key].notna(), "<none>")
    for column in SUMS:
        out[column] = out[column].fillna(0).astype(float)
    return out.sort_values(keys, ignore_index=True)[[*keys, *SUMS]]


@pytest.fixture
def store(tmp_path):
    opened = LogStore.open([write(tmp_path / "app.jsonl", records())])
    yield opened
    opened.close()


def test_the_store_answers_as_the_in_memory_cube(store):
    memory = FrameSource(memory_cube(records()))
    keys = ["level", "endpoint", "tenant", "minute"]
    pd.testing.assert_frame_equal(
        canonical(store.minute_levels(), keys), canonical(memory.minute_levels(), keys)
    )
    start, stop = (
        datetime(2026, 11, 20, 9, 40, tzinfo=UTC),
        datetime(2026, 11, 20, 9, 55, tzinfo=UTC),
    )
    keys = ["endpoint", "tenant", "inside"]
    pd.testing.assert_frame_equal(
        canonical(store.cell_windows(start, stop), keys),
        canonical(memory.cell_windows(start, stop), keys),
    )
    aside = [start.replace(minute=42), start.replace(minute=43)]
    pd.testing.assert_frame_equal(
        canonical(store.cell_windows(start, stop, aside), keys),
        canonical(memory.cell_windows(start, stop, aside), keys),
    )
    neither = store.cell_windows(start, stop, aside)
    assert neither.loc[neither["inside"].isna(), "requests"].sum() == 80  # two minutes' worth
    cuts = [start.replace(minute=45), start.replace(minute=50)]
    parts = store.cell_windows(start, stop, aside, cuts)
    pd.testing.assert_frame_equal(
        canonical(parts, [*keys, "part"]),
        canonical(memory.cell_windows(start, stop, aside, cuts), [*keys, "part"]),
    )
    # Parts by time inside (0, 1, 2 at the cuts); everything outside is part 0.
    per_part = parts[parts["inside"].fillna(False).astype(bool)].groupby("part")["requests"].sum()
    assert per_part.to_dict() == {0: 120, 1: 200, 2: 200}  # minutes 40-44 but two, 45-49, 50-54
    assert set(parts.loc[parts["inside"].eq(False), "part"]) == {0}
    scope = {"endpoint": ["POST /pay"], "tenant": ["t0", "t4"]}
    pd.testing.assert_frame_equal(
        canonical(store.scope_minutes(scope), ["minute"]),
        canonical(memory.scope_minutes(scope), ["minute"]),
    )
    # Per endpoint too (a group's latency with its mix held is built on it).
    tenants = {"endpoint": None, "tenant": ["t0", "t1"]}
    by_endpoint = store.scope_minutes(tenants, by="endpoint")
    assert set(by_endpoint["endpoint"]) == {"POST /pay", "GET /list"}
    pd.testing.assert_frame_equal(
        canonical(by_endpoint, ["minute", "endpoint"]),
        canonical(memory.scope_minutes(tenants, by="endpoint"), ["minute", "endpoint"]),
    )


def test_sums_are_exact(store):
    levels = store.minute_levels()
    first = levels[(levels["level"] == "endpoint") & (levels["endpoint"] == "GET /list")]
    first = first.sort_values("minute").iloc[0]
    assert first["requests"] == 30
    assert first["timed"] == 28  # a negative latency and a missing one are not timed
    total = levels[levels["level"] == "tenant"]
    assert total["requests"].sum() == 2400  # records without a tenant count, as no tenant
    assert total["tenant"].isna().sum() == 60
    assert total["endpoint"].isna().all()  # a level's rows leave the other columns null
    assert total["errors"].sum() == levels[levels["level"] == "endpoint"]["errors"].sum()
    minute = levels[(levels["level"] == "endpoint") & (levels["endpoint"] == "POST /pay")]
    row = minute.sort_values("minute").iloc[0]
    expected = [math.log1p(r["latency_ms"]) for r in records()[:40:4]]
    assert row["log_latency"] == pytest.approx(sum(expected))


def test_the_onset_found_from_the_store(store):
    incident = find_incident(store)
    onset = incident.onset
    assert onset is not None
    assert onset.at.strftime("%H:%M") == "09:40"
    assert onset.affected("endpoint") == ["POST /pay"]
    assert onset.affected("tenant") == ["t0"]
    assert onset.sentence().startswith("failures of POST /pay for tenant t0 rose from 0")


def test_the_snapshot_answers_the_same(store, tmp_path):
    store.snapshot(tmp_path / "evidence")
    again = LogStore.open_snapshot(tmp_path / "evidence")
    try:
        keys = ["level", "endpoint", "tenant", "minute"]
        pd.testing.assert_frame_equal(
            canonical(again.minute_levels(), keys), canonical(store.minute_levels(), keys)
        )
    finally:
        again.close()


def test_endpoints_of_many_values_keep_their_most_frequent_ones(tmp_path, monkeypatch):
    # Names, not ids (which become one route): ten pages, each its own endpoint.
    rows = [
        {"ts": f"2026-11-20T09:{m:02d}:00Z", "endpoint": f"/pages/{'abcdefghij'[i]}", "status": 200}
        for m in range(3)
        for i in range(10)
    ]
    rows += [
        {"ts": f"2026-11-20T09:{m:02d}:30Z", "endpoint": "/health", "status": 200}
        for m in range(3)
        for _ in range(5)
    ]
    monkeypatch.setattr(logsql, "CUBE_MAX_ROWS", 10)
    monkeypatch.setattr(logsql, "CUBE_MAX_VALUES", 1)
    lumped = LogStore.open([write(tmp_path / "pages.jsonl", rows)])
    try:
        levels = lumped.minute_levels()
        endpoints = levels[levels["level"] == "endpoint"]
        assert sorted(endpoints["endpoint"].unique()) == ["(other)", "/health"]
        assert endpoints["requests"].sum() == 45
        other = endpoints[endpoints["endpoint"] == "(other)"]["requests"].tolist()
        assert other == [10, 10, 10]
        cells = lumped.cell_windows(T0, T0.replace(minute=1))
        assert sorted(cells["endpoint"].unique()) == ["(other)", "/health"]
        scoped = lumped.scope_minutes({"endpoint": ["(other)"]})
        assert scoped["requests"].tolist() == [10, 10, 10]
    finally:
        lumped.close()


def test_many_cells_keep_the_busiest_ones_whole(tmp_path, monkeypatch):
    # 3 endpoints x 4 tenants over 3 minutes; cell (e, t) gets 1 + e + 3 t requests a minute.
    rows = [
        {"ts": f"2026-11-20T09:{m:02d}:{i:02d}Z", "endpoint": f"/e{e}", "tenant_id": f"t{t}"}
        | {"status": 500 if i == 0 and t == 3 else 200}
        for m in range(3)
        for e in range(3)
        for t in range(4)
        for i in range(1 + e + 3 * t)
    ]
    monkeypatch.setattr(logsql, "CUBE_MAX_ROWS", 30)  # 21 rows of endpoints and tenants + 36
    monkeypatch.setattr(logsql, "CUBE_CELL_SHARE", 0.2)  # 6 rows: 2 cells over 3 minutes
    bounded = LogStore.open([write(tmp_path / "cells.jsonl", rows)])
    try:
        levels = bounded.minute_levels()
    finally:
        bounded.close()
    cells = levels[levels["level"] == "endpoint x tenant"]
    kept = cells.groupby(["endpoint", "tenant"])["requests"].agg(["sum", "count"])
    assert kept.to_dict("index") == {
        ("/e1", "t3"): {"sum": 33, "count": 3},
        ("/e2", "t3"): {"sum": 36, "count": 3},
    }
    assert cells["errors"].sum() == 6  # each kept cell's every failure
    for dim in ("endpoint", "tenant"):
        assert levels.loc[levels["level"] == dim, "requests"].sum() == len(rows)
    cube = MinuteCube(levels)
    assert [lv.name for lv in cube.levels()][-1] == "endpoint x tenant"
    assert cube.scope_series({"endpoint": {"/e2"}, "tenant": {"t3"}}, "errors") is None


def test_cells_of_a_busy_log_are_grouped_by_spans_of_minutes(store, monkeypatch):
    # 60 minutes, 8 cells and the requests without a tenant: about 540 cell minutes.
    monkeypatch.setattr(logsql, "CUBE_CELL_ROWS", 200)  # spans of 3 minutes
    levels = store.minute_levels()
    cells = levels[levels["level"] == "endpoint x tenant"]
    assert set(cells["span"]) == {3} and set(
        levels.loc[levels["level"] != cells["level"].iloc[0], "span"]
    ) == {1}
    assert sorted(cells["minute"].dt.minute.unique()) == list(range(0, 60, 3))
    memory = memory_cube(records()).dropna(subset=["tenant"])
    memory["minute"] = memory["minute"].dt.floor("3min")
    keys = ["minute", "endpoint", "tenant"]
    expected = memory.groupby(keys)[list(SUMS)].sum().reset_index()
    pd.testing.assert_frame_equal(
        canonical(cells.dropna(subset=["tenant"]), keys), canonical(expected, keys)
    )
    cube = MinuteCube(levels)
    level = cube.levels()[-1]
    assert level.name == "endpoint x tenant" and cube.width(level) == 3 and cube.minutes == 60
    onset = find_incident(store).onset  # found in 3-minute spans, placed by the minute
    assert onset is not None and onset.at.strftime("%H:%M") == "09:40"


def test_too_many_rows_keep_the_busiest_cells_in_spans(store, monkeypatch):
    monkeypatch.setattr(logsql, "CUBE_CELL_ROWS", 200)  # spans of 3 minutes: 840 rows in all
    monkeypatch.setattr(logsql, "CUBE_MAX_ROWS", 700)
    monkeypatch.setattr(logsql, "CUBE_CELL_SHARE", 0.1)  # 70 rows: 3 cells of 20 spans
    levels = store.minute_levels()
    cells = levels[levels["level"] == "endpoint x tenant"]
    assert set(cells["span"]) == {3}
    kept = cells.groupby(["endpoint", "tenant"])["requests"].sum().to_dict()
    assert kept == {("GET /list", "t1"): 300, ("GET /list", "t2"): 300, ("GET /list", "t3"): 300}
    for dim in ("endpoint", "tenant"):
        assert levels.loc[levels["level"] == dim, "requests"].sum() == 2400
    onset = find_incident(store).onset
    assert onset is not None and onset.at.strftime("%H:%M") == "09:40"


def status_records() -> list[dict[str, object]]:
    """:func:`records`, with failures of two more statuses: 15 of 503 and 12 of 502."""
    rows = records()
    for minute in range(60):
        if minute % 4 == 0:
            rows[minute * 40 + 3]["status"] = 503
        if minute % 5 == 0:
            rows[minute * 40 + 10]["status"] = 502
    return rows


def status_cube(rows: list[dict[str, object]], status: int) -> pd.DataFrame:
    """:func:`memory_cube`, its failures those of ``status`` only."""
    failed = [dict(r, status=500 if r.get("status") == status else 200) for r in rows]
    return memory_cube(failed)


@pytest.mark.parametrize("bounded", [False, True])
def test_each_status_s_failures_are_answered_as_the_in_memory_cube(tmp_path, monkeypatch, bounded):
    rows = status_records()
    if bounded:  # 21 endpoint and tenant rows a minute would overflow: the busiest cells
        monkeypatch.setattr(logsql, "CUBE_MAX_ROWS", 700)
        monkeypatch.setattr(logsql, "CUBE_CELL_SHARE", 0.1)
    opened = LogStore.open([write(tmp_path / "app.jsonl", rows)])
    try:
        kinds = opened.failure_kinds()
        assert [status for status, _ in kinds] == ["500", "503", "502"]  # most failures first
        whole = opened.minute_levels()
        start, stop = (datetime(2026, 11, 20, 9, m, tzinfo=UTC) for m in (40, 55))
        for status, view in kinds:
            memory = FrameSource(status_cube(rows, int(status)))
            levels = view.minute_levels()
            keys = ["level", "endpoint", "tenant", "minute"]
            assert list(levels.columns) == list(whole.columns)  # the same questions, answered
            pd.testing.assert_frame_equal(  # in the same scan: only the failures differ
                canonical(levels, keys).drop(columns="errors"),
                canonical(whole, keys).drop(columns="errors"),
            )
            if not bounded:
                pd.testing.assert_frame_equal(
                    canonical(levels, keys), canonical(memory.minute_levels(), keys)
                )
            assert levels.loc[levels["level"] == "endpoint", "errors"].sum() == sum(
                r.get("status") == int(status) for r in rows
            )
            keys = ["endpoint", "tenant", "inside"]
            pd.testing.assert_frame_equal(
                canonical(view.cell_windows(start, stop), keys),
                canonical(memory.cell_windows(start, stop), keys),
            )
            scope = {"endpoint": ["POST /pay", "GET /list"], "tenant": None}
            pd.testing.assert_frame_equal(
                canonical(view.scope_minutes(scope), ["minute"]),
                canonical(memory.scope_minutes(scope), ["minute"]),
            )
    finally:
        opened.close()


def test_one_failing_status_is_not_searched_again(store):
    assert store.failure_kinds() == []  # its 500s are all the failures
