"""The investigation a notebook's cells work with: record, evidence and analysis in one object.

``Investigation.open(params)`` loads the incident record, parses the logs, runs the analysis and
reads recent commits; its methods return what the notebook displays: tables for people
(:mod:`.views`), named charts, Markdown, and the forms. A section whose evidence is missing says
so in one line; the rest of the notebook still runs. The forms it makes share one
:class:`~incident_nb.forms.RecordEvents`, so an edit in one (the severity, say) refreshes the
others (the update cadence, the watch period, the post-mortem draft) at once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from IPython.display import Markdown

from incident_nb import charts, forms
from incident_nb.analysis import answers
from incident_nb.analysis.assessment import Assessment
from incident_nb.analysis.localize import Localization
from incident_nb.analysis.metrics import MetricsEvidence
from incident_nb.analysis.suspects import first_hypothesis
from incident_nb.analysis.verification import fix_time, verify_fix
from incident_nb.core import humanize
from incident_nb.core import text as md
from incident_nb.core.folder import SUMMARY_MIMETYPE
from incident_nb.core.models import utc
from incident_nb.core.record import IncidentRecord, TimelineEvent, read_record
from incident_nb.core.store import RecordStore
from incident_nb.core.summary import AnalysisSummary
from incident_nb.evidence.changes import ChangeEvidence, suspect_notes
from incident_nb.evidence.logs import LogEvidence, summarize
from incident_nb.evidence.traces import TraceEvidence
from incident_nb.notebook import step2, views
from incident_nb.notebook.gather import (
    load_changes,
    load_localization,
    load_logs,
    load_metrics,
    load_traces,
)
from incident_nb.notebook.params import NotebookParams
from incident_nb.notebook.tables import Table
from incident_nb.postmortem import sections, story


@dataclass
class Investigation:
    """One incident under investigation, as seen from its notebook."""

    params: NotebookParams
    folder: Path
    record: IncidentRecord
    evidence: LogEvidence | None = None
    evidence_problem: str = ""
    change_evidence: ChangeEvidence | None = None
    changes_problem: str = ""
    metrics: MetricsEvidence | None = None
    metrics_problem: str = ""
    traces: TraceEvidence | None = None
    traces_problem: str = ""
    localization: Localization | None = None
    localization_problem: str = ""
    events: forms.RecordEvents = field(default_factory=forms.RecordEvents)

    @classmethod
    def open(cls, params: NotebookParams) -> Investigation:
        """Load the record and evidence of the incident in ``params.incident_dir``."""
        folder = Path(params.incident_dir).resolve()
        record = read_record(folder)
        evidence, problem = load_logs(folder, params, record)
        assessment = evidence.assessment if evidence else None
        changes, changes_problem = load_changes(folder, params, record, assessment)
        window = assessment.window if assessment else None
        metrics, metrics_problem = load_metrics(params, record, window)
        traces, traces_problem = load_traces(folder, params)
        localization, localization_problem = load_localization(folder, params, record, assessment)
        return cls(
            params,
            folder,
            record,
            evidence,
            problem,
            changes,
            changes_problem,
            metrics,
            metrics_problem,
            traces=traces,
            traces_problem=traces_problem,
            localization=localization,
            localization_problem=localization_problem,
        )

    def reload_record(self) -> IncidentRecord:
        """Re-read ``incident.json`` (after a person edited it)."""
        self.record = read_record(self.folder)
        return self.record

    @property
    def assessment(self) -> Assessment | None:
        """The impact assessment, when there is log evidence."""
        return self.evidence.assessment if self.evidence else None

    def summary(self) -> AnalysisSummary | None:
        """The analysis summary the post-mortem is built from (with the top suspects)."""
        if self.evidence is None:
            return None
        summary = summarize(self.evidence)
        if self.change_evidence is not None:
            summary = dataclasses.replace(
                summary, suspects=suspect_notes(self.change_evidence.suspects)
            )
        return summary

    # The top of the document -------------------------------------------------------------
    def header_markdown(self) -> str:
        """Title, the incident's facts, and what the evidence says so far."""
        r = self.record
        alert = humanize.moment(r.alert.started_at)
        lines = [
            f"# {md.inline(r.title)}",
            "",
            "| Incident | Service | Alert | Status |",
            "|---|---|---|---|",
            f"| {md.cell(r.id)} | {md.cell(r.service) or '(unknown)'} | "
            f"{md.cell(r.alert.source)}, fired {alert} | {r.status} |",
        ]
        summary = self.summary()
        if summary is not None:
            lines += ["", "**What the evidence says**", ""]
            lines += [
                f"- **{label}**: {md.text(value)}" for label, value in story.headline(summary)
            ]
        if self.evidence_problem:
            lines += ["", f"> **Evidence problem:** {md.inline(self.evidence_problem)}"]
        return "\n".join(lines)

    # Step 1 ------------------------------------------------------------------------------
    def impact_table(self) -> Table:
        """The workflow's five impact questions with the answers the evidence gives."""
        known = self.evidence.errors_known if self.evidence else True
        found = answers.impact_answers(
            self.assessment, self.record, self.evidence_problem, errors_known=known
        )
        return views.impact_answers(answers.QUESTIONS, found)

    def onset_markdown(self) -> Markdown:
        """Where the onset was found, the evidence for it, and the affected group's trend."""
        return Markdown(answers.onset_paragraph(self.assessment, self.evidence_problem))

    def severity_markdown(self) -> str:
        """The suggested (or decided) severity, why, and the response it implies."""
        return sections.severity_detail(self.record, self.summary())

    def tenants(self) -> Table:
        """Per-tenant requests and errors since the onset, affected tenants first."""
        frame = self.assessment.tenants if self.assessment else pd.DataFrame()
        return views.tenants(frame)

    # Step 2 ------------------------------------------------------------------------------
    def markers(self) -> list[tuple[str, datetime]]:
        """Onset, alert and deploy markers for the charts."""
        marks: list[tuple[str, datetime]] = []
        if self.change_evidence is not None:
            marks.extend(charts.deploy_markers(self.change_evidence.deploys))
        if self.assessment and self.assessment.onset:
            marks.append(("onset", self.assessment.onset.at))
        marks.append(("alert fired", utc(self.record.alert.started_at)))
        return marks

    def error_rate_figure(self) -> go.Figure | None:
        """Error rate per minute, overall and per endpoint."""
        if self.evidence is None:
            return None
        return charts.error_rate_chart(
            self.evidence.per_minute, self.evidence.per_minute_endpoint, self.markers()
        )

    def tenant_error_figure(self, top: int = charts.MAX_TENANTS) -> go.Figure | None:
        """Error rate per minute of the most affected tenants (at most five)."""
        if self.evidence is None or self.assessment is None:
            return None
        return charts.tenant_error_chart(
            self.evidence.per_minute_tenant, self.assessment.tenants, self.markers(), top
        )

    def latency_figure(self) -> go.Figure | None:
        """Latency p50/p95/p99 per minute."""
        if self.evidence is None:
            return None
        return charts.latency_chart(self.evidence.per_minute, self.markers())

    def metrics_section(self) -> list[Any]:
        """Metrics: the logs' error rate and latency, and the metrics server's series."""
        figures = (
            ("error_rate", self.error_rate_figure()),
            ("tenants", self.tenant_error_figure()),
            ("latency", self.latency_figure()),
        )
        items: list[Any] = [step2.Chart(name, f) for name, f in figures if f is not None]
        if self.metrics is not None:
            per_minute = self.metrics.per_minute()
            server = charts.error_rate_chart(per_minute, markers=self.markers())
            items += [
                Markdown("From the metrics server (the service's error rate and latency):"),
                step2.Chart("server_error_rate", server),
                step2.Chart("server_latency", charts.latency_chart(per_minute, self.markers())),
                *(Markdown(f"- {md.text(note)}") for note in self.metrics.notes),
            ]
        elif self.params.prometheus_url:
            items.append(step2.none_line("Metrics server", self.metrics_problem))
        elif items:
            items.append(Markdown(f"_{md.text(self.metrics_problem)}_"))
        else:
            why = "no logs and no metrics server were given (incident-nb new --logs, --prometheus)."
            return [step2.none_line("Metrics", why)]
        return [Markdown("### Metrics"), *items]

    def line_report(self) -> str:
        """How many log lines were read, used and rejected (with examples)."""
        return step2.line_report(self.evidence, self.evidence_problem)

    def logs_section(self) -> list[Any]:
        """Logs: lines read, the first and last errors, error signatures, failing requests."""
        return step2.logs(self.evidence, self.evidence_problem)

    def traces_section(self) -> list[Any]:
        """Traces: where failing requests fail, or one line saying why there are none."""
        return step2.traces(self.traces, self.traces_problem)

    def localization_section(self) -> list[Any]:
        """Which service is at fault: services ranked against the time before the onset."""
        return step2.localization(self.localization, self.localization_problem)

    def changes_section(self) -> list[Any]:
        """Recent changes and the suspects, or one line saying why there are none."""
        return step2.changes(self.change_evidence, self.changes_problem)

    def first_hypotheses(self) -> list[tuple[str, str]]:
        """What the evidence offers as the first answer of the 5 Whys, with where it is from.

        The top suspect change, and the service most likely at fault with its strongest
        evidence.
        """
        offers: list[tuple[str, str]] = []
        if self.change_evidence is not None:
            a = self.assessment
            onset = a.onset.at if a and a.onset else None
            change = first_hypothesis(self.change_evidence.suspects, onset)
            if change:
                offers.append(("Top suspect change", change))
        if self.localization is not None and self.localization.services:
            top = self.localization.services[0]
            why = f": {top.evidence[0].summary}" if top.evidence else ""
            offers.append(("Service most likely at fault", f"{top.service} is failing{why}"))
        return offers

    def fix_verification(self) -> Any:
        """Step 6 verdicts from the evidence, once the fix is in the timeline."""
        record = self.reload_record()
        fixed_at = fix_time(record)
        if self.evidence is None or self.assessment is None or self.assessment.onset is None:
            return Markdown("Verification needs log evidence with a detected onset.")
        if fixed_at is None:
            return Markdown('No fix in the timeline yet (an event starting "Fix deployed").')
        level = record.severity.level or self.assessment.severity.level
        verdicts = verify_fix(
            self.evidence.per_minute,
            fixed_at,
            level,
            self.assessment.onset.at,
            minute_groups=self.evidence.minute_groups,
            error_messages=self.evidence.messages,
            affected_tenants=self.assessment.affected_tenants,
        )
        return views.generic(verdicts.to_frame())

    # Forms -------------------------------------------------------------------------------
    def store(self) -> RecordStore:
        """The record store the forms save to."""
        return RecordStore(self.folder)

    def impact_form(self) -> forms.ImpactForm:
        """Step 1: impact assessment and severity."""
        return forms.ImpactForm(self.store(), self.assessment, self.summary(), events=self.events)

    def status_update_form(self) -> forms.StatusUpdateForm:
        """Stakeholder updates: when the next is due, a draft, sending and recording it."""
        return forms.StatusUpdateForm(self.store(), self.summary(), events=self.events)

    def five_whys_form(self) -> forms.FiveWhysForm:
        """Step 3: the 5 Whys."""
        return forms.FiveWhysForm(
            self.store(), hypotheses=self.first_hypotheses(), events=self.events
        )

    def checklist_form(self, field: str) -> forms.ChecklistForm:
        """Steps 4-6: one of the workflow's checklists."""
        suggested = self.assessment.severity.level.value if self.assessment else None
        return forms.ChecklistForm(self.store(), field, suggested, events=self.events)

    def timeline_form(self) -> forms.TimelineForm:
        """The timeline, with the evidence's events proposed."""
        return forms.TimelineForm(self.store(), self.proposed_events(), events=self.events)

    def action_items_form(self) -> forms.ActionItemsForm:
        """Action items."""
        return forms.ActionItemsForm(self.store(), events=self.events)

    def narrative_form(self) -> forms.NarrativeForm:
        """The post-mortem's prose, with the Summary the evidence drafts."""
        return forms.NarrativeForm(self.store(), self.summary(), events=self.events)

    def postmortem_draft(self) -> forms.PostmortemDraft:
        """The post-mortem as it would be exported now; it follows every edit made here."""
        return forms.PostmortemDraft(self.store(), self.summary(), events=self.events)

    def proposed_events(self) -> list[TimelineEvent]:
        """Timeline events the evidence suggests: first error, onset, alert, investigation."""
        events = [
            TimelineEvent(time=self.record.alert.started_at, event="Alert fired", source="alert"),
            TimelineEvent(
                time=self.record.created_at, event="Investigation started", source="system"
            ),
        ]
        if self.change_evidence is not None:
            for label, when in charts.deploy_markers(self.change_evidence.deploys):
                text = "Deployed " + label.removeprefix("deploy ").strip()
                events.append(TimelineEvent(time=when, event=text, source="evidence"))
        a = self.assessment
        if a is not None and a.first_error:
            when = pd.Timestamp(a.first_error["ts"]).to_pydatetime()
            events.append(TimelineEvent(time=when, event="First error logged", source="evidence"))
        if a is not None and a.onset is not None:
            text = f"{a.onset.signal.capitalize()} shifted (detected onset)"
            events.append(TimelineEvent(time=a.onset.at, event=text, source="evidence"))
        return events

    def summary_bundle(self) -> dict[str, Any]:
        """The analysis summary as a display bundle the exporter reads from the notebook."""
        summary = self.summary()
        return {
            SUMMARY_MIMETYPE: summary.to_json() if summary else {},
            "text/plain": "analysis summary (read by incident-nb export)",
        }


__all__ = ["Investigation"]
