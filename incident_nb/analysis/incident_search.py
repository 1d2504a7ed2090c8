"""Step 1 from the events: onset, affected group, end and trend, found where the failure is.

Owns the procedure :func:`find_incident`, which asks a
:class:`~incident_nb.analysis.cube_source.CubeSource` three kinds of question:

1. the minute series of every group of every level: the search
   (:mod:`~incident_nb.analysis.onset_search`) finds the changes, strongest first;
2. the cells inside and outside a change's minutes: the change must hold within the parts of
   its group, and the affected scope is grown from it (:mod:`~incident_nb.analysis.affected`);
3. the minutes of that scope: the onset and the end are placed on the affected group's own
   series (:mod:`~incident_nb.analysis.changepoint`), and its trend judged there
   (:mod:`~incident_nb.analysis.trend`).

Failures are looked for first; latency when no failure changed. When both changed, the units
affected by either are affected, and the onset is placed on the clearer of the two; when the
other signal started first, the units are judged from its onset on. When
neither changed, the failures of each status are looked at on their own
(:func:`_one_status`): a new kind of failure may rise under a steady background of others.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd

from incident_nb.analysis.activity import (
    CONFIRM_LOG10P,
    part_cuts,
    part_weights,
    quiet_minutes,
    rise_strength,
)
from incident_nb.analysis.affected import Judged, judge
from incident_nb.analysis.cells import CellTable, Scope
from incident_nb.analysis.cube import MinuteCube, parts_of, series_of
from incident_nb.analysis.cube_source import CubeSource
from incident_nb.analysis.group_onset import AlsoChanged, GroupOnset, Incident
from incident_nb.analysis.mix import steady_mix
from incident_nb.analysis.onset_search import (
    SIGNAL_COUNT,
    Candidate,
    holds_within_parts,
    search,
)
from incident_nb.analysis.placement import place, pooled
from incident_nb.analysis.scan import (
    MIN_RATIO,
    SIGNALS,
    Series,
    other_signal,
    within_variance,
)
from incident_nb.analysis.scope import find_scope, joint
from incident_nb.analysis.trend import ONSET_MARGIN, judge_trend, judged_minutes
from incident_nb.analysis.unit_sums import Noise

MAX_CANDIDATES = 3
"""Changes tried, strongest first, until one holds within the parts of its group."""
ROUNDS = 2
"""Times the scope is grown again once the onset and end moved by more than two minutes."""
STATUS_SHARE = 0.25
"""Failures of one status rose: the failures as a whole must have risen by at least this share
of it. Failures that only changed status (a proxy answering 503 for what was 502) are no
incident: the failures as a whole did not rise at all. The failures of the other statuses may
wander meanwhile, and do: by this, down to three quarters of the rise."""

Whole = tuple[CubeSource, MinuteCube]
"""A source and its cube, when the search runs on the failures of one status of its events."""


def find_incident(source: CubeSource, levels: pd.DataFrame | None = None) -> Incident:
    """Onset, affected group, end and trend of the events ``source`` answers for.

    Args:
        source: answers the search's questions.
        levels: ``source.minute_levels()``, when the caller asked already (it also reads the
            per-minute endpoint and tenant frames from it).

    Raises:
        ValueError: a frame the source returned lacks a column.
    """
    cube = MinuteCube(source.minute_levels() if levels is None else levels)
    for signal in SIGNALS:
        found = _first_holding(source, cube, search(cube, signal))
        if found is not None:
            return found
    found = _one_status(source, cube)
    if found is not None:
        return found
    overall = cube.scope_series({}, "errors")
    assert overall is not None
    first, last = judged_minutes(overall, None, None)
    trend = judge_trend(overall, "errors", first, last)
    return Incident(None, trend, _time(cube, first), _time(cube, last))


def _first_holding(
    source: CubeSource,
    cube: MinuteCube,
    candidates: list[Candidate],
    *,
    whole: Whole | None = None,
    status: str | None = None,
) -> Incident | None:
    """The incident of the strongest candidate that holds within the parts of its group.

    With ``whole`` (the candidates are failures of ``status`` only, asked of ``source``), the
    failures as a whole must have risen too, in the same scope and minutes.
    """
    for candidate in candidates[:MAX_CANDIDATES]:
        signal = candidate.signal
        seeds = _scope_series(source, cube, candidate.scope(), candidate.start)
        seed = seeds[signal]
        aside = quiet_minutes(seeds, candidate.start, candidate.end, signal)
        cells = _cells(source, cube, (candidate.start, candidate.end), aside, seeds)
        noise = _noise(seed, candidate.start, candidate.end, signal)
        if not holds_within_parts(cells, candidate, noise.var):
            continue
        onset, series, window = _describe(
            source, cube, candidate, (cells, aside), noise, status=status
        )
        if whole is not None and not _failures_rose(whole, onset, window):
            continue
        first, last = judged_minutes(series, window[0], window[1])
        trend = judge_trend(series, signal, first, last)
        return Incident(onset, trend, _time(cube, first), _time(cube, last))
    return None


def _one_status(source: CubeSource, cube: MinuteCube) -> Incident | None:
    """An incident of the failures of one status, when neither signal as a whole showed one.

    A steady background of failures of some statuses (a flaky dependency's 500s) can hide a
    new kind of failure (504s from a dependency timing out) among the failures as a whole.
    The failures of each status are then searched on their own, every request still counted,
    the p-values adjusted for every status searched; the strongest change that holds is kept
    when the failures as a whole rose too (:data:`STATUS_SHARE`).
    """
    kinds = source.failure_kinds()
    found: list[tuple[Candidate, str, CubeSource, MinuteCube]] = []
    for status, view in kinds:
        of_status = MinuteCube(view.minute_levels())
        for candidate in search(of_status, "errors", SIGNAL_COUNT + len(kinds)):
            found.append((candidate, status, view, of_status))
    found.sort(key=lambda item: item[0].log10p)
    for candidate, status, view, of_status in found[:MAX_CANDIDATES]:
        incident = _first_holding(view, of_status, [candidate], whole=(source, cube), status=status)
        if incident is not None:
            return incident
    return None


def _failures_rose(whole: Whole, onset: GroupOnset, window: tuple[int, int | None]) -> bool:
    """Whether the status's failures rose, and all failures by :data:`STATUS_SHARE` of that.

    The status's own rise is measured against its level before the onset (at least
    :data:`~incident_nb.analysis.scan.MIN_RATIO` times): a status whose share fell later (some
    of its failures answered with another status from then on) makes the minutes before the
    fall look high against all the others.
    """
    if onset.after < MIN_RATIO * onset.before:
        return False
    source, cube = whole
    scope: Scope = {d: set(v) if v is not None else None for d, v in onset.scope.items()}
    series = _scope_series(source, cube, scope)["errors"]
    start, stop = window[0], window[1] if window[1] is not None else cube.minutes
    before, after = _levels(series, start, stop, "errors")
    return after - before >= STATUS_SHARE * (onset.after - onset.before)


def _time(cube: MinuteCube, minute: int) -> datetime:
    return cube.timestamp(minute).to_pydatetime()


def _times(cube: MinuteCube, start: int, stop: int) -> tuple[datetime, datetime]:
    return _time(cube, start), _time(cube, stop)


def _scope_series(
    source: CubeSource, cube: MinuteCube, scope: Scope, start: int | None = None
) -> dict[str, Series]:
    """The scope's one-minute series for both signals (from the cube when it is one group).

    With ``start`` (the onset), the latency of a scope of several endpoints is measured from
    each endpoint's level before it (:func:`~.mix.steady_mix`): not moved by their mix.
    """
    mixed = start is not None and _several_endpoints(cube, scope)
    found = {signal: cube.scope_series(scope, signal) for signal in SIGNALS}
    parts = cube.endpoint_parts(scope, "latency") if mixed else None
    both = {k: v for k, v in found.items() if v is not None}
    if len(both) < len(SIGNALS) or (mixed and parts is None):
        frame = source.scope_minutes(
            {d: sorted(v) if v is not None else None for d, v in scope.items()},
            by="endpoint" if mixed else None,
        )
        both = {signal: series_of(frame, signal, cube.start, cube.minutes) for signal in SIGNALS}
        if mixed:
            parts = parts_of(frame, "endpoint", "latency", cube.start, cube.minutes)
    if parts is not None and start is not None:
        both["latency"] = steady_mix(parts, start)
    return both


def _several_endpoints(cube: MinuteCube, scope: Scope) -> bool:
    """Whether the scope may span several endpoints (the log having several)."""
    wanted = scope.get("endpoint")
    return len(cube.values.get("endpoint", [])) >= 2 and (wanted is None or len(wanted) >= 2)


def _cells(
    source: CubeSource,
    cube: MinuteCube,
    window: tuple[int, int],
    aside: list[int],
    both: dict[str, Series],
) -> CellTable:
    """The cells inside and outside the window's minutes (those ``aside`` count as neither).

    The window is split into parts, and each signal's rise in each part of the scope's
    series ``both`` weighs the requests there (:func:`~.activity.part_weights`).
    """
    cuts = part_cuts(both["errors"], *window, aside)
    weights = {s: part_weights(both[s], window, cuts, s, aside) for s in SIGNALS if s in both}
    if all((w == 1.0).all() for w in weights.values()):
        cuts, weights = [], {}  # a level that did not move: the window as one part
    start, stop = _times(cube, *window)
    frame = source.cell_windows(
        start, stop, [_time(cube, m) for m in aside], [_time(cube, c) for c in cuts]
    )
    return CellTable(frame, weights)


def _describe(
    source: CubeSource,
    cube: MinuteCube,
    candidate: Candidate,
    found: tuple[CellTable, list[int]],
    noise: Noise,
    *,
    status: str | None = None,
) -> tuple[GroupOnset, Series, tuple[int, int | None]]:
    """Grow the scope, place onset and end on its series, and measure the levels.

    ``status``: the candidate is a change of the failures of that status only.
    """
    cells, aside = found
    signal = candidate.signal
    start, stop = candidate.start, candidate.end
    scope: Scope = candidate.scope()
    judged: dict[str, Judged] = {}
    ended: int | None = None
    both: dict[str, Series] = {}
    jump = False
    for round_ in range(ROUNDS):
        scope, judged = find_scope(cells, candidate.scope(), signal, noise)
        both = _scope_series(source, cube, scope, start)
        new_start, new_stop, ended, jump = place(both[signal], start, stop, signal)
        new_aside = quiet_minutes(both, new_start, new_stop, signal)
        moved = abs(new_start - start) > 2 or abs(new_stop - stop) > 2
        moved |= len(set(new_aside) ^ set(aside)) > 2
        start, stop, aside = new_start, new_stop, new_aside
        noise = _noise(both[signal], start, stop, signal)
        if not moved or round_ == ROUNDS - 1:
            break
        cells = _cells(source, cube, (start, stop), aside, both)
    series = both[signal]
    window = (start, stop)
    start, other_rose = _joint_onset(both, window, signal, placed=jump)
    also = None
    if other_rose:
        if start < window[0] - ONSET_MARGIN:
            # The other signal started first (a queue slowing until its requests time out):
            # the units are judged over all the incident's minutes, not only the later ones
            # where this signal changed. Its quiet minutes are those of the signal that led.
            window = (start, stop)
            aside = quiet_minutes(both, start, stop, other_signal(signal))
            cells = _cells(source, cube, window, aside, both)
            noise = _noise(series, start, stop, signal)
            judged = {dim: judge(cells, scope, dim, signal, noise) for dim in judged}
        judged, also = _with_other_signal(
            cells, scope, judged, window, signal, both=both, start=start
        )
    before, after = _levels(series, start, stop, signal)
    onset = GroupOnset(
        at=_time(cube, start),
        ended_at=_time(cube, ended) if ended is not None else None,
        signal=signal,
        found_in=candidate.level.name,
        group=dict(zip(candidate.level.dims, candidate.key, strict=True)),
        scope={d: tuple(sorted(v)) if v is not None else None for d, v in scope.items()},
        before=before,
        after=after,
        log10_p=candidate.log10p,
        groups_searched=candidate.groups_searched,
        units={d: j.units for d, j in judged.items()},
        also=also,
        status=status,
    )
    return onset, series, (start, ended)


def _joint_onset(
    both: dict[str, Series], window: tuple[int, int], signal: str, *, placed: bool
) -> tuple[int, bool]:
    """The onset minute when the other signal may have changed too, and whether it did.

    Unless the onset is a clear jump already (``placed``), it is then placed on whichever
    signal shows the change more strongly (the latency of a group failing a few percent of
    its requests moves first, and clearer). Either onset gives way to the other signal's
    earlier one when the other's minutes between the two are clearly higher than before them
    on their own (p below :data:`CONFIRM_LOG10P`): a slowdown whose requests start failing once
    they time out began when it slowed, even when its failures are the stronger change.
    """
    other = other_signal(signal)
    alt = both[other]
    strength = rise_strength(alt, window, other) if alt.n.sum() > 0 else None
    if strength is None or strength > CONFIRM_LOG10P:
        return window[0], False
    start = window[0]
    own = rise_strength(both[signal], window, signal)
    earlier = place(alt, window[0], window[1], other).onset
    if not placed and (own is None or strength < own):
        start = earlier
    elif earlier < start - ONSET_MARGIN:
        # The other signal may still have started first (a failing and slow ramp whose first
        # failures are too few to see, a queue that slows until its requests time out): its
        # earlier minutes must then be clearly higher than before them, on their own.
        until = Series(alt.n[:start], alt.x[:start], alt.x2[:start])
        lead = rise_strength(until, (earlier, start), other)
        if lead is not None and lead <= CONFIRM_LOG10P:
            start = earlier
    return start, True


def _with_other_signal(
    cells: CellTable,
    scope: Scope,
    judged: dict[str, Judged],
    window: tuple[int, int],
    signal: str,
    *,
    both: dict[str, Series],
    start: int,
) -> tuple[dict[str, Judged], AlsoChanged]:
    """The other signal changed too (failing and slow): add its affected units.

    ``cells`` are those of ``window``; ``start`` is the onset (:func:`_joint_onset`).
    Returns the judged units of both signals and the other signal's change.
    """
    other = other_signal(signal)
    alt = both[other]
    noise = _noise(alt, *window, other)
    out = dict(judged)
    reach: dict[str, tuple[str, ...] | None] = {}
    for dim, result in judged.items():
        second = judge(cells, scope, dim, other, noise)
        extra = set(second.affected)
        reach[dim] = tuple(sorted(extra)) if extra else None
        units = result.units.copy()
        units["affected"] = units["value"].isin(joint(result, second))
        out[dim] = Judged(dim, units.sort_values("affected", ascending=False, kind="stable"))
    before, after = _levels(alt, start, window[1], other)
    return out, AlsoChanged(other, reach, before, after)


def _noise(series: Series, start: int, stop: int, signal: str) -> Noise:
    """How noisy latency is, and the incident's level in ``series`` over ``[start, stop)``.

    The noise: per request, and a minute's mean beyond that, before the onset.
    """
    var = float(within_variance(series)[0, 0])
    minutes = max(stop - start, 1)
    before = pooled(series.n[:start], series.x[:start])
    inside = pooled(series.n[start:stop], series.x[start:stop])
    rise = inside if signal == "errors" else inside - before
    n = series.n[:start]
    seen = n > 0
    if int(seen.sum()) < 3:
        return Noise(var, 0.0, minutes, rise)
    means = series.x[:start][seen] / n[seen]
    extra = float(np.var(means)) - float(np.mean(var / n[seen]))
    return Noise(var, max(extra, 0.0), minutes, rise)


def _levels(series: Series, start: int, end: int, signal: str) -> tuple[float, float]:
    """The affected group's level before the onset and during the incident, as people read it."""
    before = pooled(series.n[:start], series.x[:start])
    after = pooled(series.n[start:end], series.x[start:end])
    if signal == "latency":
        return math.expm1(before), math.expm1(after)
    return before, after
