"""Error and behaviour evidence: failing requests, new error templates, changed message sequences.

Code faults (a wrong return value, an exception caught and logged) often change no latency at
all; they show in what a service says and does. Three comparisons, each per service:

- **Error spans** (signal ``errors``): per entry operation, the share of the service's visits
  that fail *themselves* (an error span in the visit while none of the visits it called
  failed), against the baseline, by a binomial test.
- **Error templates** (signal ``errors``): log lines at warning level or above are grouped into
  templates by the project's signature grouping
  (:func:`incident_nb.analysis.signatures.group_messages`, over both periods at once so a
  template means the same in each); each template's rate per visit of the entry operation it
  occurs in (per visit of the service, or per log line, when the operation or the spans are not
  in both periods) is compared with the baseline's: a binomial test says how sure, the
  Kullback-Leibler divergence of the two rates how large, so an error in every request outweighs
  one in a few. A template never seen in the baseline has half an occurrence there, so it is
  new, not infinitely rare.
- **Sequences** (signal ``logs``): a visit is a sequence of events: its log statements (the
  code location ``logger#line`` when the layout gives one, else the template; values never
  split an event) and its calls to other services, in time order, between a start and an end.
  For every event, the distribution of the event that follows it (per service and entry
  operation) is compared with the baseline's: a G-test says how sure the change is, and the
  Kullback-Leibler divergence of the window's distribution from the baseline's (smoothed with
  half a count per event, Jeffreys' prior) how large, so new paths (an error branch, a call no
  longer made, a request cut short) weigh most. A change towards fewer warnings and errors
  than in the baseline is a recovery, not a fault, and is discounted by that ratio.

Each comparison also marks the visits that carry the change (:data:`MARK_COLUMNS`), so that
:mod:`.ranking` can tell a service's own fault from its reaction to a faulty callee.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from incident_nb.analysis.localize.latency import _scored
from incident_nb.analysis.localize.model import FINDING_COLUMNS
from incident_nb.analysis.localize.stats import (
    MIN_SAMPLES,
    chi2_sf,
    divergence_strength,
    more_often,
    rate_divergence,
    share,
)
from incident_nb.analysis.signatures import group_messages

ERROR_LEVELS = frozenset({"warning", "error", "fatal"})
SMOOTHING = 0.5
"""Counts added to every next event of a context (Jeffreys' prior)."""
MARK_COLUMNS = ("request", "service", "score")
_START, _END = "\x00start", "\x00end"


def templates(logs: pd.DataFrame) -> pd.Series:
    """The signature template of every log record (one grouping over all records given)."""
    if logs.empty:
        return pd.Series([], dtype=object, index=logs.index)
    grouping = group_messages(logs["message"].astype(str).tolist())
    return pd.Series(grouping.templates(), index=logs.index, dtype=object)


def error_span_findings(window: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """Per service and entry operation: visits failing on their own, window against baseline."""
    rows: list[dict[str, object]] = []
    own = [_own_failures(r) for r in (window, baseline)]
    base = {
        k: (int(g.sum()), len(g))
        for k, g in own[1].groupby([baseline["service"], baseline["entry"]])
    }
    for (service, entry), group in own[0].groupby([window["service"], window["entry"]]):
        failed, visits = int(group.sum()), len(group)
        base_failed, base_visits = base.get((service, entry), (0, 0))
        if failed == 0 or base_visits < MIN_SAMPLES:
            continue
        before = (base_failed + 0.5) / (base_visits + 1)
        rows.append(
            {
                "service": service,
                "signal": "errors",
                "item": f"failures of {entry}",
                "unit": "share",
                "baseline": base_failed / base_visits,
                "window": failed / visits,
                "n_baseline": base_visits,
                "n_window": visits,
                "p_value": more_often(failed, visits, base_failed, base_visits),
                "strength": divergence_strength(rate_divergence(before, failed / visits)),
                "summary": (
                    f"`{entry}` failed on its own in {share(failed / visits)} of {visits} "
                    f"requests (was {share(base_failed / base_visits)} of {base_visits})"
                ),
            }
        )
    return _scored(rows)


def _own_failures(requests: pd.DataFrame) -> pd.Series:
    """Visits with an error span none of whose called visits failed: where failures begin."""
    failed = requests["is_error"].astype(bool)
    callers_of_failures = requests.loc[failed, "caller_request"].to_numpy()
    return failed & ~requests.index.isin(callers_of_failures)


def error_template_findings(
    window: pd.DataFrame,
    baseline: pd.DataFrame,
    exposure: dict[tuple[str, str], tuple[float, float, str]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Findings per service, scope and warning-or-worse template; the visits carrying them.

    Args:
        window: the window's log records with ``template``, ``request`` and ``scope`` (the entry
            operation of the record's visit, or empty) columns.
        baseline: the baseline's.
        exposure: per (service, scope): (window exposure, baseline exposure, unit), the visits
            of that entry operation, or of the service, or its log lines.
    """
    key = ["service", "scope", "level", "template"]
    bad = [f[f["level"].isin(ERROR_LEVELS)] for f in (window, baseline)]
    base = bad[1].groupby(key).size().to_dict()
    rows: list[dict[str, object]] = []
    found: list[tuple[str, str, str, str]] = []
    for names, group in bad[0].groupby(key):
        service, scope, level, template = (str(part) for part in names)
        if (service, scope) not in exposure:
            continue
        exp_w, exp_b, unit = exposure[(service, scope)]
        count, before = len(group), int(base.get((service, scope, level, template), 0))
        rate_b = (before + 0.5) / (exp_b + 1)
        new = "new, never in the baseline" if before == 0 else f"was {share(before / exp_b)}"
        where = f"`{scope}` requests" if scope else f"{unit}s"
        rows.append(
            {
                "service": service,
                "signal": "errors",
                "item": f"{str(level).upper()} {template}" + (f" in {scope}" if scope else ""),
                "unit": f"per {unit}",
                "baseline": before / exp_b,
                "window": count / exp_w,
                "n_baseline": before,
                "n_window": count,
                "p_value": more_often(count, exp_w, before, exp_b),
                "strength": divergence_strength(rate_divergence(rate_b, count / exp_w)),
                "summary": (
                    f"{str(level).upper()} `{_short(str(template))}` in {share(count / exp_w)} "
                    f"of {where} ({count} times; {new})"
                ),
            }
        )
        found.append((str(service), str(scope), str(level), str(template)))
    findings = _scored(rows)
    strong = {k: v for k, v in zip(found, findings["score"], strict=True) if v >= 0.5}
    columns = [bad[0][c].astype(str).tolist() for c in key]
    hit = [strong.get(k) for k in zip(*columns, strict=True)]
    marks = bad[0].assign(score=pd.Series(hit, index=bad[0].index, dtype="float64"))
    marks = marks.dropna(subset=["score"])
    return findings, marks.loc[marks["request"] >= 0, list(MARK_COLUMNS)]


def sequence_events(
    requests: pd.DataFrame, structure: pd.DataFrame, logs: pd.DataFrame
) -> pd.DataFrame:
    """Every visit's events in time order, between a start and an end event.

    Columns ``request, service, entry, event, label, level``.
    """
    visits = requests[["request", "service", "entry"]]
    joined = logs[logs["request"] >= 0]
    sources = joined["source"].astype(str).tolist()
    names = joined["template"].astype(str).tolist()
    levels = joined["level"].astype(str).tolist()
    # The code location names a log statement whatever values it printed; else the template.
    key = [source or name for source, name in zip(sources, names, strict=True)]
    log_events = pd.DataFrame(
        {
            "request": joined["request"].to_numpy(),
            "t": joined["time_ns"].to_numpy(),
            "event": [f"{level} {k}" for level, k in zip(levels, key, strict=True)],
            "label": [
                f"log `{level.upper()} {_short(f'{source} {name}'.strip())}`"
                for level, source, name in zip(levels, sources, names, strict=True)
            ],
            "level": levels,
        }
    )
    calls = structure[structure["is_call"].to_numpy(bool)]
    target = np.where(
        calls["callee"] != "", calls["callee"] + " " + calls["callee_operation"], calls["operation"]
    )
    call_events = pd.DataFrame(
        {
            "request": calls["request"].to_numpy(),
            "t": calls["start_ns"].to_numpy(),
            "event": "call " + target,
            "label": "a call to `" + target + "`",
            "level": "",
        }
    )
    ends = [
        pd.DataFrame(
            {
                "request": visits["request"].to_numpy(),
                "t": edge,
                "event": event,
                "label": label,
                "level": "",
            }
        )
        for edge, event, label in (
            (np.iinfo(np.int64).min, _START, "the start"),
            (np.iinfo(np.int64).max, _END, "the end of the request"),
        )
    ]
    events = pd.concat([ends[0], log_events, call_events, ends[1]], ignore_index=True)
    events = events.sort_values(["request", "t"], kind="stable").reset_index(drop=True)
    info = visits.set_index("request")
    events["service"] = info["service"].reindex(events["request"]).to_numpy()
    events["entry"] = info["entry"].reindex(events["request"]).to_numpy()
    return events.dropna(subset=["service"])


def transitions(events: pd.DataFrame) -> pd.DataFrame:
    """Consecutive event pairs of each visit: ``request, service, entry, prev, next``."""
    following = events.shift(-1)
    same = (following["request"] == events["request"]).to_numpy(bool)
    return pd.DataFrame(
        {
            "request": events["request"].to_numpy()[same],
            "service": events["service"].to_numpy()[same],
            "entry": events["entry"].to_numpy()[same],
            "prev": events["event"].to_numpy()[same],
            "next": following["event"].to_numpy()[same],
            "next_level": following["level"].to_numpy()[same],
        }
    )


def sequence_findings(
    window: pd.DataFrame, baseline: pd.DataFrame, labels: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Findings per service, entry and event whose next events changed; the visits carrying them."""
    key = ["service", "entry", "prev"]
    counts = (
        pd.concat(
            [
                baseline.groupby([*key, "next"]).size().rename("nb"),
                window.groupby([*key, "next"]).size().rename("nw"),
            ],
            axis=1,
        )
        .fillna(0.0)
        .reset_index()
    )
    sizes = counts.groupby(key)[["nb", "nw"]].transform("sum")
    counts = counts[
        (sizes["nb"] >= MIN_SAMPLES).to_numpy() & (sizes["nw"] >= MIN_SAMPLES).to_numpy()
    ]
    if counts.empty:
        return pd.DataFrame(columns=list(FINDING_COLUMNS)), pd.DataFrame(columns=list(MARK_COLUMNS))
    sizes = counts.groupby(key)[["nb", "nw"]].transform("sum")
    k = counts.groupby(key)["nb"].transform("size")
    counts = counts.assign(
        NB=sizes["nb"].to_numpy(),
        NW=sizes["nw"].to_numpy(),
        K=k.to_numpy(),
        pb=(counts["nb"] + SMOOTHING) / (sizes["nb"] + SMOOTHING * k),
        pw=counts["nw"] / sizes["nw"],
        bad=counts["next"].str.split(" ", n=1).str[0].isin(ERROR_LEVELS),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        counts["kl"] = np.where(
            counts["nw"] > 0, counts["pw"] * np.log(counts["pw"] / counts["pb"]), 0.0
        )
        total = counts["nb"] + counts["nw"]
        eb = total * counts["NB"] / (counts["NB"] + counts["NW"])
        ew = total * counts["NW"] / (counts["NB"] + counts["NW"])
        counts["g"] = 2 * (
            np.where(counts["nb"] > 0, counts["nb"] * np.log(counts["nb"] / eb), 0.0)
            + np.where(counts["nw"] > 0, counts["nw"] * np.log(counts["nw"] / ew), 0.0)
        )
    counts["gain"] = counts["pw"] - counts["nb"] / counts["NB"]
    per = counts.groupby(key).agg(
        NB=("NB", "first"),
        NW=("NW", "first"),
        K=("K", "first"),
        kl=("kl", "sum"),
        g=("g", "sum"),
    )
    bad = counts[counts["bad"]].groupby(key)
    err_b = (bad["nb"].sum() / bad["NB"].first()).reindex(per.index).fillna(0.0)
    err_w = (bad["nw"].sum() / bad["NW"].first()).reindex(per.index).fillna(0.0)
    recovery = np.where(err_w < err_b, err_w / err_b.where(err_b > 0, 1.0), 1.0)
    per["p"] = np.where(per["K"] > 1, chi2_sf(per["g"], np.maximum(per["K"] - 1, 1)), 1.0)
    per["strength"] = [divergence_strength(v) for v in per["kl"]] * recovery
    top = counts.sort_values("gain", ascending=False).drop_duplicates(key).set_index(key)
    per = per.join(top[["next", "nb", "pw"]])
    rows: list[dict[str, object]] = []
    nexts: list[tuple[str, str, str, str]] = []
    for (service, entry, prev), nb_all, nw_all, p, strength, nxt, nb, pw in zip(
        per.index,
        per["NB"],
        per["NW"],
        per["p"],
        per["strength"],
        per["next"],
        per["nb"],
        per["pw"],
        strict=True,
    ):
        was = nb / nb_all
        rows.append(
            {
                "service": service,
                "signal": "logs",
                "item": f"{entry} after {labels.get(prev, prev)}",
                "unit": "share",
                "baseline": was,
                "window": pw,
                "n_baseline": int(nb_all),
                "n_window": int(nw_all),
                "p_value": float(p),
                "strength": float(strength),
                "summary": (
                    f"in `{entry}`, after {labels.get(prev, prev)}, {labels.get(nxt, nxt)} came "
                    f"in {share(pw)} of {int(nw_all)} cases (was {share(was)} of {int(nb_all)})"
                ),
            }
        )
        nexts.append((service, entry, prev, nxt))
    findings = _scored(rows)
    carried = {
        where: score for where, score in zip(nexts, findings["score"], strict=True) if score >= 0.5
    }
    hit = [
        carried.get(where)
        for where in zip(
            *(window[c].astype(str).tolist() for c in ("service", "entry", "prev", "next")),
            strict=True,
        )
    ]
    marks = window.assign(score=pd.Series(hit, index=window.index, dtype="float64"))
    marks = marks.dropna(subset=["score"])
    return findings, marks[list(MARK_COLUMNS)]


def _short(text: str, width: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


__all__ = [
    "ERROR_LEVELS",
    "MARK_COLUMNS",
    "error_span_findings",
    "error_template_findings",
    "sequence_events",
    "sequence_findings",
    "templates",
    "transitions",
]
