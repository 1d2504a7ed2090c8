"""The answer of Step 1: when and where an incident started, who it hits, where it heads.

Owns the values :func:`~incident_nb.analysis.incident_search.find_incident` returns
(:class:`GroupOnset`, :class:`Incident`) and how they are said, in one sentence an SRE reads:

    failures of POST /api/v2/ledger/entries for 3 tenants (acme, globex, initech) rose from
    0.2% to 58% at 09:37 UTC; p < 1e-9

and as the JSON evidence of ``analyze --json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from incident_nb.analysis.scan import p_words
from incident_nb.analysis.trend import Trend

SIGNAL_NAMES = {"errors": "error rate", "latency": "latency"}
"""The ``signal`` of an onset as the ``analyze`` summary has always named it."""


@dataclass(frozen=True)
class AlsoChanged:
    """The other signal, when it changed too (a failing group that also got slow)."""

    signal: str
    scope: dict[str, tuple[str, ...] | None]
    """Dimension -> the values this signal affected (``None``: not restricted)."""
    before: float
    after: float


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
            :data:`~incident_nb.analysis.affected.UNIT_COLUMNS`); a value is affected when
            either signal changed for it.
        also: the other signal, when it changed too.
        status: when the change is that of the failures of one status only (a new kind of
            failure under a steady background of others), that status; ``before`` and
            ``after`` are then the share of requests failing with it.
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
    also: AlsoChanged | None = None
    status: str | None = None

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
        text = (
            f"{self._change(self.signal, self.scope, self.before, self.after)} "
            f"at {self.at:%H:%M} UTC; {self.p_words}"
        )
        if self.also is not None:
            a = self.also
            text += f"; {self._change(a.signal, a.scope, a.before, a.after)}"
        if self.ended_at is not None:
            text += f"; back to normal at {self.ended_at:%H:%M} UTC"
        return text

    def _change(
        self, signal: str, scope: dict[str, tuple[str, ...] | None], before: float, after: float
    ) -> str:
        what = "failures" if signal == "errors" else "latency"
        if signal == "errors" and signal == self.signal and self.status is not None:
            what = f"failures with status {self.status}"
        low, high = (_level_words(v, signal) for v in (before, after))
        return f"{what} of {self._who(scope)} rose from {low} to {high}"

    def _who(self, scope: dict[str, tuple[str, ...] | None]) -> str:
        endpoints = self._values("endpoint", scope)
        services = self._values("service", scope)
        tenants = self._values("tenant", scope)
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

    def _values(self, dim: str, scope: dict[str, tuple[str, ...] | None]) -> list[str] | None:
        """The values of ``dim`` in ``scope``, most affected first (None: not restricted)."""
        kept = scope.get(dim)
        if dim not in self.units or kept is None:
            return None
        order = [str(v) for v in self.units[dim]["value"]]
        return [v for v in order if v in kept] + sorted(set(kept) - set(order)) or None

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
            "status": self.status,
            "endpoints": self.affected("endpoint"),
            "tenants": self.affected("tenant"),
            "services": self.affected("service"),
            "before": round(self.before, 6),
            "after": round(self.after, 6),
            "unit": unit,
            "p_value": 10 ** max(self.log10_p, -300.0),  # a JSON number, however strong
            "log10_p": round(self.log10_p, 2),
            "groups_searched": self.groups_searched,
            "ended_at": self.ended_at.isoformat().replace("+00:00", "Z") if self.ended_at else None,
            "sentence": self.sentence(),
            "also": SIGNAL_NAMES[self.also.signal] if self.also is not None else None,
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
