"""Forms bound to incident.json, exercised without a browser: what is typed is saved at once,
comes back when the form is shown again, and concurrent editors do not lose each other's work."""

import json
import threading
from datetime import UTC, date, datetime

import pytest

from incident_nb.alerts import alert_from_fields
from incident_nb.core.models import Severity
from incident_nb.core.record import (
    NotebookStatus,
    TimelineEvent,
    read_record,
    record_lock,
    write_record,
)
from incident_nb.core.workflow import DEPLOYMENT_CHECKLIST, FIX_CHECKLIST
from incident_nb.forms import (
    ActionItemsForm,
    ChecklistForm,
    ConflictError,
    FiveWhysForm,
    ImpactForm,
    NarrativeForm,
    RecordStore,
    TimelineForm,
)
from incident_nb.forms.whys import DIG_DEEPER
from incident_nb.incidents import create_incident, set_notebook_status


@pytest.fixture
def folder(tmp_path):
    return create_incident(
        alert_from_fields("Checkout failing", "shop", "2026-11-20T14:11:00Z"), tmp_path
    )


def test_impact_form_saves_each_change_and_shows_it_again(folder):
    form = ImpactForm(RecordStore(folder, who="alice"))
    form.tenants.value = ["acme", "globex"]
    form.started.value = "2026-11-20 14:07"
    form.data_loss.value = True
    form.severity.value = "SEV-2"  # differs from the SEV-1 that data loss implies: needs a reason
    assert read_record(folder).severity.level is None
    assert "differs from the suggested SEV-1" in form.reason_msg.value
    form.reason.value = "no data was lost after all: checked the orders table"
    record = read_record(folder)
    assert record.severity.level is Severity.SEV2 and record.severity.reason.startswith("no data")
    assert record.impact.affected_tenants == ["acme", "globex"]
    assert record.impact.started_at.isoformat() == "2026-11-20T14:07:00+00:00"
    assert [c.field for c in record.changes] == [
        "impact.affected_tenants",
        "impact.started_at",
        "impact.data_loss",
        "severity",
    ]
    assert {c.who for c in record.changes} == {"alice"}
    form.started.value = "after lunch"
    assert "not a time" in form.started_msg.value
    again = ImpactForm(RecordStore(folder))
    assert again.tenants.value == ["acme", "globex"] and again.severity.value == "SEV-2"
    assert again.value[1].level is Severity.SEV2
    assert "| Affected tenants | acme, globex |" in again.static_markdown()


def test_five_whys_rows_add_remove_and_persist(folder):
    form = FiveWhysForm(RecordStore(folder))
    assert len(form.whys_box.children) == 5
    form.problem.value = "500s on checkout"
    form.whys_box.children[0].children[2].value = "DB errors"
    form.add.click()
    assert len(read_record(folder).five_whys.whys) == 6
    form.whys_box.children[5].children[3].click()  # remove the added row
    form.category.value = "deployment"
    form.still.value = DIG_DEEPER
    assert "not yet the root" in form.check_msg.value
    fw = read_record(folder).five_whys
    assert (
        fw.problem == "500s on checkout" and fw.whys[0].answer == "DB errors" and len(fw.whys) == 5
    )
    assert fw.category == "deployment" and fw.would_still_happen is True
    again = FiveWhysForm(RecordStore(folder))
    assert again.whys_box.children[0].children[2].value == "DB errors"
    assert again.value == fw


def test_checklists_keep_the_workflows_items(folder):
    form = ChecklistForm(RecordStore(folder), "fix_checklist")
    assert list(form.boxes) == list(FIX_CHECKLIST)
    form.boxes["Rollback plan documented"].value = True
    form.rollback.value = "redeploy v2.13.0"
    record = read_record(folder)
    assert (
        record.fix_checklist["Rollback plan documented"] is True
        and record.rollback_plan == "redeploy v2.13.0"
    )
    deploy = ChecklistForm(RecordStore(folder), "deployment_checklist", suggested="SEV-3")
    assert list(deploy.boxes) == list(DEPLOYMENT_CHECKLIST)
    assert "<b>5 minutes</b> (suggested SEV-3" in deploy.widget.children[-2].value


