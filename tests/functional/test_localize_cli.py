"""``incident-nb localize`` on files of the Nezha layout: the JSON document, the readable
ranking, and clear errors for missing or contradictory inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from incident_nb.cli import main
from tests.localize_scenario import (
    BASELINE_START,
    INCIDENT_START,
    Fault,
    period,
    write_files,
)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("nezha-like")
    healthy = write_files(period(BASELINE_START, seed=11), folder / "construct", "10_01")
    incident = write_files(
        period(INCIDENT_START, fault=Fault(error="stock", slow={"stock": 3.0}), seed=12),
        folder / "rca",
        "11_01",
    )
    return {"baseline": healthy, "incident": incident}


def _argv(files: dict[str, dict[str, Path]], *extra: str) -> list[str]:
    incident, baseline = files["incident"], files["baseline"]
    return [
        "localize",
        "--traces",
        str(incident["traces"]),
        "--logs",
        str(incident["logs"]),
        "--metrics",
        str(incident["metrics"]),
        "--window",
        "2026-03-02T11:00:00Z,2026-03-02T11:03:00Z",
        "--baseline-traces",
        str(baseline["traces"]),
        "--baseline-logs",
        str(baseline["logs"]),
        "--baseline-metrics",
        str(baseline["metrics"]),
        *extra,
    ]


def test_json_ranks_the_faulty_service_first_with_its_evidence(files, capsys) -> None:
    assert main(_argv(files, "--json")) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["window"] == {"start": "2026-03-02T11:00:00Z", "end": "2026-03-02T11:03:00Z"}
    # the baseline files' period: their first to their last record, rounded out to seconds
    assert payload["baseline"] == {"start": "2026-03-02T10:00:00Z", "end": "2026-03-02T10:02:59Z"}
    services = payload["services"]
    assert services[0]["service"] == "stock"
    assert {s["service"] for s in services} == {
        "gateway",
        "shop",
        "stock",
        "pay",
        "db-proxy",
        "ledger",
    }
    assert all(set(s) == {"service", "score", "evidence"} for s in services)
    signals = {e["signal"] for e in services[0]["evidence"]}
    assert {"errors", "latency"} <= signals <= {"latency", "errors", "logs", "resources"}
    summaries = " ".join(e["summary"] for e in services[0]["evidence"])
    assert "own time in `GET /stock/{id}` rose from" in summaries
    assert "new, never in the baseline" in summaries


def test_without_json_a_readable_ranking(files, capsys) -> None:
    assert main(_argv(files)) == 0
    out = capsys.readouterr().out
    assert out.startswith("Window 2026-03-02T11:00:00Z to 2026-03-02T11:03:00Z, baseline")
    assert " 1. stock  score " in out
    assert "[errors] ERROR `" in out or "[latency] own time" in out


def test_a_baseline_range_in_the_same_files(files, tmp_path, capsys) -> None:
    # one file holding both periods; the baseline is a time range of it
    both = tmp_path / "both.csv"
    tables = [pd.read_csv(files[p]["traces"]) for p in ("baseline", "incident")]
    pd.concat(tables).to_csv(both, index=False)
    argv = [
        "localize",
        "--traces",
        str(both),
        "--window",
        "2026-03-02T11:00:00Z,2026-03-02T11:03:00Z",
        "--baseline",
        "2026-03-02T10:00:00Z,2026-03-02T10:03:01Z",
        "--json",
    ]
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["services"][0]["service"] == "stock"
    assert payload["baseline"]["start"] == "2026-03-02T10:00:00Z"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--window", "2026-03-02T11:03:00Z,2026-03-02T11:00:00Z"], "--window ends"),
        (["--window", "yesterday"], "is not START,END"),
        (["--window", "2026-03-02T12:00:00Z,2026-03-02T12:03:00Z"], "no spans start in the window"),
        (["--baseline", "2026-03-02T10:00:00Z,2026-03-02T10:03:00Z"], "not both"),
        (["--traces", "missing_trace.csv"], "trace file not found: missing_trace.csv"),
        (["--logs", "missing_log.csv"], "log file not found"),
        (["--metrics", "missing.csv"], "metrics file not found"),
    ],
)
def test_clear_errors(files, capsys, change, message) -> None:
    assert main(_argv(files, *change)) == 1
    assert message in capsys.readouterr().err


def test_no_baseline_at_all_is_a_clear_error(files, capsys) -> None:
    argv = [
        "localize",
        "--traces",
        str(files["incident"]["traces"]),
        "--window",
        "2026-03-02T11:00:00Z,2026-03-02T11:03:00Z",
    ]
    assert main(argv) == 1
    assert "no baseline" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["localize", "--window", "2026-03-02T11:00:00Z,2026-03-02T11:03:00Z"])
    assert exited.value.code == 2
