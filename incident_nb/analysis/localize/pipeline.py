"""The localization of one incident: every signal's findings, then the ranking.

:func:`localize` takes the two periods' frames (:class:`.model.LocalizeInputs`) and returns a
:class:`.model.Localization`. A modality missing from either period is not used, and the
result's notes say so; a service seen in any modality of the window is ranked.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from incident_nb.analysis.localize.behaviour import (
    error_span_findings,
    error_template_findings,
    sequence_events,
    sequence_findings,
    templates,
    transitions,
)
from incident_nb.analysis.localize.latency import (
    edge_findings,
    edge_marks,
    edge_table,
    own_time_findings,
)
from incident_nb.analysis.localize.model import (
    FINDING_COLUMNS,
    Localization,
    LocalizeInputs,
    Period,
)
from incident_nb.analysis.localize.ranking import origin_shares, rank
from incident_nb.analysis.localize.resources import resource_findings
from incident_nb.analysis.localize.structure import epoch_ns, local_requests, span_structure


def _present(frame: pd.DataFrame | None) -> bool:
    return frame is not None and not frame.empty


def localize(inputs: LocalizeInputs) -> Localization:
    """Rank the services of the incident window by how likely each is the origin of the fault."""
    incident, baseline = inputs.incident, inputs.baseline
    notes = list(inputs.notes)
    findings: list[pd.DataFrame] = []
    marks: list[pd.DataFrame] = []
    services: set[str] = set()
    periods = (incident, baseline)
    structures = requests = None
    if _present(incident.spans) and _present(baseline.spans):
        structures = tuple(span_structure(p.spans) for p in periods)  # type: ignore[arg-type]
        requests = tuple(local_requests(s) for s in structures)
        own, own_marks = own_time_findings(*requests)
        edges = edge_table(*structures)
        findings.extend([own, edge_findings(edges)])
        marks.extend([own_marks, edge_marks(structures[0], structures[1], edges)])
        findings.append(error_span_findings(*requests))
    elif _present(incident.spans) or _present(baseline.spans):
        notes.append("spans are in one period only: latency and span errors were not compared")
    if _present(incident.spans):
        services |= set(incident.spans["service"].astype(str).unique().tolist())  # type: ignore[index]
    if _present(incident.logs) and _present(baseline.logs):
        found, marked = _log_findings(periods, structures, requests)
        findings.extend(found)
        marks.extend(marked)
    elif _present(incident.logs) or _present(baseline.logs):
        notes.append("logs are in one period only: errors and log sequences were not compared")
    if _present(incident.logs):
        services |= set(incident.logs["service"].astype(str).unique().tolist())  # type: ignore[index]
    if _present(incident.metrics) and _present(baseline.metrics):
        traced = requests is not None
        findings.append(resource_findings(incident.metrics, baseline.metrics, traced))  # type: ignore[arg-type]
    elif _present(incident.metrics) or _present(baseline.metrics):
        notes.append("metrics are in one period only: resources were not compared")
    if _present(incident.metrics):
        services |= set(incident.metrics["service"].astype(str).unique().tolist())  # type: ignore[index]
    found = [f for f in findings if not f.empty]
    table = (
        pd.concat(found, ignore_index=True)
        if found
        else pd.DataFrame(columns=list(FINDING_COLUMNS))
    )
    table = table.sort_values("score", ascending=False, ignore_index=True)
    marked = [m for m in marks if not m.empty]
    origins = (
        origin_shares(pd.concat(marked, ignore_index=True), requests[0])
        if marked and requests is not None
        else {}
    )
    ranks, signals = rank(table, sorted(services - {""}), origins)
    return Localization(
        window=incident.window,
        baseline=baseline.window,
        services=ranks,
        findings=table,
        signals=signals,
        notes=tuple(notes),
    )


def _log_findings(
    periods: tuple[Period, Period],
    structures: tuple[pd.DataFrame, ...] | None,
    requests: tuple[pd.DataFrame, ...] | None,
) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    logs = [p.logs if p.logs is not None else pd.DataFrame() for p in periods]
    both = pd.concat([logs[1], logs[0]], ignore_index=True)
    names = templates(both)
    split = len(logs[1])
    prepared = []
    for i, records in enumerate(logs):
        part = names.iloc[split:] if i == 0 else names.iloc[:split]
        frame = records.assign(template=part.to_numpy(), time_ns=epoch_ns(records["time"]))
        if structures is not None and requests is not None:
            prepared.append((frame.assign(request=_requests_of(frame, structures[i])), requests[i]))
        else:
            prepared.append(_pseudo_requests(frame))
    exposure = _exposure(prepared)
    scoped = _scoped(prepared, exposure)
    errors, error_marks = error_template_findings(scoped[0], scoped[1], exposure)
    events = [
        sequence_events(visits, structures[i] if structures is not None else _no_spans(), frame)
        for i, (frame, visits) in enumerate(prepared)
    ]
    labels: dict[str, str] = {}
    for frame in events:
        unique = frame.drop_duplicates("event")
        labels.update(zip(unique["event"].tolist(), unique["label"].tolist(), strict=True))
    sequences, sequence_marks = sequence_findings(
        transitions(events[0]), transitions(events[1]), labels
    )
    return [errors, sequences], [error_marks, sequence_marks]


def _requests_of(logs: pd.DataFrame, structure: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Per log record, the local request of its span (or of its service in its trace), else -1."""
    spans = pd.Index(structure["trace_id"] + "/" + structure["span_id"])
    position = spans.get_indexer(
        pd.Index(logs["trace_id"].astype(str) + "/" + logs["span_id"].astype(str))
    )
    request = np.where(position >= 0, structure["request"].to_numpy()[np.maximum(position, 0)], -1)
    loose = np.flatnonzero((request < 0) & (logs["trace_id"].astype(str) != "").to_numpy())
    if len(loose):
        roots = structure[structure["request"] == np.arange(len(structure))]
        first = roots.drop_duplicates(["trace_id", "service"])
        by_visit = pd.Series(
            first["request"].to_numpy(), index=first["trace_id"] + "/" + first["service"]
        )
        keys = (
            logs["trace_id"].astype(str).to_numpy()[loose]
            + "/"
            + logs["service"].astype(str).to_numpy()[loose]
        )
        request[loose] = by_visit.reindex(keys).fillna(-1).astype(int).to_numpy()
    return request


