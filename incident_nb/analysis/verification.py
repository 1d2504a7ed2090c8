"""Step 6 of the workflow from the evidence: did the fix work? A verdict per checklist item.

Pure: the per-minute frames of the log store (``per_minute``, ``minute_groups``,
``error_messages``) in, a :class:`FixVerification` out. The watch window after the fix (15 min
for SEV-1/2, 5 min for SEV-3/4, from the severity table) is compared with the baseline before
the onset:

* error rate (overall and per affected tenant): one-sided exact binomial test of the watch
  window's errors against the baseline rate; it has NOT returned to baseline when
  p < :data:`RATE_ALPHA` and the watch rate exceeds both :data:`RATE_RATIO` x baseline and
  baseline + :data:`RATE_MARGIN` (significant AND material);
* latency: one-sided Mann-Whitney U test of the per-minute p95 in the watch window against the
  baseline minutes; NOT back when p < :data:`LATENCY_ALPHA` and the watch median exceeds
  :data:`LATENCY_RATIO` x the baseline median;
* new error types: a message template first seen at or after the fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
from scipy import stats

from incident_nb.analysis.impact import group_impact
from incident_nb.core.models import Severity, iso, utc
from incident_nb.core.record import IncidentRecord
from incident_nb.core.severity import level_info
from incident_nb.core.workflow import DEPLOYMENT_CHECKLIST

RATE_ALPHA = 0.001
RATE_RATIO = 1.5
RATE_MARGIN = 0.002
LATENCY_ALPHA = 0.01
LATENCY_RATIO = 1.2
PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"


@dataclass(frozen=True)
class CheckVerdict:
    """The verdict on one item of the deployment checklist, with the numbers behind it."""

    item: str
    verdict: str  # "pass", "fail" or "unknown"
    detail: str
    numbers: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class FixVerification:
    """Verdicts on the deployment checklist after a fix, and the per-tenant comparison."""

    fix_at: datetime
    watch_minutes: int
    verdicts: tuple[CheckVerdict, ...]
    tenants: pd.DataFrame
    new_signatures: pd.DataFrame

    @property
    def passed(self) -> bool:
        """True when every checklist item passed."""
        return all(v.verdict == PASS for v in self.verdicts)

    def verdict(self, item: str) -> CheckVerdict:
        """The verdict on the checklist item named exactly ``item``."""
        return next(v for v in self.verdicts if v.item == item)

    def to_frame(self) -> pd.DataFrame:
        """One row per checklist item: item, verdict, detail."""
        return pd.DataFrame(
            [(v.item, v.verdict, v.detail) for v in self.verdicts],
            columns=["item", "verdict", "detail"],
        )


@dataclass(frozen=True)
class RateComparison:
    """Errors/requests in the watch window against the baseline, and the test's outcome."""

    watch_rate: float
    baseline_rate: float
    watch_requests: float
    p_value: float
    back_to_baseline: bool | None  # None: no requests in the watch window

    def numbers(self) -> dict[str, float]:
        """The comparison as named numbers."""
        return {
            "watch_error_rate": self.watch_rate,
            "baseline_error_rate": self.baseline_rate,
            "watch_requests": self.watch_requests,
            "p_value": self.p_value,
        }


def compare_rates(
    watch_errors: float, watch_requests: float, base_errors: float, base_requests: float
) -> RateComparison:
    """One-sided exact binomial test of the watch window's errors against the baseline rate."""
    p0 = base_errors / base_requests if base_requests else 0.0
    if not watch_requests:
        return RateComparison(math.nan, p0, 0.0, math.nan, None)
    k, n = round(watch_errors), round(watch_requests)
    p1 = watch_errors / watch_requests
    if p0 <= 0.0:
        p_value = 0.0 if k > 0 else 1.0
    else:
        p_value = float(stats.binomtest(k, n, min(p0, 1.0), alternative="greater").pvalue)
    material = p1 > max(RATE_RATIO * p0, p0 + RATE_MARGIN)
    return RateComparison(p1, p0, watch_requests, p_value, not (p_value < RATE_ALPHA and material))


def _minutes(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["minute"], utc=True)


