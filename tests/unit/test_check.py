from datetime import UTC, date, datetime

from incident_nb.core.models import Severity
from incident_nb.core.record import ActionItem, AlertRecord, ChangeEntry, IncidentRecord, Why
from incident_nb.postmortem.check import check_postmortem

T = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def record(**updates) -> IncidentRecord:
    rec = IncidentRecord(
        id="x",
        title="t",
        service="s",
        created_at=T,
        alert=AlertRecord(source="m", key="k", title="t", service="s", started_at=T),
    )
    return rec.model_copy(update=updates)


def complete() -> IncidentRecord:
    rec = record(
        action_items=[ActionItem(action="Add index", owner="@platform", due=date(2026, 12, 1))],
        changes=[ChangeEntry(time=T, who="dana", field="narrative.summary")],
    )
    rec.severity.level, rec.severity.reason = Severity.SEV2, "three tenants"
    rec.five_whys.whys = [Why(answer=f"step {i}") for i in range(5)]
    rec.five_whys.root_cause = "Migrations ran after the code that needed them"
    rec.five_whys.would_still_happen = False
    n = rec.narrative
    n.author, n.summary, n.user_facing_impact = (
        "Checkout team",
        "Checkout failed for 52 minutes.",
        "HTTP 500",
    )
    n.data_impact, n.lessons_learned = "None", "Order deploy steps"
    n.went_well, n.could_improve = ["Alert in 4 minutes"], ["Canary for checkout"]
    return rec


def test_a_complete_blameless_post_mortem_has_no_findings():
    assert check_postmortem(complete()) == []


def test_blame_language_and_names_are_flagged():
    rec = complete()
    rec.five_whys.root_cause = "Dana was careless and deployed without review; human error"
    rec.narrative.summary = "Sam Rivera should have known better."
    findings = check_postmortem(rec, extra_people=["Sam Rivera"])
    kinds = {(f.kind, f.where) for f in findings}
    assert ("blame", "five_whys.root_cause") in kinds and ("blame", "narrative.summary") in kinds
    assert ("name", "five_whys.root_cause") in kinds and ("name", "narrative.summary") in kinds
    messages = " ".join(f.message for f in findings)
    assert "'careless'" in messages and "'human error'" in messages and "(Sam Rivera)" in messages


def test_missing_pieces_are_listed():
    findings = check_postmortem(record(action_items=[ActionItem(action="Fix it")]))
    wheres = [f.where for f in findings if f.kind == "missing"]
    for where in (
        "narrative.summary",
        "narrative.author",
        "five_whys.root_cause",
        "severity.level",
        "five_whys.whys",
    ):
        assert where in wheres
    assert sum(1 for f in findings if f.where == "action_items.0") == 2  # no owner, no due date
    rec = complete()
    rec.severity.reason = ""
    rec.five_whys.would_still_happen = True
    wheres = {f.where for f in check_postmortem(rec)}
    assert {"severity.reason", "five_whys.would_still_happen"} <= wheres


def test_root_is_not_a_name():
    rec = complete()
    rec.changes.append(ChangeEntry(time=T, who="root", field="x"))
    assert check_postmortem(rec) == []
