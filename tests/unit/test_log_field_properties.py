"""Property-based tests of timestamp and field parsing in the log reader.

The SQL that turns a timestamp column into UTC is run by DuckDB on generated values and
compared with the time they were generated from; logfmt values survive any text.
"""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from incident_nb.core.errors import EvidenceError
from incident_nb.core.models import parse_utc
from incident_nb.sources.logs.fields import (
    FIELD_CANDIDATES,
    override_fields,
    pick_field,
)
from incident_nb.sources.logs.loader import load_events
from incident_nb.sources.logs.textlines import logfmt_pairs
from incident_nb.sources.logs.values import timestamp_expr

TIMES = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC)
)
OFFSETS = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timedelta(minutes=m))
ZONES = st.sampled_from(["UTC", "Asia/Tokyo", "Asia/Kolkata", "America/New_York", "Europe/Berlin"])


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    yield con
    con.close()


def parse_sql(con, value, sql_type="VARCHAR"):
    expr = timestamp_expr('"v"', sql_type)
    return con.execute(
        f"SELECT {expr} FROM (SELECT CAST($v AS {sql_type}) AS v)", {"v": value}
    ).fetchone()[0]


def iso_text(moment, offset, digits, sep):
    local = moment.astimezone(timezone(offset))
    frac = f"{local.microsecond:06d}{'789'}"[:digits]  # up to 9 digits, like Go writes
    zone = (
        "Z" if offset == timedelta(0) else local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
    )
    return local.strftime(f"%Y-%m-%d{sep}%H:%M:%S") + (f".{frac}" if digits else "") + zone


def truncated(moment, digits):
    return moment.replace(
        microsecond=int(f"{moment.microsecond:06d}"[: min(digits, 6)].ljust(6, "0"))
    )


@settings(max_examples=200, deadline=None)
@given(TIMES, OFFSETS, st.integers(0, 9), st.sampled_from(["T", " "]))
def test_iso_text_with_offsets_and_0_to_9_fraction_digits(con, moment, offset, digits, sep):
    text = iso_text(moment, offset, digits, sep)
    expected = truncated(moment, digits)
    assert parse_sql(con, text) == expected
    assert parse_utc(text) == expected  # the Python parser agrees


@settings(max_examples=200, deadline=None)
@given(TIMES, st.sampled_from([("s", 1), ("ms", 1_000), ("us", 1_000_000), ("ns", 1_000_000_000)]))
def test_epoch_numbers_in_any_unit_as_numbers_or_text(con, moment, unit):
    name, per_second = unit
    micros = int(moment.timestamp()) * 1_000_000 + moment.microsecond
    value = micros * per_second // 1_000_000
    kept = {"s": 0, "ms": moment.microsecond // 1000 * 1000}.get(name, moment.microsecond)
    expected = moment.replace(microsecond=kept)
    got_number = parse_sql(con, value, "BIGINT")
    got_text = parse_sql(con, str(value))
    # Epoch conversion goes through a double: allow one microsecond of rounding.
    assert abs(got_number - expected) <= timedelta(microseconds=1)
    assert abs(got_text - expected) <= timedelta(microseconds=1)


@settings(max_examples=25, deadline=None)
@given(TIMES, ZONES)
def test_naive_timestamps_are_read_in_the_given_zone(tmp_path_factory, moment, zone):
    local = moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    # Skip wall times that a DST change makes ambiguous or nonexistent.
    aware = local.replace(tzinfo=ZoneInfo(zone))
    assume(aware.utcoffset() == local.replace(tzinfo=ZoneInfo(zone), fold=1).utcoffset())
    path = tmp_path_factory.mktemp("tz") / "naive.csv"
    path.write_text(f"ts,status\n{local.isoformat(sep=' ')},200\n")
    con, lines, *_ = load_events([path], tz=zone)
    try:
        got = con.execute("SELECT ts FROM events").fetchone()[0]
    finally:
        con.close()
    assert lines.used == 1
    assert got == moment


LOGFMT_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\x1e"),
    max_size=40,
)
LOGFMT_KEYS = st.from_regex(r"[a-z][a-z0-9_.]{0,12}", fullmatch=True)


def logfmt_line(pairs):
    def value(text):
        if text and not any(c in text for c in ' "=\\') and not text.isspace():
            return text
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return " ".join(f"{k}={value(v)}" for k, v in pairs.items())


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(LOGFMT_KEYS, LOGFMT_TEXT, min_size=1, max_size=6))
def test_logfmt_values_round_trip_in_python_and_duckdb(tmp_path_factory, pairs):
    assume(all(not any(c.isspace() and c != " " for c in v) for v in pairs.values()))
    line = logfmt_line({"ts": "2026-11-20T12:00:00Z", **pairs})
    assert logfmt_pairs(line) == {"ts": "2026-11-20T12:00:00Z", **pairs}
    path = tmp_path_factory.mktemp("logfmt") / "x.logfmt"
    path.write_text(line + "\n", encoding="utf-8")
    from incident_nb.sources.logs.textlines import read_logfmt

    con = duckdb.connect()
    try:
        raw = read_logfmt(con, [path], "raw")
        row = con.execute(f"SELECT * FROM {raw.view}").df().iloc[0].to_dict()
    finally:
        con.close()
    for key, text in pairs.items():
        assert row[key] == text, key


@given(st.sampled_from(sorted(FIELD_CANDIDATES)), st.data())
def test_pick_field_finds_any_convention_in_any_case(field, data):
    name = data.draw(st.sampled_from(FIELD_CANDIDATES[field]))
    cased = "".join(data.draw(st.sampled_from([c.lower(), c.upper()])) for c in name)
    columns = {"unrelated": "VARCHAR", cased: "VARCHAR"}
    picked = pick_field(columns, FIELD_CANDIDATES[field])
    assert picked is not None and picked.lower() in {c.lower() for c in FIELD_CANDIDATES[field]}


def test_override_fields_checks_names_and_columns():
    schema = {"when": "VARCHAR", "org": "VARCHAR"}
    assert override_fields({"timestamp": "when", "tenant": "org"}, schema) == {
        "ts": "when",
        "tenant": "org",
    }
    with pytest.raises(EvidenceError, match="unknown field 'colour'"):
        override_fields({"colour": "org"}, schema)
    with pytest.raises(EvidenceError, match="no field 'nope'"):
        override_fields({"tenant": "nope"}, schema)


def test_other_timestamp_layouts(con):
    assert parse_sql(con, "Sun Dec 04 04:47:44 2005") == datetime(
        2005, 12, 4, 4, 47, 44, tzinfo=UTC
    )
    assert parse_sql(con, "2015-07-29 17:41:44,747") == datetime(
        2015, 7, 29, 17, 41, 44, 747000, tzinfo=UTC
    )
    assert parse_sql(con, "10/Oct/2000:13:55:36 -0700") == datetime(
        2000, 10, 10, 20, 55, 36, tzinfo=UTC
    )
    assert parse_sql(con, "not a time") is None


def test_unknown_tz_is_named(tmp_path: Path):
    path = tmp_path / "x.csv"
    path.write_text("ts,status\n2026-01-01 00:00:00,200\n")
    with pytest.raises(EvidenceError, match="unknown time zone 'Mars/Base'"):
        load_events([path], tz="Mars/Base")