def test_timeline_is_sorted_and_accepts_proposals(folder):
    record = read_record(folder)
    proposal = TimelineEvent(
        time=record.alert.started_at.replace(minute=7),
        event="First error logged",
        source="evidence",
    )
    form = TimelineForm(RecordStore(folder), [proposal])
    form.new_time.value, form.new_text.value = "2026-11-20 15:30", "Rolled back"
    form.new_kind.value = "mitigated"
    form.add.click()
    form.proposed.children[0].children[-1].click()  # accept "First error logged"
    events = [e.event for e in read_record(folder).timeline]
    assert events == ["First error logged", "Alert fired", "Rolled back", "Investigation started"]
    kinds = {e.event: e.kind for e in read_record(folder).timeline}
    assert kinds["Rolled back"] == "mitigated" and kinds["Alert fired"] is None
    first_row = form.rows.children[0]
    first_row.children[2].value = "detected"  # "First error logged" marks the detection
    saved = {e.event: e.kind for e in read_record(folder).timeline}
    assert saved["First error logged"] == "detected" and saved["Rolled back"] == "mitigated"
    assert "(none left)" in form.proposed.children[0].value
    form.new_time.value, form.new_text.value = "nope", "x"
    form.add.click()
    assert "not a time" in form.add_msg.value


def test_action_items_and_final_needs_owners(folder):
    items = ActionItemsForm(RecordStore(folder))
    items.add.click()
    action, _owner, due, status = items.rows.children[0].children[:4]
    action.value = "Run migrations before rollout"
    due.value = "someday"
    assert "use YYYY-MM-DD" in items.rows.children[0].children[5].value
    due.value = "2026-12-05"
    status.value = "IN PROGRESS"
    saved = read_record(folder).action_items
    assert saved[0].action == "Run migrations before rollout" and saved[0].due == date(2026, 12, 5)
    assert saved[0].status == "IN PROGRESS" and saved[0].owner == ""
    narrative = NarrativeForm(RecordStore(folder))
    narrative.final.value = True
    assert narrative.final.value is False and "owner is required" in narrative.final_msg.value
    assert read_record(folder).postmortem_final is False
    narrative.went_well.value = "alert in 4 min\n\nrollback fast"
    assert read_record(folder).narrative.went_well == ["alert in 4 min", "rollback fast"]


def test_two_editors_merge_by_field_and_conflicts_are_refused(folder):
    alice, bob = (
        NarrativeForm(RecordStore(folder, who="alice")),
        NarrativeForm(RecordStore(folder, who="bob")),
    )
    alice.summary.value = "alice's summary"
    bob.lessons.value = "bob's lesson"  # another field: merged
    record = read_record(folder)
    assert (record.narrative.summary, record.narrative.lessons_learned) == (
        "alice's summary",
        "bob's lesson",
    )
    bob.summary.value = "bob overwrites"  # same field, changed since bob's form was shown
    assert "changed by alice" in bob.status.value
    assert read_record(folder).narrative.summary == "alice's summary"
    with pytest.raises(ConflictError):
        RecordStore(folder).update("narrative.summary", "x", expected="stale")


def test_concurrent_writers_lose_nothing(folder):
    fields = [
        f"narrative.{name}"
        for name in ("author", "summary", "user_facing_impact", "data_impact", "lessons_learned")
    ]

    def write(field):
        store = RecordStore(folder, who=field)
        for i in range(10):
            store.update(field, f"{field} {i}")

    threads = [threading.Thread(target=write, args=(f,)) for f in fields]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    data = json.loads((folder / "incident.json").read_text())
    for field in fields:
        assert data["narrative"][field.split(".")[1]] == f"{field} 9"
    assert len(data["changes"]) == 50


def test_notebook_runner_and_forms_share_the_record_lock(folder):
    finished = NotebookStatus(state="executed", executed_at=datetime.now(UTC))
    with record_lock(folder):
        runner = threading.Thread(target=set_notebook_status, args=(folder, finished))
        runner.start()
        runner.join(0.5)
        assert runner.is_alive()  # the runner waits while the record is being edited
        record = read_record(folder)
        record.narrative.summary = "typed while the notebook ran"
        write_record(folder, record)
    runner.join(10)
    record = read_record(folder)
    assert record.notebook.state == "executed"
    assert record.narrative.summary == "typed while the notebook ran"


def test_record_edits_while_a_status_is_written_are_all_kept(folder):
    store = RecordStore(folder, who="alice")
    statuses = [NotebookStatus(state="executed", executed_at=datetime.now(UTC)) for _ in range(20)]
    runner = threading.Thread(target=lambda: [set_notebook_status(folder, s) for s in statuses])
    runner.start()
    for i in range(20):
        store.update("narrative.lessons_learned", f"lesson {i}")
    runner.join(10)
    record = read_record(folder)
    assert record.narrative.lessons_learned == "lesson 19"
    assert record.notebook.state == "executed"
    assert len(record.changes) == 20
