"""Detection benchmark: onset, affected group and trend on seeded incidents and quiet logs.

Generates (``detection_scenarios.py``) at least 300 incident scenarios and 100 quiet logs,
writes each as a real JSON-lines log, runs the real ``analyze`` path on it (``LogStore.open``,
the evidence pipeline's ``analyze_store`` and ``summarize``: what ``analyze --json`` prints)
and prints:

- onset recall (within 2 minutes of the truth) by group size, volume, kind and shape;
- false alarms on quiet logs, by look-alike;
- affected-tenant precision, recall and exact sets; failing-endpoint accuracy; trend accuracy;
- the time per scenario (parsing; the search's queries and analysis).

The targets hold over incidents whose affected group has at least 30 failing (or slow)
requests after the onset: onset within 2 minutes >= 95%, failing endpoint right >= 95%,
affected tenants exactly right >= 90%, trend right >= 90%; false alarms <= 2% of quiet logs.
``--generator other`` draws the scenarios from a second generator built apart from the first
(``other_scenarios.py``: other traffic and other failure mechanics), so that the figures are
not those of one generator's habits.
``--lead N`` starts each incident's log N minutes before its onset, as a rotated file does.
``--scale`` times ``analyze --json`` on the 2M-line log of ``bench_analyze.py``, and with
``--baseline CHECKOUT`` the code before the group search too, in the same run (target: at most
10% slower).

    .venv/bin/python bench/bench_detection.py [--small] [--seed N] [--failures]
                                              [--generator {bench,other}] [--lead N]
    .venv/bin/python bench/bench_detection.py --scale [--baseline CHECKOUT]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection_scenarios import Scenario, generate, write_jsonl
from other_scenarios import generate as generate_other

from incident_nb.analysis.incident_search import find_incident
from incident_nb.core.summary import AnalysisSummary
from incident_nb.evidence.logs import analyze_store, summarize
from incident_nb.sources.logs import LogStore

ELIGIBLE_HITS = 30
TARGETS = {"onset": 0.95, "endpoint": 0.95, "tenants": 0.90, "trend": 0.90}
MAX_FALSE_ALARMS = 0.02
FULL = (320, 110)
SMALL = (20, 10)
GENERATORS = {"bench": generate, "other": generate_other}


@dataclass
class Outcome:
    """One scenario's truth against what the analysis found."""

    scenario: Scenario
    summary: AnalysisSummary
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def alarm(self) -> bool:
        return self.summary.onset is not None

    @property
    def said(self) -> str:
        note = self.summary.onset_note
        return note.sentence if note else "no onset"

    @property
    def onset_right(self) -> bool:
        onset, truth = self.summary.onset, self.scenario.onset_at
        return (
            onset is not None and truth is not None and abs((onset - truth).total_seconds()) <= 120
        )

    @property
    def ended_at(self) -> datetime | None:
        note = self.summary.onset_note
        return note.ended_at if note else None

    @property
    def endpoints(self) -> set[str]:
        return {e.endpoint for e in self.summary.failing_endpoints}

    @property
    def tenants(self) -> set[str]:
        return {t.tenant for t in self.summary.affected_tenants}

    @property
    def endpoint_right(self) -> bool:
        return bool(self.endpoints) and self.endpoints <= self.scenario.endpoints

    @property
    def tenants_right(self) -> bool:
        return self.tenants == self.scenario.tenants

    @property
    def trend_right(self) -> bool:
        return self.summary.trend.direction == self.scenario.trend


def run_one(scenario: Scenario, folder: Path) -> Outcome:
    """Write the scenario's log and analyse it as ``analyze`` would."""
    path = folder / f"{scenario.name}.jsonl"
    assert scenario.frame is not None
    write_jsonl(scenario.frame, path)
    began = time.perf_counter()
    store = LogStore.open([path])
    parsed = time.perf_counter()
    try:
        summary = summarize(analyze_store(store))
        done = time.perf_counter()
    finally:
        store.close()
        path.unlink()
    seconds = {"parse": parsed - began, "analysis": done - parsed}
    return Outcome(scenario, summary, seconds)


def scenarios(small: bool, seed: int) -> list[tuple[int, bool]]:
    """The (seed, quiet) of every scenario of the run."""
    incidents, quiet = SMALL if small else FULL
    return [(seed + i, False) for i in range(incidents)] + [
        (seed + 100_000 + i, True) for i in range(quiet)
    ]


def starting(scenario: Scenario, lead: int | None) -> Scenario:
    """The scenario with its log starting ``lead`` minutes before its onset (a rotated file)."""
    frame, onset = scenario.frame, scenario.onset_at
    if lead is None or frame is None or onset is None:
        return scenario
    times = frame.select_dtypes(include=["datetimetz"]).columns[0]
    scenario.frame = frame[frame[times] >= onset - timedelta(minutes=lead)]
    return scenario


