"""``incident-nb changes`` on generated histories whose culprit is known."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from incident_nb.analysis.impact import detect_onset
from incident_nb.cli import main
from incident_nb.core.models import iso
from incident_nb.demo.history import build_repo
from incident_nb.demo.scenario import Scenario
from incident_nb.sources.logs import LogStore
from tests.fix_scenario import CULPRIT, FixScenario


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, list[dict[str, object]]]:
    assert main(["changes", *argv, "--json"]) == 0
    data: dict[str, list[dict[str, object]]] = json.loads(capsys.readouterr().out)
    return data


def test_demo_culprit_ranks_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = Scenario()
    shas = build_repo(scenario, tmp_path / "shop-api")
    repo, onset = str(tmp_path / "shop-api"), iso(scenario.onset)
    data = _run(capsys, "--repo", repo, "--onset", onset, "--service", scenario.service)
    top = data["suspects"][0]
    assert top["subject"] == scenario.culprit_subject
    assert top["sha"] == shas[scenario.culprit_subject]
    assert top["deploy"] == scenario.deploy_version
    assert top["score"] > data["suspects"][1]["score"]
    assert any("3 min before the onset" in r for r in top["reasons"])
    subjects = {c["subject"] for c in data["changes"]}
    assert "Update README badges" not in subjects  # committed after the onset
    for change in data["changes"]:
        assert len(str(change["sha"])) == 40
        assert {"time", "subject", "files", "kinds"} <= set(change)
    culprit = next(c for c in data["changes"] if c["subject"] == scenario.culprit_subject)
    assert culprit["kinds"] == ["migration", "code"]
    tag = next(c for c in data["changes"] if c["type"] == "tag")
    assert tag["subject"] == "Release v2.14.0"
    assert shas[scenario.culprit_subject] in tag["shipped"]
    docs = [s["rank"] for s in data["suspects"] if s["kinds"] == ["docs"]]
    code = [s["rank"] for s in data["suspects"] if s["kinds"] != ["docs"]]
    assert min(docs) > max(code)
    # Without the service name the deploy itself may lead; culprit or its deploy ranks first.
    data = _run(capsys, "--repo", repo, "--onset", onset)
    assert data["suspects"][0]["subject"] in {scenario.culprit_subject, "Release v2.14.0"}


def test_logs_onset_then_deploy_log_ranks_culprit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = FixScenario()
    shas = scenario.write_history(tmp_path)
    store = LogStore.open([scenario.write_logs(tmp_path / "service.jsonl")])
    try:
        onset = detect_onset(store.per_minute())
    finally:
        store.close()
    assert onset is not None
    assert abs((onset.at - scenario.onset).total_seconds()) <= 60
    data = _run(
        capsys,
        "--repo",
        str(tmp_path / "shop-api"),
        "--onset",
        iso(onset.at),
        "--service",
        "shop-api",
        "--endpoint",
        "/api/v1/checkout",
        "--deploy-log",
        str(tmp_path / "deploys.jsonl"),
        "--lookback",
        "24h",
    )
    assert data["suspects"][0]["sha"] == shas[CULPRIT]
    assert data["suspects"][0]["deploy"] == "v2.14.0"
    suspects = {s["subject"] for s in data["suspects"]}
    pool = "Tune checkout pool size (not deployed before the onset)"
    assert pool in {c["subject"] for c in data["changes"]}
    assert pool not in suspects  # first deployed by the fix, after the onset
    assert [d["version"] for d in data["deploys"]] == ["v2.13.0", "v2.14.0", "v2.14.1"]
    v214 = data["deploys"][1]
    assert set(v214["shipped"]) == {shas[CULPRIT], shas["Bump requests"], shas["Tidy tests"]}


def test_text_output_and_bad_deploy_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = Scenario()
    build_repo(scenario, tmp_path / "repo")
    argv = ["changes", "--repo", str(tmp_path / "repo"), "--onset", iso(scenario.onset)]
    assert main([*argv, "--service", "shop-api"]) == 0
    out = capsys.readouterr().out
    assert "Suspects, best first:" in out
    assert "1. [" in out and scenario.culprit_subject in out.split("Suspects, best first:")[1]
    log = tmp_path / "deploys.jsonl"
    log.write_text('{"time": "2026-11-20T14:00:00Z", "version": "v1"}\n{"version": "v2"}\n')
    assert main([*argv, "--deploy-log", str(log)]) == 1
    assert "deploys.jsonl line 2: time" in capsys.readouterr().err
    assert main([*argv, "--lookback", "soon"]) == 1
    assert "not a positive duration" in capsys.readouterr().err
    assert main(["changes", "--repo", str(tmp_path), "--onset", iso(scenario.onset)]) == 1
    assert "not a git repository" in capsys.readouterr().err


def test_release_tags_ship_commits_since_the_previous_tag(tmp_path: Path) -> None:
    import git

    from incident_nb.sources.changes import release_tags

    repo = git.Repo.init(tmp_path / "r", initial_branch="main")
    shas = []
    with repo:
        with repo.config_writer() as cfg:
            cfg.set_value("user", "name", "T")
            cfg.set_value("user", "email", "t@example.invalid")
        for hour, name in enumerate(["a", "b", "c", "d"]):
            (tmp_path / "r" / f"{name}.py").write_text(name)
            repo.index.add([f"{name}.py"])
            when = f"2026-11-20T{10 + hour:02d}:00:00+0000"
            shas.append(repo.index.commit(name, author_date=when, commit_date=when).hexsha)
            if name == "b":
                repo.create_tag("v1", ref=shas[-1])  # lightweight: dated by its commit
            if name == "d":
                repo.create_tag("v2", ref=shas[-1])
        repo.create_tag("nightly", ref=shas[0])
    scenario = Scenario()
    since, until = scenario.start - timedelta(hours=10), scenario.start + timedelta(hours=10)
    tags = release_tags([tmp_path / "r"], since, until, pattern="v*")
    assert list(tags["version"]) == ["v1", "v2"]
    assert set(tags.iloc[1]["shipped"]) == set(shas[2:])
    assert tags.iloc[1]["files"] == ["c.py", "d.py"]
    assert tags.iloc[1]["time"] == datetime(2026, 11, 20, 13, 0, tzinfo=UTC)


def test_deploy_log_csv_reads_like_jsonl(tmp_path: Path) -> None:
    from incident_nb.sources.deploys import read_deploy_log

    FixScenario().write_history(tmp_path)
    jsonl = read_deploy_log(tmp_path / "deploys.jsonl")
    jsonl.assign(time=[iso(t) for t in jsonl["time"]]).to_csv(tmp_path / "d.csv", index=False)
    pd.testing.assert_frame_equal(read_deploy_log(tmp_path / "d.csv"), jsonl)
    assert list(jsonl["version"]) == ["v2.13.0", "v2.14.0", "v2.14.1"]
