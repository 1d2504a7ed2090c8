"""``incident-nb metrics`` on an exported file (Prometheus itself: the integration tier)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from incident_nb.cli import main

START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_metrics_from_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    minutes = 90
    frame = pd.DataFrame(
        {
            "time": [START + timedelta(minutes=m) for m in range(minutes)],
            "request_rate": [15.0] * minutes,
            "error_rate": [0.25 if m >= 61 else 0.004 for m in range(minutes)],
            "p99_ms": [900.0 if m >= 61 else 120.0 for m in range(minutes)],
        }
    )
    frame.to_csv(tmp_path / "export.csv", index=False)
    argv = ["metrics", "--metrics-file", str(tmp_path / "export.csv"), "--service", "checkout"]
    argv += ["--start", "2026-11-20T12:00:00Z", "--end", "2026-11-20T13:30:00Z"]
    assert main([*argv, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["onset"] == "2026-11-20T13:01:00Z"
    assert payload["series"]["p99_ms"][61] == ["2026-11-20T13:01:00Z", 900.0]
    assert payload["series"]["p50_ms"] == []
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "Onset: 2026-11-20T13:01:00Z (error rate" in text
    assert "p50_ms        no data" in text
    backwards = ["--start", "2026-11-20T13:30:00Z", "--end", "2026-11-20T12:00:00Z"]
    assert main([*argv[:-4], *backwards]) == 1
    assert "--end must be after --start" in capsys.readouterr().err