def _pseudo_requests(logs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Without spans, a service's records of one trace are one visit (entry unknown)."""
    traced = logs["trace_id"].astype(str) != ""
    codes, _ = pd.factorize(logs["trace_id"].astype(str) + "/" + logs["service"].astype(str))
    request = np.where(traced.to_numpy(), codes, -1)
    logs = logs.assign(request=request)
    seen = logs[logs["request"] >= 0].drop_duplicates("request")
    visits = pd.DataFrame(
        {
            "request": seen["request"].to_numpy(),
            "trace_id": seen["trace_id"].to_numpy(),
            "service": seen["service"].to_numpy(),
            "entry": "(no spans)",
            "caller_request": -1,
        },
        index=seen["request"].to_numpy(),
    )
    return logs, visits


def _no_spans() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "is_call": pd.Series(dtype=bool),
            "request": pd.Series(dtype="int64"),
            "start_ns": pd.Series(dtype="int64"),
            "callee": pd.Series(dtype=object),
            "callee_operation": pd.Series(dtype=object),
            "operation": pd.Series(dtype=object),
        }
    )


def _exposure(
    prepared: list[tuple[pd.DataFrame, pd.DataFrame]],
) -> dict[tuple[str, str], tuple[float, float, str]]:
    """Per (service, scope): how many chances each period had to log a record.

    A record in a visit is scoped to the visit's entry operation when that operation has visits
    in both periods (its rate is then per visit of that operation); otherwise to the service:
    per visit when the service has visits in both periods, else per log line.
    """
    visits = [v.groupby(["service", "entry"]).size() for _, v in prepared]
    services = [v["service"].value_counts() for _, v in prepared]
    lines = [f["service"].value_counts() for f, _ in prepared]
    out: dict[tuple[str, str], tuple[float, float, str]] = {}
    for key, count in visits[0].items():
        service, entry = (str(part) for part in key)  # type: ignore[attr-defined]
        before = visits[1].get((service, entry), 0)
        if before > 0:
            out[(service, entry)] = (float(count), float(before), "request")
    for service in set(lines[0].index) | set(services[0].index):
        if services[0].get(service, 0) > 0 and services[1].get(service, 0) > 0:
            out[(str(service), "")] = (
                float(services[0][service]),
                float(services[1][service]),
                "request",
            )
        elif lines[0].get(service, 0) > 0 and lines[1].get(service, 0) > 0:
            out[(str(service), "")] = (
                float(lines[0][service]),
                float(lines[1][service]),
                "log line",
            )
    return out


def _scoped(
    prepared: list[tuple[pd.DataFrame, pd.DataFrame]],
    exposure: dict[tuple[str, str], tuple[float, float, str]],
) -> list[pd.DataFrame]:
    """The records with their ``scope``: their visit's entry operation where it has exposure."""
    out = []
    for frame, visits in prepared:
        entry = visits["entry"].reindex(frame["request"].to_numpy()).fillna("").astype(str)
        keys = zip(frame["service"].astype(str).tolist(), entry.tolist(), strict=True)
        scope = [e if (s, e) in exposure else "" for s, e in keys]
        out.append(frame.assign(scope=scope))
    return out


__all__ = ["localize"]