def verify_fix(
    per_minute: pd.DataFrame,
    fix_at: datetime,
    severity: Severity,
    onset: datetime,
    *,
    minute_groups: pd.DataFrame | None = None,
    error_messages: pd.DataFrame | None = None,
    affected_tenants: list[str] | None = None,
) -> FixVerification:
    """Compare the watch window after ``fix_at`` with the baseline before ``onset``.

    Args:
        per_minute: minute, requests, errors, p95_ms (``LogStore.per_minute``).
        fix_at: when the fix was deployed to production.
        severity: the incident's severity; sets the watch period.
        onset: when the incident started; the baseline is everything before it.
        minute_groups: minute, tenant, requests, errors (``LogStore.minute_groups``).
        error_messages: template, first_seen (``LogStore.error_messages`` with a large limit).
        affected_tenants: tenants to check; found from ``minute_groups`` when not given.
    """
    fix_at, onset = utc(fix_at), utc(onset)
    watch = level_info(severity).watch_period_min
    start = pd.Timestamp(fix_at).ceil("min")
    end = start + pd.Timedelta(minutes=watch)
    minutes = _minutes(per_minute)
    base = per_minute[minutes < pd.Timestamp(onset)]
    after = per_minute[(minutes >= start) & (minutes < end)]
    observed = len(after)
    checklist = dict.fromkeys(DEPLOYMENT_CHECKLIST)
    verdicts = {
        DEPLOYMENT_CHECKLIST[0]: CheckVerdict(
            DEPLOYMENT_CHECKLIST[0], PASS, f"fix deployed at {iso(fix_at)} (as recorded)"
        ),
        DEPLOYMENT_CHECKLIST[1]: _monitoring(after),
        DEPLOYMENT_CHECKLIST[2]: CheckVerdict(
            DEPLOYMENT_CHECKLIST[2],
            PASS if observed >= watch else UNKNOWN,
            f"{observed} of {watch} minutes observed after the fix "
            f"({iso(start.to_pydatetime())} to {iso(end.to_pydatetime())}; "
            f"watch period for {severity}: {watch} min)",
            {"observed_minutes": float(observed), "watch_minutes": float(watch)},
        ),
        DEPLOYMENT_CHECKLIST[3]: _error_rate(after, base),
        DEPLOYMENT_CHECKLIST[4]: _latency(after, base),
    }
    signatures = _new_signatures(error_messages, fix_at)
    verdicts[DEPLOYMENT_CHECKLIST[5]] = _signature_verdict(error_messages, signatures)
    tenants = _tenants(minute_groups, onset, fix_at, start, end, affected_tenants)
    verdicts[DEPLOYMENT_CHECKLIST[6]] = _tenant_verdict(minute_groups, tenants)
    ordered = tuple(verdicts[item] for item in checklist)
    return FixVerification(fix_at, watch, ordered, tenants, signatures)


def _monitoring(after: pd.DataFrame) -> CheckVerdict:
    item = DEPLOYMENT_CHECKLIST[1]
    has_latency = "p95_ms" in after and bool(after["p95_ms"].notna().any())
    if after.empty or not has_latency:
        return CheckVerdict(item, UNKNOWN, "no per-minute error rate and latency after the fix")
    return CheckVerdict(
        item, PASS, f"per-minute error rate and latency available for {len(after)} minutes"
    )


def _error_rate(after: pd.DataFrame, base: pd.DataFrame) -> CheckVerdict:
    item = DEPLOYMENT_CHECKLIST[3]
    cmp = compare_rates(
        float(after["errors"].sum()),
        float(after["requests"].sum()),
        float(base["errors"].sum()),
        float(base["requests"].sum()),
    )
    if cmp.back_to_baseline is None or base.empty:
        return CheckVerdict(item, UNKNOWN, "no requests in the watch window or the baseline")
    detail = (
        f"{cmp.watch_rate:.2%} in the watch window vs {cmp.baseline_rate:.2%} baseline "
        f"(exact binomial test, one-sided p = {cmp.p_value:.3g}; fails when p < {RATE_ALPHA} "
        f"and above {RATE_RATIO}x baseline and baseline + {RATE_MARGIN:.1%})"
    )
    return CheckVerdict(item, PASS if cmp.back_to_baseline else FAIL, detail, cmp.numbers())


def _latency(after: pd.DataFrame, base: pd.DataFrame) -> CheckVerdict:
    item = DEPLOYMENT_CHECKLIST[4]
    if "p95_ms" not in after:
        return CheckVerdict(item, UNKNOWN, "no latency in the evidence")
    watch = after["p95_ms"].dropna().to_numpy(float)
    baseline = base["p95_ms"].dropna().to_numpy(float)
    if len(watch) < 2 or len(baseline) < 2:
        return CheckVerdict(item, UNKNOWN, "too few minutes with latency to compare")
    p_value = float(stats.mannwhitneyu(watch, baseline, alternative="greater").pvalue)
    w_med, b_med = float(np.median(watch)), float(np.median(baseline))
    back = not (p_value < LATENCY_ALPHA and w_med > LATENCY_RATIO * b_med)
    detail = (
        f"p95 median {w_med:.0f} ms in the watch window vs {b_med:.0f} ms baseline "
        f"(Mann-Whitney U, one-sided p = {p_value:.3g}; fails when p < {LATENCY_ALPHA} "
        f"and above {LATENCY_RATIO}x baseline)"
    )
    numbers = {"watch_p95_median_ms": w_med, "baseline_p95_median_ms": b_med, "p_value": p_value}
    return CheckVerdict(item, PASS if back else FAIL, detail, numbers)


