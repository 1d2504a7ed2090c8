"""Property tests of levels: every convention's names and numbers, read by the SQL the loader runs.

The expectations are the conventions' own, spelled out here rather than taken from the tables
under test: error, err, fatal, critical, crit, alert, emerg, panic, severe and glog's E and F
are errors, in any case and padding, and warn/warning are not; bunyan/pino 50 and 60,
OpenTelemetry 17-24, syslog and journald 0-3 (and a PRI ``<N>``: N % 8), Python 40 and 50.
"""

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_nb.sources.logs.levels import ERROR_SEVERITY, scale_of, severity_sql

ERRORS = [
    "error",
    "err",
    "fatal",
    "critical",
    "crit",
    "alert",
    "emerg",
    "panic",
    "severe",
    "e",
    "f",
]
NOT_ERRORS = [
    "warn",
    "warning",
    "info",
    "information",
    "notice",
    "debug",
    "trace",
    "verbose",
    "w",
    "i",
]


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    yield con
    con.close()


def severity(con, value, sql_type="VARCHAR", scale="auto"):
    expr = severity_sql('"v"', sql_type, scale)
    return con.execute(
        f"SELECT {expr} FROM (SELECT CAST($v AS {sql_type}) AS v)", {"v": value}
    ).fetchone()[0]


def spelled(data, name):
    cased = "".join(data.draw(st.sampled_from([c.lower(), c.upper()])) for c in name)
    return (
        data.draw(st.sampled_from(["", " ", "  "])) + cased + data.draw(st.sampled_from(["", " "]))
    )


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_level_names_in_any_case_and_padding(con, data):
    name = data.draw(st.sampled_from(ERRORS + NOT_ERRORS))
    got = severity(con, spelled(data, name))
    assert got is not None
    assert (got >= ERROR_SEVERITY) == (name in ERRORS), name


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(
        ["ERROR+2", "WARN-4", "SEVERITY_NUMBER_ERROR", "trace1", "INFO2", "FATAL3", "[error]"]
    )
)
def test_names_with_a_suffix_or_prefix(con, text):
    got = severity(con, text)
    assert (got >= ERROR_SEVERITY) == any(w in text.lower() for w in ("error", "fatal"))


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=10, max_value=100), st.booleans())
def test_bunyan_and_pino_numbers(con, level, as_text):
    got = severity(con, str(level) if as_text else level, "VARCHAR" if as_text else "BIGINT")
    assert (got >= ERROR_SEVERITY) == (level >= 50)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=24))
def test_opentelemetry_severity_numbers(con, number):
    assert scale_of("severityNumber") == scale_of("attributes.severity_number") == "otel"
    got = severity(con, number, "INTEGER", "otel")
    assert got == number and (got >= ERROR_SEVERITY) == (number >= 17)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=7), st.booleans())
def test_syslog_and_journald_priorities(con, priority, as_text):
    assert scale_of("PRIORITY") == scale_of("log.syslog.severity.code") == "syslog"
    value, sql_type = (str(priority), "VARCHAR") if as_text else (priority, "BIGINT")
    got = severity(con, value, sql_type, "syslog")
    assert (got >= ERROR_SEVERITY) == (priority <= 3)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=191))
def test_syslog_pri_is_facility_times_eight_plus_severity(con, pri):
    assert scale_of("pri") == "pri"
    got = severity(con, str(pri), "VARCHAR", "pri")
    assert (got >= ERROR_SEVERITY) == (pri % 8 <= 3)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([10, 20, 30, 40, 50]))
def test_python_levelno(con, number):
    assert scale_of("levelno") == "python"
    got = severity(con, number, "INTEGER", "python")
    assert (got >= ERROR_SEVERITY) == (number >= 40)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=20))
def test_any_other_text_is_no_error_and_no_failure(con, text):
    try:
        float(text)
    except ValueError:
        pass
    else:
        return  # a number: read on its scale (the tests above)
    got = severity(con, text.replace("\x00", ""))
    words = "".join(c if "a" <= c <= "z" else " " for c in text.lower()).split()
    if got is not None and got >= ERROR_SEVERITY:
        first = words[0] if words else ""
        also = {"eror", "erro", "fata", "ftl", "pani", "dpanic", "emergency"}
        assert first in ERRORS or first in also or text.strip().lower() in ERRORS


def test_a_later_word_is_not_the_level(con):
    assert severity(con, "non-fatal") is None
    assert severity(con, "no error") is None
