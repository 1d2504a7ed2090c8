"""What Step 2 shows for each kind of evidence: logs, traces, localization, recent changes.

Pure display functions: the evidence (or the problem that kept it from loading) in, what the
notebook displays out: Markdown, tables for people (:mod:`.views`) and named charts. A section
whose evidence is missing says so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from IPython.display import Markdown

from incident_nb import charts
from incident_nb.analysis.localize import Localization
from incident_nb.analysis.traces import headline
from incident_nb.core import humanize
from incident_nb.core import text as md
from incident_nb.core.folder import METADATA_KEY
from incident_nb.evidence.changes import ChangeEvidence
from incident_nb.evidence.logs import LogEvidence
from incident_nb.evidence.traces import TraceEvidence
from incident_nb.notebook import views


@dataclass(frozen=True)
class Chart:
    """A figure with its name, which the exports use to find the key charts."""

    name: str
    figure: go.Figure

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        data = dict(self.figure._repr_mimebundle_(include, exclude))
        data["text/plain"] = f"(chart) {self.figure.layout.title.text or self.name}"
        return data, {METADATA_KEY: {"chart": self.name}}


def _none_line(section: str, why: str) -> Markdown:
    """The one line a section without evidence shows."""
    return Markdown(f"**{section}**: {md.text(why)}")


def none_line(section: str, why: str) -> Markdown:
    """The one line a section without evidence shows."""
    return Markdown(f"**{section}**: {md.text(why)}")


def line_report(evidence: LogEvidence | None, problem: str) -> str:
    """How many log lines were read, used and rejected (with examples)."""
    if evidence is None:
        return md.text(problem)
    rep = evidence.lines
    out = [
        f"{rep.total:,} lines read: {rep.used:,} used, {rep.malformed:,} malformed, "
        f"{rep.bad_timestamp:,} without a parsable timestamp."
    ]
    fields = evidence.fields.items()
    fed = [f"{role} ← {md.inline(source)}" for role, source in fields if source]
    out += ["", "Fields read: " + (", ".join(fed) or "none")]
    out += [f"- **Warning:** {md.inline(w)}" for w in evidence.warnings]
    if evidence.note:
        out += ["", md.text(evidence.note), ""]
    out += [
        f"- line {b.line} of `{Path(b.path).name}`: {md.inline(b.reason)}" for b in rep.examples
    ]
    return "\n".join(out)


def logs(evidence: LogEvidence | None, problem: str) -> list[Any]:
    """Logs: lines read, the first and last errors, error signatures, failing requests."""
    if evidence is None:
        return [none_line("Logs", problem)]
    a = evidence.assessment
    return [
        Markdown("### Logs"),
        Markdown(line_report(evidence, problem)),
        Markdown("First error since the onset and the most recent error:"),
        views.first_and_last(a.first_error, a.last_error),
        Markdown("Error signatures, most frequent first (new since the onset marked NEW):"),
        views.signatures(a.messages),
        Markdown("Request IDs of recent failing requests:"),
        views.failing_requests(evidence.failing_requests),
    ]


def traces(found: TraceEvidence | None, problem: str) -> list[Any]:
    """Traces: where failing requests fail, or one line saying why there are none."""
    if found is None:
        why = problem or "no trace files were given (incident-nb new --traces FILE)."
        return [none_line("Traces", why)]
    t, report = found, found.report
    failing = int(t.spans.groupby("trace_id")["is_error"].any().sum()) if len(t.spans) else 0
    counts = (
        f"{t.spans['trace_id'].nunique()} traces ({failing} failing), {report.spans} spans, "
        f"{report.malformed} malformed"
    )
    items: list[Any] = [
        Markdown("### Traces"),
        Markdown(md.text(f"{headline(t.origins, t.operations)} ({counts})")),
    ]
    items += [
        Markdown(f"- malformed: {md.inline(f'{b.path}: {b.where}: {b.reason}')}")
        for b in report.examples
    ]
    if not t.origins.empty:
        items += [Markdown("Where failing traces fail (the deepest error spans):")]
        items += [views.generic(t.origins)]
    if not t.services.empty:
        items += [
            Chart("traces", charts.trace_comparison_chart(t.services)),
            Markdown("Failing vs successful traces, per service and operation:"),
            views.generic(t.operations.head(20)),
        ]
    if not t.critical_path.empty:
        items += [
            Markdown("Time on the critical path per trace (ms), failing vs successful:"),
            views.generic(t.critical_path),
        ]
    return items


def localization(found: Localization | None, problem: str) -> list[Any]:
    """Which service is at fault: services ranked against the time before the onset."""
    if found is None:
        why = problem or (
            "no trace files were given (incident-nb new --traces FILE [--metrics FILE])."
        )
        return [none_line("Which service is at fault", why)]
    ranking = [s.service for s in found.services]
    return [
        Markdown("### Which service is at fault"),
        Markdown(
            md.text(
                f"The window {humanize.moment(found.window.start)} to "
                f"{humanize.moment(found.window.end)} against the baseline "
                f"{humanize.moment(found.baseline.start)} to "
                f"{humanize.moment(found.baseline.end)}: each service's own time, the time "
                "lost on its calls, its errors and log sequences, and its resources."
            )
        ),
        views.services(found.services),
        Chart("localization", charts.localization_chart(found.findings, ranking)),
        *(Markdown(f"- {md.inline(note)}") for note in found.notes),
    ]


def changes(found: ChangeEvidence | None, problem: str) -> list[Any]:
    """Recent changes and the suspects, or one line saying why there are none."""
    if found is None:
        return [none_line("Recent changes", problem)]
    return [
        Markdown("### Recent changes"),
        views.changes(found.changes),
        Markdown(
            "Suspect changes, best first (closeness to the onset, deploys, relevance to "
            "the failing service):"
        ),
        views.suspects(found.suspects),
    ]
