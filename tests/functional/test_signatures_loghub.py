"""Grouping and parsing accuracy on the loghub benchmark (2,000 labelled lines per system).

The truth is the corrected labelling (``*_2k.log_structured_corrected.csv``); the messages are its
``Content`` column (the part of each line after the header fields). Drain3 with its default
settings is measured in the same run: on every system the grouping must score at least as well.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from incident_nb.analysis.grouping_accuracy import grouping_accuracy, parsing_accuracy
from incident_nb.analysis.signatures import group_messages

SYSTEMS = ("Apache", "HDFS", "Linux", "OpenSSH", "OpenStack", "Zookeeper")
MEAN_TARGET = 0.95

pytestmark = pytest.mark.shared_data


@cache
def _labelled(folder: Path, system: str) -> pd.DataFrame:
    path = folder / "loghub" / system / f"{system}_2k.log_structured_corrected.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _scores(shared_data: Path, system: str) -> tuple[float, float]:
    frame = _labelled(shared_data, system)
    templates = group_messages(frame["Content"]).templates()
    return (
        grouping_accuracy(templates, list(frame["EventId"])),
        parsing_accuracy(templates, list(frame["EventTemplate"])),
    )


def _drain3_accuracy(shared_data: Path, system: str) -> float:
    drain3 = pytest.importorskip("drain3", reason="drain3 is the baseline (the dev extra)")
    from drain3.template_miner_config import TemplateMinerConfig

    logging.getLogger("drain3").setLevel(logging.WARNING)
    miner = drain3.TemplateMiner(config=TemplateMinerConfig())
    frame = _labelled(shared_data, system)
    ids = [miner.add_log_message(m)["cluster_id"] for m in frame["Content"]]
    return grouping_accuracy(ids, list(frame["EventId"]))


@pytest.mark.parametrize("system", SYSTEMS)
def test_at_least_drain3_on_every_system(shared_data: Path, system: str) -> None:
    ga, pa = _scores(shared_data, system)
    assert ga >= _drain3_accuracy(shared_data, system)
    assert ga >= 0.99 and pa >= 0.4, (ga, pa)


def test_mean_accuracy_over_the_six_systems(shared_data: Path) -> None:
    scores = {system: _scores(shared_data, system)[0] for system in SYSTEMS}
    mean = sum(scores.values()) / len(scores)
    assert mean >= MEAN_TARGET, scores
