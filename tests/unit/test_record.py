import json
from datetime import UTC, datetime

import pytest

from incident_nb.core.durable import write_atomic
from incident_nb.core.errors import RecordError
from incident_nb.core.models import Severity
from incident_nb.core.record import (
    AlertRecord,
    IncidentRecord,
    Why,
    dump_record,
    parse_record,
    read_record,
    write_record,
)
from tests.corrupt_records import CORRUPT_SHAPES

T0 = datetime(2026, 11, 20, 14, 7, tzinfo=UTC)


def make_record() -> IncidentRecord:
    alert = AlertRecord(
        source="manual", key="manual:1", title="Checkout down", service="shop", started_at=T0
    )
    return IncidentRecord(
        id="2026-11-20-checkout-down",
        title="Checkout down",
        service="shop",
        created_at=T0,
        alert=alert,
    )


def test_round_trip_keeps_every_field(tmp_path):
    record = make_record()
    record.severity.level = Severity.SEV2
    record.five_whys.whys = [Why(why="Why 500s?", answer="DB errors")]
    record.fix_checklist = {"Rollback plan documented": True}
    write_record(tmp_path, record)
    again = read_record(tmp_path)
    assert again == record
    assert json.loads((tmp_path / "incident.json").read_text())["schema_version"] == 3


def test_invalid_field_is_named(tmp_path):
    data = json.loads(dump_record(make_record()))
    data["severity"]["level"] = "SEV-9"
    with pytest.raises(RecordError, match=r"severity\.level"):
        parse_record(json.dumps(data))
    data["severity"]["level"] = None
    data["unexpected"] = 1
    with pytest.raises(RecordError, match="unexpected"):
        parse_record(json.dumps(data))


def test_bad_json_and_missing_and_future_schema(tmp_path):
    with pytest.raises(RecordError, match=r"not valid JSON \(line 1"):
        parse_record("{oops")
    with pytest.raises(RecordError, match="create the incident with `incident-nb new`"):
        read_record(tmp_path)
    data = json.loads(dump_record(make_record()))
    data["schema_version"] = 99
    with pytest.raises(RecordError, match=r"schema_version 99.*upgrade incident-nb"):
        parse_record(json.dumps(data))
    data["schema_version"] = 0
    with pytest.raises(RecordError, match=r"schema_version 0.*fix schema_version"):
        parse_record(json.dumps(data))


V1_RECORD = {
    "schema_version": 1,
    "id": "2026-06-01-checkout-down",
    "title": "Checkout down",
    "service": "shop",
    "created_at": "2026-06-01T10:05:00Z",
    "status": "resolved",
    "resolved_at": "2026-06-01T11:00:00Z",
    "alert": {
        "source": "manual",
        "key": "manual:1",
        "title": "Checkout down",
        "service": "shop",
        "started_at": "2026-06-01T10:00:00Z",
    },
    "timeline": [
        {"time": "2026-06-01T10:00:00Z", "event": "Alert fired", "source": "alert"},
        {"time": "2026-06-01T10:30:00Z", "event": "Fix deployed", "source": "person"},
    ],
    "five_whys": {"root_cause": "Missing index", "category": "deployment"},
    "changes": [{"time": "2026-06-01T10:10:00Z", "who": "ana", "field": "severity.level"}],
}


def test_version_1_record_reads_as_the_current_version_and_is_written_as_it(tmp_path):
    (tmp_path / "incident.json").write_text(json.dumps(V1_RECORD))
    record = read_record(tmp_path)
    assert record.schema_version == 3
    assert record.evidence.metrics == []
    assert record.updates == [] and record.responders == []
    assert [e.kind for e in record.timeline] == [None, None]
    assert record.five_whys.category == "deployment"
    assert record.changes[0].who == "ana"
    assert json.loads((tmp_path / "incident.json").read_text())["schema_version"] == 1  # untouched
    write_record(tmp_path, record)
    assert json.loads((tmp_path / "incident.json").read_text())["schema_version"] == 3
    assert read_record(tmp_path) == record


def test_version_2_record_reads_with_no_metric_files(tmp_path):
    (tmp_path / "incident.json").write_text(json.dumps({**V1_RECORD, "schema_version": 2}))
    record = read_record(tmp_path)
    assert (record.schema_version, record.evidence.metrics) == (3, [])


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "incident.json"
    write_atomic(target, "old\n")

    def boom(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("os.fsync", boom)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["incident.json"]  # no temp file left


def test_atomic_write_keeps_mode(tmp_path):
    target = tmp_path / "f.txt"
    write_atomic(target, "a")
    assert target.stat().st_mode & 0o777 == 0o644
    target.chmod(0o600)
    write_atomic(target, "b")
    assert target.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("shape", list(CORRUPT_SHAPES))
def test_every_corrupt_shape_is_a_record_error_naming_the_file(tmp_path, shape):
    make, words = CORRUPT_SHAPES[shape]
    make(tmp_path, dump_record(make_record()))
    with pytest.raises(RecordError) as caught:
        read_record(tmp_path)
    message = str(caught.value)
    assert str(tmp_path / "incident.json") in message
    assert words in message
    assert any(fix in message for fix in ("fix", "restore", "remove", "move", "upgrade", "check"))
