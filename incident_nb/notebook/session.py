"""The investigation a notebook's cells work with: record, evidence and analysis in one object.

``Investigation.open(params)`` loads the incident record, parses the logs, runs the analysis and
reads recent commits; its methods return what the notebook displays (tables, figures, Markdown).
Missing evidence is explained in the section it belongs to; the rest of the notebook still runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from IPython.display import Markdown

from incident_nb import charts, forms
from incident_nb.analysis import answers
from incident_nb.analysis.assessment import Assessment
from incident_nb.analysis.metrics import MetricsEvidence
from incident_nb.analysis.suspects import first_hypothesis
from incident_nb.analysis.traces import headline
from incident_nb.analysis.verification import fix_time, verify_fix
from incident_nb.core import text as md
from incident_nb.core.folder import SUMMARY_MIMETYPE
from incident_nb.core.models import utc
from incident_nb.core.record import IncidentRecord, TimelineEvent, read_record
from incident_nb.core.store import RecordStore
from incident_nb.core.summary import AnalysisSummary
from incident_nb.evidence.changes import ChangeEvidence
from incident_nb.evidence.logs import LogEvidence, summarize
from incident_nb.evidence.traces import TraceEvidence
from incident_nb.notebook.gather import load_changes, load_logs, load_metrics, load_traces
from incident_nb.notebook.params import NotebookParams
from incident_nb.postmortem import sections
from incident_nb.postmortem.document import render_markdown


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
        """The analysis summary the post-mortem is built from."""
        return summarize(self.evidence) if self.evidence else None

    # Step 1 ------------------------------------------------------------------------------
    def header_markdown(self) -> str:
        """Title, service, alert and status of the incident."""
        r = self.record
        alert_start = utc(r.alert.started_at).strftime("%Y-%m-%d %H:%M:%S")
        lines = [
            f"# {md.inline(r.title)}",
            "",
            f"**Incident** `{r.id}` · **service** {md.inline(r.service) or '(unknown)'} · "
            f"**alert** {md.inline(r.alert.source)} fired at {alert_start} UTC · "
            f"**status** {r.status}",
        ]
        if self.evidence_problem:
            lines += ["", f"> **Evidence problem:** {md.inline(self.evidence_problem)}"]
        return "\n".join(lines)

    def impact_table(self) -> pd.DataFrame:
        """The workflow's five impact questions with the answers the evidence gives."""
        return answers.impact_table(self.assessment, self.record, self.evidence_problem)

    def onset_markdown(self) -> Markdown:
        """Where the onset was found, the evidence for it, and the affected group's trend."""
        return Markdown(answers.onset_paragraph(self.assessment, self.evidence_problem))

    def severity_markdown(self) -> str:
        """The suggested (or decided) severity, why, and the response it implies."""
        return sections.severity_detail(self.record, self.summary())

    def tenants(self) -> pd.DataFrame:
        """Per-tenant requests and errors since the onset, affected tenants first."""
        return self.assessment.tenants if self.assessment else pd.DataFrame()

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

    def tenant_error_figure(self, top: int = 8) -> go.Figure | None:
        """Error rate per minute of the most affected tenants."""
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

    def first_and_last_errors(self) -> pd.DataFrame:
        """The first error since the onset and the most recent one."""
        a = self.assessment
        if a is None:
            return pd.DataFrame()
        rows = {
            k: v
            for k, v in (("first error", a.first_error), ("most recent error", a.last_error))
            if v
        }
        return pd.DataFrame.from_dict(rows, orient="index")

    def error_messages(self) -> pd.DataFrame:
        """Error messages grouped by template, most frequent first."""
        return self.assessment.messages if self.assessment else pd.DataFrame()

    def failing_requests(self) -> pd.DataFrame:
        """Request ids of recent failing requests since the onset."""
        return self.evidence.failing_requests if self.evidence else pd.DataFrame()

    def line_report(self) -> str:
        """How many log lines were read, used and rejected (with examples)."""
        if self.evidence is None:
            return md.text(self.evidence_problem)
        rep = self.evidence.lines
        out = [
            f"{rep.total:,} lines read: {rep.used:,} used, {rep.malformed:,} malformed, "
            f"{rep.bad_timestamp:,} without a parsable timestamp."
        ]
        if self.evidence.note:
            out += ["", md.text(self.evidence.note), ""]
        out += [
            f"- line {b.line} of `{Path(b.path).name}`: {md.inline(b.reason)}" for b in rep.examples
        ]
        return "\n".join(out)

    def recent_changes(self) -> pd.DataFrame:
        """Commits, merges and tags of the look-back window before the onset, newest first."""
        if self.change_evidence is None:
            return pd.DataFrame()
        frame = self.change_evidence.changes.copy()
        frame["files"] = frame["files"].map(_short_list)
        frame["kinds"] = frame["kinds"].map(", ".join)
        return frame[["time", "repo", "type", "short_sha", "subject", "author", "kinds", "files"]]

    def suspects(self) -> pd.DataFrame:
        """Changes ranked as suspects, with their reasons."""
        if self.change_evidence is None:
            return pd.DataFrame()
        frame = self.change_evidence.suspects.copy()
        frame["reasons"] = frame["reasons"].map("; ".join)
        frame["files"] = frame["files"].map(_short_list)
        return frame[
            ["rank", "score", "short_sha", "subject", "live_at", "deploy", "reasons", "files"]
        ]

    def first_hypothesis(self) -> str | None:
        """The top suspect, phrased as a first answer for the 5 Whys."""
        if self.change_evidence is None:
            return None
        return first_hypothesis(self.change_evidence.suspects)

    def metrics_view(self) -> list[Any]:
        """Charts of the metrics server's series, or why there are none."""
        if self.metrics is None:
            return [Markdown(md.text(self.metrics_problem))]
        per_minute = self.metrics.per_minute()
        items: list[Any] = [
            charts.error_rate_chart(per_minute, markers=self.markers()),
            charts.latency_chart(per_minute, self.markers()),
        ]
        items += [Markdown(f"- {md.inline(note)}") for note in self.metrics.notes]
        return items

    def traces_view(self) -> list[Any]:
        """The Traces section: where failing requests fail; nothing when no traces were given."""
        if self.traces is None:
            if not self.traces_problem:
                return []
            return [Markdown("### Traces"), Markdown(md.text(self.traces_problem))]
        t, report = self.traces, self.traces.report
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
            items += [Markdown("Where failing traces fail (the deepest error spans):"), t.origins]
        if not t.services.empty:
            items += [
                charts.trace_comparison_chart(t.services),
                Markdown("Failing vs successful traces, per service and operation:"),
                t.operations.head(20),
            ]
        if not t.critical_path.empty:
            items += [
                Markdown("Time on the critical path per trace (ms), failing vs successful:"),
                t.critical_path,
            ]
        return items

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
        return verdicts.to_frame()

    # Steps 3-7 ---------------------------------------------------------------------------
    def postmortem_draft(self) -> str:
        """The post-mortem as Markdown, from ``incident.json`` as it is now and the evidence."""
        return render_markdown(self.reload_record(), self.summary())

    # Forms -------------------------------------------------------------------------------
    def store(self) -> RecordStore:
        """The record store the forms save to."""
        return RecordStore(self.folder)

    def impact_form(self) -> forms.ImpactForm:
        """Step 1: impact assessment and severity."""
        return forms.ImpactForm(self.store(), self.assessment, self.summary())

    def status_update_form(self) -> forms.StatusUpdateForm:
        """Stakeholder updates: when the next is due, a draft, sending and recording it."""
        return forms.StatusUpdateForm(self.store(), self.summary())

    def five_whys_form(self) -> forms.FiveWhysForm:
        """Step 3: the 5 Whys."""
        return forms.FiveWhysForm(self.store(), hypothesis=self.first_hypothesis())

    def checklist_form(self, field: str) -> forms.ChecklistForm:
        """Steps 4-6: one of the workflow's checklists."""
        suggested = self.assessment.severity.level.value if self.assessment else None
        return forms.ChecklistForm(self.store(), field, suggested)

    def timeline_form(self) -> forms.TimelineForm:
        """The timeline, with the evidence's events proposed."""
        return forms.TimelineForm(self.store(), self.proposed_events())

    def action_items_form(self) -> forms.ActionItemsForm:
        """Action items."""
        return forms.ActionItemsForm(self.store())

    def narrative_form(self) -> forms.NarrativeForm:
        """The post-mortem's prose."""
        return forms.NarrativeForm(self.store())

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


def _short_list(items: list[str]) -> str:
    return ", ".join(items[:6]) + (" …" if len(items) > 6 else "")


__all__ = ["Investigation"]