def evaluate(
    small: bool = False,
    seed: int = 1,
    progress: bool = False,
    generator: str = "bench",
    lead: int | None = None,
) -> list[Outcome]:
    """Generate (with one of :data:`GENERATORS`), write and analyse every scenario.

    ``lead``: each incident's log starts that many minutes before its onset.
    """
    outcomes = []
    draw = GENERATORS[generator]
    with tempfile.TemporaryDirectory() as tmp:
        for index, (s, quiet) in enumerate(scenarios(small, seed)):
            outcome = run_one(starting(draw(s, quiet, small), lead), Path(tmp))
            outcome.scenario.frame = None
            outcomes.append(outcome)
            if progress and index % 25 == 0:
                print(f"  {index} scenarios done", file=sys.stderr)
    return outcomes


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


def _volume(v: float) -> str:
    return "20-200/min" if v < 200 else "200-2,000/min" if v < 2000 else "2,000-20,000/min"


def figures(outcomes: list[Outcome]) -> dict[str, float]:
    """The targeted figures over eligible incidents, and the false-alarm rate."""
    eligible = [o for o in outcomes if not o.scenario.quiet and o.scenario.hit >= ELIGIBLE_HITS]
    quiet = [o for o in outcomes if o.scenario.quiet]
    return {
        "onset": _share([o.onset_right for o in eligible]),
        "endpoint": _share([o.endpoint_right for o in eligible]),
        "tenants": _share([o.tenants_right for o in eligible]),
        "trend": _share([o.trend_right for o in eligible]),
        "false_alarms": _share([o.alarm for o in quiet]),
        "eligible": float(len(eligible)),
        "quiet": float(len(quiet)),
    }


def misses(outcomes: list[Outcome]) -> list[str]:
    """The targets missed, in words (empty when all are met)."""
    got = figures(outcomes)
    out = [f"{k} {got[k]:.1%} < {v:.0%}" for k, v in TARGETS.items() if not got[k] >= v]
    if not got["false_alarms"] <= MAX_FALSE_ALARMS:
        out.append(f"false alarms {got['false_alarms']:.1%} > {MAX_FALSE_ALARMS:.0%}")
    return out


def report(outcomes: list[Outcome]) -> None:
    """Print every figure."""
    incidents = [o for o in outcomes if not o.scenario.quiet]
    eligible = [o for o in incidents if o.scenario.hit >= ELIGIBLE_HITS]
    quiet = [o for o in outcomes if o.scenario.quiet]
    print(
        f"{len(incidents)} incidents ({len(eligible)} with >= {ELIGIBLE_HITS} failing or slow "
        f"requests after the onset), {len(quiet)} quiet logs"
    )
    for title, key in (
        ("group size", lambda o: o.scenario.size),
        ("volume", lambda o: _volume(o.scenario.volume)),
        ("kind", lambda o: o.scenario.kind),
        ("shape", lambda o: o.scenario.shape),
    ):
        print(f"\nonset within 2 min, by {title} (eligible / all incidents):")
        groups: dict[str, list[Outcome]] = defaultdict(list)
        for o in incidents:
            groups[key(o)].append(o)
        for name in sorted(groups):
            every = groups[name]
            good = [o for o in every if o.scenario.hit >= ELIGIBLE_HITS]
            print(
                f"  {name:28s} {_share([o.onset_right for o in good]):6.1%} of {len(good):3d}"
                f"   {_share([o.onset_right for o in every]):6.1%} of {len(every):3d}"
            )
    with_tenants = [o for o in eligible if o.scenario.has_tenants]
    found = sum(len(o.tenants & o.scenario.tenants) for o in with_tenants)
    listed = sum(len(o.tenants) for o in with_tenants)
    truth = sum(len(o.scenario.tenants) for o in with_tenants)
    print("\nover eligible incidents:")
    print(f"  onset within 2 min           {_share([o.onset_right for o in eligible]):6.1%}")
    print(f"  failing endpoint right       {_share([o.endpoint_right for o in eligible]):6.1%}")
    print(
        f"  endpoints exactly right      "
        f"{_share([o.endpoints == o.scenario.endpoints for o in eligible]):6.1%}"
    )
    print(f"  affected tenants exact       {_share([o.tenants_right for o in eligible]):6.1%}")
    print(f"  affected tenants precision   {found / listed if listed else float('nan'):6.1%}")
    print(f"  affected tenants recall      {found / truth if truth else float('nan'):6.1%}")
    no_tenant = [o for o in eligible if not o.scenario.has_tenants]
    print(
        f"  no tenant listed without a tenant field "
        f"{_share([not o.tenants for o in no_tenant]):6.1%} of {len(no_tenant)}"
    )
    print(f"  trend right                  {_share([o.trend_right for o in eligible]):6.1%}")
    ends = [o for o in eligible if o.scenario.end is not None and o.onset_right]
    ended = [
        o.ended_at is not None
        and o.scenario.end_at is not None
        and abs((o.ended_at - o.scenario.end_at).total_seconds()) <= 120
        for o in ends
    ]
    print(f"  recovery end within 2 min    {_share(ended):6.1%} of {len(ends)}")
    print(f"\nfalse alarms on quiet logs: {_share([o.alarm for o in quiet]):.1%} of {len(quiet)}")
    by_look: dict[str, list[bool]] = defaultdict(list)
    for o in quiet:
        for look in o.scenario.lookalikes:
            by_look[look].append(o.alarm)
    for look in sorted(by_look):
        print(f"  {look:28s} {_share(by_look[look]):6.1%} of {len(by_look[look])}")
    for stage in ("parse", "analysis"):
        times = sorted(o.seconds[stage] for o in outcomes)
        print(
            f"time per scenario, {stage:6s}: mean {sum(times) / len(times) * 1000:7.1f} ms, "
            f"median {times[len(times) // 2] * 1000:7.1f} ms, max {times[-1] * 1000:7.1f} ms"
        )


