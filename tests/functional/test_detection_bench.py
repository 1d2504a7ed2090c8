"""The detection benchmark's small version against the issue's targets.

About 30 seeded scenarios (incidents and quiet logs), each written as a JSON-lines log and
analysed by the real ``analyze`` path; see ``bench/bench_detection.py``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _bench(name: str = "bench_detection") -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def run() -> tuple[ModuleType, list[Any]]:
    bench = _bench()
    return bench, bench.evaluate(small=True)


@pytest.mark.parametrize("seed", [101_058, 101_103, 102_067, 102_109])
def test_a_quiet_log_with_a_growing_failing_tenant_tells_its_tenants_apart(seed):
    # One tenant failing steadily whose traffic grows: the log is quiet only when it names
    # tenants. Without the field, the service itself fails more and more (these seeds' logs had
    # none, and their alarms were right).
    generator = _bench("detection_scenarios")
    scenario = generator.generate(seed, quiet=True)
    assert "growing failing tenant" in scenario.lookalikes
    tenant_fields = {tenant for tenant, _, _ in generator.FIELD_NAMES}
    assert scenario.has_tenants and len(tenant_fields & set(scenario.frame.columns)) == 1


def test_onset_endpoint_trend_and_quiet_logs_meet_the_targets(run):
    bench, outcomes = run
    figures = bench.figures(outcomes)
    assert figures["eligible"] >= 12 and figures["quiet"] >= 10
    assert figures["onset"] >= bench.TARGETS["onset"]
    assert figures["endpoint"] >= bench.TARGETS["endpoint"]
    assert figures["trend"] >= bench.TARGETS["trend"]
    assert figures["false_alarms"] <= bench.MAX_FALSE_ALARMS


@pytest.mark.xfail(
    strict=True,
    reason="affected tenants are exactly right in 88% of the small set, below the 90% target "
    "(90.2-90.9% of the full one on three seeds): the misses are tenants judged on one or two "
    "requests, tenants of the affected group none of whose requests the generator counts as "
    "hit, single background failures that look like the incident's, and incidents too faint "
    "for an onset",
)
def test_affected_tenants_meet_the_target(run):
    bench, outcomes = run
    assert bench.figures(outcomes)["tenants"] >= bench.TARGETS["tenants"]


STEEPENING = {"saturation", "leak"}
"""The second generator's rises that steepen as they go."""


@pytest.fixture(scope="module")
def other() -> tuple[ModuleType, list[Any]]:
    bench = _bench()
    return bench, bench.evaluate(small=True, generator="other")


def test_a_second_generator_s_scenarios_meet_the_targets(other):
    # Other traffic and other failure mechanics (a canary's tenants each on its own endpoints,
    # flapping, one-minute blips, client errors), drawn apart from the bench's own generator.
    bench, outcomes = other
    figures = bench.figures(outcomes)
    assert figures["eligible"] >= 12 and figures["quiet"] >= 10
    for target in ("onset", "endpoint", "tenants", "trend"):
        assert figures[target] >= bench.TARGETS[target], target
    assert figures["false_alarms"] <= bench.MAX_FALSE_ALARMS


def test_a_steepening_rise_is_placed_where_it_starts(other):
    # A queue that saturates (latency growing by a factor each minute, then timeouts) and a
    # leak (failures growing with the square of time) leave the level before imperceptibly:
    # a straight line through their minutes placed them 10-40 minutes late.
    bench, outcomes = other
    steep = [o for o in outcomes if o.scenario.shape in STEEPENING]
    assert len(steep) >= 4
    assert bench.figures(steep)["onset"] >= bench.TARGETS["onset"]
