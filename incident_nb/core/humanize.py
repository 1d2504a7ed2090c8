"""Numbers, times and counts as people read them: one spelling for every reader.

The notebook, the post-mortem, the stakeholder updates, the demo's headline and the command
line all format their shares, rates, trends, times and durations here, so the same number reads
the same everywhere (``34.2%``, ``+0.17 points/min``, ``14:07 UTC``, ``1 hour 35 minutes``).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from incident_nb.core.models import utc


def plural(count: int, word: str, many: str = "") -> str:
    """``1 incident``, ``2 incidents`` (``many`` for irregular plurals)."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def percent(share: float | None, digits: int = 1) -> str:
    """A share of requests (0.342) as ``34.2%``; a dash when unknown."""
    if share is None or math.isnan(share):
        return "-"
    return f"{share:.{digits}%}"


def tenant_share(affected: int, total: int) -> str:
    """``3 of 8 (38%)``: how many tenants of how many, with the share to the whole percent."""
    if not total:
        return f"{affected}"
    return f"{affected} of {total} ({affected / total:.0%})"


def slope_text(slope_per_min: float) -> str:
    """A change of the error rate (share of requests per minute) as ``+0.17 points/min``."""
    return f"{slope_per_min * 100:+.2f} points/min"


def trend_text(direction: str, slope_per_min: float, minutes: int) -> str:
    """``worsening, +0.17 points/min over the last 15 min``."""
    over = f" over the last {minutes} min" if minutes else ""
    return f"{direction}, {slope_text(slope_per_min)}{over}"


def hhmm(when: datetime, day: date | None = None) -> str:
    """``14:07`` in UTC; with the date in front only when ``day`` is given and differs."""
    when = utc(when)
    return when.strftime("%H:%M") if day in (None, when.date()) else when.strftime("%Y-%m-%d %H:%M")


def stamp(when: datetime) -> str:
    """``2026-11-20 14:07:03``: a moment in UTC to the second, for tables headed "(UTC)"."""
    return utc(when).strftime("%Y-%m-%d %H:%M:%S")


def moment(when: datetime) -> str:
    """``2026-11-20 14:07 UTC``: a moment people read in a table, to the minute."""
    return utc(when).strftime("%Y-%m-%d %H:%M UTC")


def duration_text(delta: timedelta) -> str:
    """``1 hour 35 minutes``, ``52 minutes``, ``2 days 3 hours``: whole minutes, rounded down."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return " ".join([plural(days, "day"), *([plural(hours, "hour")] if hours else [])])
    if hours:
        return " ".join([plural(hours, "hour"), *([plural(mins, "minute")] if mins else [])])
    return plural(mins, "minute")


def minutes_between(later: datetime, earlier: datetime) -> str:
    """``3 min`` between two moments (rounded to the minute)."""
    return f"{round((utc(later) - utc(earlier)).total_seconds() / 60):.0f} min"


def milliseconds(value: float | None) -> str:
    """``2,548 ms``; a dash when unknown."""
    if value is None or math.isnan(value):
        return "-"
    return f"{value:,.0f} ms"


def humanize_column(name: str) -> str:
    """A column name for people: ``baseline_error_rate`` -> ``Baseline error rate``."""
    words = [_WORDS.get(w, w) for w in name.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


_WORDS = {"ms": "(ms)", "id": "ID", "ids": "IDs", "pct": "(%)", "min": "(min)"}
