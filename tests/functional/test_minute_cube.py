"""The store's minute cube: one scan, every group's counts and log-latency sums, exactly."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from incident_nb.analysis.group_onset import find_incident
from incident_nb.sources.logs import LogStore

RECORDS = [
    # minute, tenant, endpoint, status, latency
    ("09:00:05", "acme", "GET /a", 200, 10.0),
    ("09:00:30", "acme", "GET /a", 503, 99.0),
    ("09:00:59", "globex", "GET /a", 200, 0.0),
    ("09:01:10", "acme", "POST /b", 500, 1000.0),
    ("09:01:20", None, "POST /b", 404, None),
    ("09:01:40", "globex", "POST /b", 200, -3.0),
]


def write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_cube_sums_are_exact(tmp_path):
    records = []
    for clock, tenant, endpoint, status, latency in RECORDS:
        record = {"ts": f"2026-11-20T{clock}Z", "endpoint": endpoint, "status": status}
        if tenant is not None:
            record["tenant_id"] = tenant
        if latency is not None:
            record["latency_ms"] = latency
        records.append(record)
    store = LogStore.open([write(tmp_path / "app.jsonl", records)])
    try:
        cube = store.minute_cube()
    finally:
        store.close()
    cube = cube.sort_values(["minute", "endpoint", "tenant"], ignore_index=True)
    tenants = cube["tenant"].astype(object).where(cube["tenant"].notna(), None)
    minutes = cube["minute"].dt.strftime("%H:%M")
    key = list(zip(minutes, cube["endpoint"], tenants, strict=True))
    assert key == [
        ("09:00", "GET /a", "acme"),
        ("09:00", "GET /a", "globex"),
        ("09:01", "POST /b", "acme"),
        ("09:01", "POST /b", "globex"),
        ("09:01", "POST /b", None),
    ]
    assert cube["requests"].tolist() == [2, 1, 1, 1, 1]
    assert cube["errors"].tolist() == [1, 0, 1, 0, 0]  # 404 is the client's, not a failure
    # A negative or missing latency is not timed; zero is.
    assert cube["timed"].tolist() == [2, 1, 1, 0, 0]
    assert cube.loc[0, "log_latency"] == pytest.approx(math.log(11) + math.log(100))
    assert cube.loc[0, "log_latency_sq"] == pytest.approx(math.log(11) ** 2 + math.log(100) ** 2)
    assert cube.loc[1, "log_latency"] == pytest.approx(0.0)
    assert pd.isna(cube.loc[3, "log_latency"]) or cube.loc[3, "log_latency"] == 0


def test_a_very_large_cube_keeps_the_most_frequent_values(tmp_path):
    records = [
        {"ts": f"2026-11-20T09:{m:02d}:00Z", "endpoint": f"/users/{i}", "status": 200}
        for m in range(3)
        for i in range(10)
    ]
    records += [
        {"ts": f"2026-11-20T09:{m:02d}:30Z", "endpoint": "/health", "status": 200}
        for m in range(3)
        for _ in range(5)
    ]
    store = LogStore.open([write(tmp_path / "app.jsonl", records)])
    try:
        whole = store.minute_cube()
        lumped = store.minute_cube(max_rows=10, max_values=1)
    finally:
        store.close()
    assert len(whole) == 33
    assert sorted(lumped["endpoint"].unique()) == ["(other)", "/health"]
    assert lumped["requests"].sum() == whole["requests"].sum() == 45
    assert lumped.loc[lumped["endpoint"] == "(other)", "requests"].tolist() == [10, 10, 10]


def test_the_snapshot_gives_the_same_cube_and_onset(tmp_path):
    records = []
    for minute in range(60):
        for i in range(40):
            failing = minute >= 40 and i % 4 == 0
            records.append(
                {
                    "ts": f"2026-11-20T09:{minute:02d}:{i:02d}Z",
                    "tenant_id": f"t{i % 8}",
                    "endpoint": "POST /pay" if i % 4 == 0 else "GET /list",
                    "status": 500 if failing and i % 8 == 0 else 200,
                    "latency_ms": 20 + i,
                }
            )
    store = LogStore.open([write(tmp_path / "app.jsonl", records)])
    try:
        cube = store.minute_cube()
        store.snapshot(tmp_path / "evidence")
    finally:
        store.close()
    again = LogStore.open_snapshot(tmp_path / "evidence")
    try:
        restored = again.minute_cube()
    finally:
        again.close()
    order = ["minute", "endpoint", "tenant"]
    pd.testing.assert_frame_equal(
        cube.sort_values(order, ignore_index=True), restored.sort_values(order, ignore_index=True)
    )
    onset = find_incident(restored).onset
    assert onset is not None
    assert onset.at.strftime("%H:%M") == "09:40"
    assert onset.affected("endpoint") == ["POST /pay"]
    assert onset.affected("tenant") == ["t0"]
