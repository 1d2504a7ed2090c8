"""Onset, affected group, end and trend of an incident, found where the failure is.

Owns the answer of Step 1 from the minute cube (see
:meth:`~incident_nb.sources.logs.LogStore.minute_cube`): :func:`find_incident` searches every
group (:mod:`~incident_nb.analysis.onset_search`), grows the affected scope from the group
found (:mod:`~incident_nb.analysis.affected`), places the onset and the end on the affected
group's own one-minute series, judges its trend (:mod:`~incident_nb.analysis.trend`) and says
it in one sentence an SRE reads:

    failures of POST /api/v2/ledger/entries for 3 tenants (acme, globex, initech) rose from
    0.2% to 58% at 09:37 UTC; p < 1e-9

Failures are looked for first; latency only when no failure changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from incident_nb.analysis.affected import Judged, Scope, find_scope, judge
from incident_nb.analysis.changepoint import place, pooled
from incident_nb.analysis.cube import MinuteCube
from incident_nb.analysis.onset_search import Candidate, search
from incident_nb.analysis.scan import (
    MIN_RATIO,
    SIGNALS,
    Series,
    dispersion,
    leave_out,
    log10_p,
    p_words,
    segment_gain,
    within_variance,
)
from incident_nb.analysis.trend import Trend, judge_trend, judged_minutes

ROUNDS = 2
CONFIRM_LOG10P = -4.0
"""The other signal (latency of a failing group, failures of a slow one) counts at p < 1e-4."""
SIGNAL_NAMES = {"errors": "error rate", "latency": "latency"}
"""The ``signal`` of an onset as the ``analyze`` summary has always named it."""


@dataclass(frozen=True)
class GroupOnset:
    """When and where an incident started, and how sure that is.

    Attributes:
        at: the first minute of the change.
        ended_at: the first minute back to normal, when the incident recovered in the window.
        signal: ``"errors"`` or ``"latency"``.
        found_in: the level whose group the search found first (e.g. ``"endpoint x tenant"``).
        group: that group, dimension -> value (empty for the whole service).
        scope: the affected group: dimension -> affected values (``None``: all of them).
        before: the affected group's level before the onset (failure share 0-1, or ms).
        after: its level from the onset to the end.
        log10_p: log10 of the adjusted p-value.
        groups_searched: groups scanned over every level.
        units: dimension -> its judged values (columns of
            :data:`~incident_nb.analysis.affected.UNIT_COLUMNS`).
    """

    at: datetime
    ended_at: datetime | None
    signal: str
    found_in: str
    group: dict[str, str]
    scope: dict[str, tuple[str, ...] | None]
    before: float
    after: float
    log10_p: float
    groups_searched: int
    units: dict[str, pd.DataFrame] = field(repr=False)

    def affected(self, dim: str) -> list[str]:
        """The affected values of ``dim`` (none when the log has no such dimension)."""
        judged = self.units.get(dim)
        if judged is None:
            return []
        return [str(v) for v in judged.loc[judged["affected"], "value"]]

    @property
    def p_words(self) -> str:
        """The evidence as ``p < 1e-9`` or ``p = 3e-5``."""
        return p_words(self.log10_p)

    def sentence(self) -> str:
        """The onset in one sentence (see the module docstring)."""
        what = "failures" if self.signal == "errors" else "latency"
        before, after = (_level_words(v, self.signal) for v in (self.before, self.after))
        levels = f"from {before} to {after}"
        text = f"{what} of {self._who()} rose {levels} at {self.at:%H:%M} UTC; {self.p_words}"
        if self.ended_at is not None:
            text += f"; back to normal at {self.ended_at:%H:%M} UTC"
        return text

    def _who(self) -> str:
        endpoints = self._values("endpoint")
        services = self._values("service")
        tenants = self._values("tenant")
        parts = []
        if endpoints is not None:
            parts.append(_list_words(endpoints, "endpoints", self._total("endpoint")))
        elif services is not None:
            parts.append(_list_words(services, "services", self._total("service")))
        else:
            parts.append("all requests")
        if tenants is not None:
            total = self._total("tenant")
            if len(tenants) == 1:
                parts.append(f"for tenant {tenants[0]}")
            elif len(tenants) >= total > 1:
                parts.append(f"for all {total} tenants")
            elif len(tenants) <= 3:
                parts.append(f"for {len(tenants)} tenants ({', '.join(tenants)})")
            else:
                parts.append(f"for {len(tenants)} of {total} tenants")
        return " ".join(parts)

    def _values(self, dim: str) -> list[str] | None:
        if dim not in self.units:
            return None
        return self.affected(dim) or None

    def _total(self, dim: str) -> int:
        judged = self.units.get(dim)
        return 0 if judged is None else len(judged)

    def evidence(self) -> dict[str, Any]:
        """JSON-ready evidence: group, levels before and after, p-value and the sentence."""
        unit = "share" if self.signal == "errors" else "ms"
        return {
            "signal": SIGNAL_NAMES[self.signal],
            "found_in": self.found_in,
            "group": dict(self.group),
            "endpoints": self.affected("endpoint"),
            "tenants": self.affected("tenant"),
            "services": self.affected("service"),
            "before": round(self.before, 6),
            "after": round(self.after, 6),
            "unit": unit,
            "p_value": 10**self.log10_p,
            "log10_p": round(self.log10_p, 2),
            "groups_searched": self.groups_searched,
            "ended_at": self.ended_at.isoformat().replace("+00:00", "Z") if self.ended_at else None,
            "sentence": self.sentence(),
        }


@dataclass(frozen=True)
class Incident:
    """What the minute cube says: the onset (if any) and the trend of the affected group."""

    onset: GroupOnset | None
    trend: Trend
    trend_from: datetime
    trend_to: datetime

    def trend_words(self) -> str:
        """The trend with the minutes it was judged over and its slope."""
        t = self.trend
        return (
            f"{t.direction} ({t.slope:+.2f} {t.unit}, judged over {t.minutes} min "
            f"{self.trend_from:%H:%M}-{self.trend_to:%H:%M} UTC)"
        )


def find_incident(cube_frame: pd.DataFrame) -> Incident:
    """Onset, affected group and trend from the store's minute cube.

    Raises:
        ValueError: the frame lacks a column of the cube.
    """
    cube = MinuteCube(cube_frame)
    onset: GroupOnset | None = None
    series: Series | None = None
    window: tuple[int, int | None] = (0, None)
    for signal in SIGNALS:
        candidate = search(cube, signal)
        if candidate is not None:
            onset, series, window = _describe(cube, candidate)
            break
    if onset is None or series is None:
        series = cube.minute_series(cube.cells_mask({}), "errors")
        first, last = judged_minutes(series, "errors", None, None)
        trend = judge_trend(series, "errors", first, last)
    else:
        first, last = judged_minutes(series, onset.signal, window[0], window[1])
        trend = judge_trend(series, onset.signal, first, last)
    return Incident(onset, trend, _time(cube, first), _time(cube, last))


def _time(cube: MinuteCube, minute: int) -> datetime:
    return cube.timestamp(minute).to_pydatetime()


def _describe(
    cube: MinuteCube, candidate: Candidate
) -> tuple[GroupOnset, Series, tuple[int, int | None]]:
    """Grow the scope, place onset and end on its series, and measure the levels."""
    signal = candidate.signal
    start, end = candidate.start, candidate.end
    scope: Scope = dict(candidate.scope())
    judged: dict[str, Judged] = {}
    ended: int | None = None
    series = cube.minute_series(cube.cells_mask(scope), signal)
    for _ in range(ROUNDS):
        noise = _noise(series, start, end)
        scope, judged = find_scope(cube, candidate.scope(), (start, end), signal, noise=noise)
        series = cube.minute_series(cube.cells_mask(scope), signal)
        start, end, ended = place(series, start, end, signal)
    if ended is None:
        end = len(series.n)
    judged, start = _with_other_signal(cube, scope, judged, (start, end), signal, series=series)
    before, after = _levels(series, start, end, signal)
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
    )
    return onset, series, (start, ended)


def _with_other_signal(
    cube: MinuteCube,
    scope: Scope,
    judged: dict[str, Judged],
    window: tuple[int, int],
    signal: str,
    *,
    series: Series,
) -> tuple[dict[str, Judged], int]:
    """When the other signal changed too (failing and slow): add its affected units.

    The onset is then placed on whichever signal shows the change more strongly (the
    latency of a group failing a few percent of its requests moves first, and clearer).

    Returns:
        The judged units, and the onset minute.
    """
    other = "latency" if signal == "errors" else "errors"
    mask = cube.cells_mask(scope)
    alt = cube.minute_series(mask, other)
    strength = _strength(alt, window, other) if alt.n.sum() > 0 else None
    if strength is None or strength > CONFIRM_LOG10P:
        return judged, window[0]
    start = window[0]
    own = _strength(series, window, signal)
    if own is None or strength < own:
        start = place(alt, window[0], window[1], other)[0]
    noise = _noise(alt, *window)
    out = dict(judged)
    for dim, result in judged.items():
        extra = set(judge(cube, scope, dim, window, other, noise=noise).affected)
        units = result.units.copy()
        units["affected"] = units["affected"] | units["value"].isin(extra)
        out[dim] = Judged(dim, units.sort_values("affected", ascending=False, kind="stable"))
    return out, start


def _strength(series: Series, window: tuple[int, int], signal: str) -> float | None:
    """log10 p of ``series`` being higher over ``window`` (None: not materially higher)."""
    model = SIGNALS[signal]
    var = float(within_variance(series)[0, 0])
    segment = segment_gain(model, series, window[0], window[1], var)
    robust = leave_out(model, series, segment, var)
    if model.ratio(robust.inside, robust.outside) < MIN_RATIO:
        return None
    phi = dispersion(series, window[0], window[1], var, signal == "errors")
    return log10_p(robust.gain / phi, 1.0)


def _noise(series: Series, start: int, end: int) -> tuple[float, float]:
    """Per-request variance of the log latency, and the extra variance of a minute's mean."""
    var = float(within_variance(series)[0, 0])
    n = series.n[:start]
    seen = n > 0
    if int(seen.sum()) < 3:
        return var, 0.0
    means = series.x[:start][seen] / n[seen]
    extra = float(np.var(means)) - float(np.mean(var / n[seen]))
    return var, max(extra, 0.0)


def _levels(series: Series, start: int, end: int, signal: str) -> tuple[float, float]:
    """The affected group's level before the onset and during the incident, as people read it."""
    before = pooled(series.n[:start], series.x[:start])
    after = pooled(series.n[start:end], series.x[start:end])
    if signal == "latency":
        return math.expm1(before), math.expm1(after)
    return before, after


def _level_words(level: float, signal: str) -> str:
    if signal == "latency":
        return f"{level:,.0f} ms" if level >= 10 else f"{level:.1f} ms"
    percent = 100 * level
    if percent == 0:
        return "0%"
    if percent < 0.1:
        return f"{percent:.2f}%"
    return f"{percent:.1f}%".replace(".0%", "%") if percent < 10 else f"{percent:.0f}%"


def _list_words(values: list[str], noun: str, total: int) -> str:
    if len(values) >= total > 1:
        return f"all {total} {noun}"
    if len(values) <= 3:
        return ", ".join(values)
    return f"{len(values)} {noun} ({', '.join(values[:3])}, ...)"