def _new_signatures(messages: pd.DataFrame | None, fix_at: datetime) -> pd.DataFrame:
    if messages is None or messages.empty:
        return pd.DataFrame(columns=["template", "count", "first_seen"])
    first = pd.to_datetime(messages["first_seen"], utc=True)
    return messages[first >= pd.Timestamp(fix_at)].reset_index(drop=True)


def _signature_verdict(messages: pd.DataFrame | None, new: pd.DataFrame) -> CheckVerdict:
    item = DEPLOYMENT_CHECKLIST[5]
    if messages is None:
        return CheckVerdict(item, UNKNOWN, "no error messages in the evidence")
    if new.empty:
        return CheckVerdict(item, PASS, "no error message template first seen after the fix")
    listed = "; ".join(f"{t} ({c}x)" for t, c in zip(new["template"], new["count"], strict=True))
    return CheckVerdict(
        item, FAIL, f"{len(new)} new error types after the fix: {listed}", {"new": float(len(new))}
    )


def _tenants(  # noqa: PLR0917 - private helper of verify_fix
    groups: pd.DataFrame | None,
    onset: datetime,
    fix_at: datetime,
    start: pd.Timestamp,
    end: pd.Timestamp,
    affected: list[str] | None,
) -> pd.DataFrame:
    columns = [
        "tenant",
        "watch_error_rate",
        "baseline_error_rate",
        "watch_requests",
        "p_value",
        "back",
    ]
    if groups is None or groups.empty:
        return pd.DataFrame(columns=columns)
    minutes = _minutes(groups)
    if affected is None:
        incident = group_impact(groups[minutes < pd.Timestamp(fix_at)], "tenant", onset)
        affected = [str(t) for t in incident.loc[incident["affected"], "tenant"]]
    base = groups[minutes < pd.Timestamp(onset)].groupby("tenant")[["requests", "errors"]].sum()
    window = groups[(minutes >= start) & (minutes < end)]
    watch = window.groupby("tenant")[["requests", "errors"]].sum()
    rows = []
    for tenant in affected:
        w = watch.reindex([tenant], fill_value=0).iloc[0].astype(float)
        b = base.reindex([tenant], fill_value=0).iloc[0].astype(float)
        cmp = compare_rates(w["errors"], w["requests"], b["errors"], b["requests"])
        rows.append(
            (tenant, cmp.watch_rate, cmp.baseline_rate, cmp.watch_requests, cmp.p_value,
             cmp.back_to_baseline)
        )  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _tenant_verdict(groups: pd.DataFrame | None, tenants: pd.DataFrame) -> CheckVerdict:
    item = DEPLOYMENT_CHECKLIST[6]
    if groups is None:
        return CheckVerdict(item, UNKNOWN, "no per-tenant evidence")
    if tenants.empty:
        return CheckVerdict(item, PASS, "no tenant was affected")
    failing = tenants[tenants["back"].eq(False)]
    unseen = tenants[tenants["back"].isna()]
    parts = [
        f"{r.tenant}: {r.watch_error_rate:.2%} vs {r.baseline_error_rate:.2%} baseline"
        for r in tenants.itertuples(index=False)
        if r.back is not None
    ]
    numbers = {"affected": float(len(tenants)), "still_failing": float(len(failing))}
    if not failing.empty:
        names = ", ".join(map(str, failing["tenant"]))
        return CheckVerdict(item, FAIL, f"still failing: {names} ({'; '.join(parts)})", numbers)
    if not unseen.empty:
        names = ", ".join(map(str, unseen["tenant"]))
        return CheckVerdict(item, UNKNOWN, f"no requests after the fix from {names}", numbers)
    return CheckVerdict(item, PASS, f"all {len(tenants)} back: {'; '.join(parts)}", numbers)


FIX_PREFIXES = ("fix deployed", "rolled back", "rollback deployed", "mitigated")
"""How a timeline event that marks the fix reaching production begins."""


def fix_time(record: IncidentRecord) -> datetime | None:
    """When the fix reached production: the first timeline event saying so, if any."""
    for event in sorted(record.timeline, key=lambda e: utc(e.time)):
        if event.event.strip().lower().startswith(FIX_PREFIXES):
            return utc(event.time)
    return None