def scale(lines: int, baseline: Path | None, rounds: int = 7) -> None:
    """``analyze --json`` on bench_analyze's 2M-line log, before and after, in one run.

    "After" is this checkout; "before" is ``baseline``, a checkout of the code before the
    group search (each run as a fresh command, the two interleaved, best of ``rounds``). Wall
    time and CPU time (user + system, of the command and its threads) are both given: on a
    machine shared with other work, CPU time is the steadier measure. The search alone (its
    queries and analysis) is also timed in-process.
    """
    import bench_analyze  # noqa: PLC0415

    here = str(Path(__file__).resolve().parent.parent)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "service.jsonl"
        bench_analyze.generate(log, lines)
        exe = str(Path(sys.executable).parent / "incident-nb")
        cli = [exe, "analyze", "--logs", str(log), "--json"]
        runs: dict[str, list[tuple[float, float]]] = {"after": [], "before": []}
        for _ in range(rounds):
            for name, root in (("after", here), ("before", str(baseline) if baseline else None)):
                if root is not None:
                    runs[name].append(_timed(cli, log, {**os.environ, "PYTHONPATH": root}))
        wall, cpu = (min(t[i] for t in runs["after"]) for i in (0, 1))
        print(
            f"\n{lines:,} lines: analyze --json {wall:.2f} s wall, {cpu:.2f} s CPU (best of {rounds})"
        )
        if runs["before"]:
            wall0, cpu0 = (min(t[i] for t in runs["before"]) for i in (0, 1))
            print(
                f"  before the group search ({baseline}): {wall0:.2f} s wall, {cpu0:.2f} s CPU; "
                f"after / before: wall {wall / wall0:.3f}, CPU {cpu / cpu0:.3f} (target <= 1.10)"
            )
        store = LogStore.open([log])
        extra = []
        for _ in range(rounds):
            store._cube_dims_sql = None
            began = time.perf_counter()
            incident = find_incident(store)
            extra.append(time.perf_counter() - began)
        store.close()
        print(f"  the group search alone (queries and analysis): {min(extra):.3f} s")
        print("  " + (incident.onset.sentence() if incident.onset else "no onset"))


def _timed(cmd: list[str], warm: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``cmd`` with ``env``, after reading ``warm`` into the page cache."""
    subprocess.run(["cat", str(warm)], stdout=subprocess.DEVNULL, check=True)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True, env=env)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="about 30 scenarios")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--scale", type=int, nargs="?", const=2_000_000, default=0, help="time analyze at N lines"
    )
    parser.add_argument(
        "--baseline", type=Path, help="with --scale: a checkout of the code before the search"
    )
    parser.add_argument("--failures", action="store_true", help="list every miss")
    parser.add_argument("--generator", choices=sorted(GENERATORS), default="bench")
    parser.add_argument(
        "--lead", type=int, help="each incident's log starts N minutes before its onset"
    )
    args = parser.parse_args()
    if args.scale:
        scale(args.scale, args.baseline)
        return
    began = time.perf_counter()
    outcomes = evaluate(
        args.small, args.seed, progress=True, generator=args.generator, lead=args.lead
    )
    report(outcomes)
    print(f"\nwall time {time.perf_counter() - began:.0f} s")
    if args.failures:
        for o in outcomes:
            sc = o.scenario
            if sc.quiet and o.alarm:
                print(f"FALSE ALARM {sc.name} {sc.lookalikes}: {o.said}")
            elif (
                not sc.quiet
                and sc.hit >= ELIGIBLE_HITS
                and not (o.onset_right and o.endpoint_right and o.tenants_right and o.trend_right)
            ):
                said = o.said
                print(
                    f"MISS {sc.name} {sc.kind}/{sc.shape}/{sc.size} vol={sc.volume:.0f} "
                    f"hit={sc.hit} onset={sc.onset} end={sc.end} trend={sc.trend} "
                    f"tenants={sorted(sc.tenants)[:6]} endpoints={sorted(sc.endpoints)[:4]}\n"
                    f"     said: {said}; trend {o.summary.trend.direction} "
                    f"[onset {o.onset_right} endpoint {o.endpoint_right} "
                    f"tenants {o.tenants_right} trend {o.trend_right}]"
                )
    missed = misses(outcomes)
    print("targets: " + ("all met" if not missed else "MISSED " + "; ".join(missed)))


if __name__ == "__main__":
    main()
