"""Whatever a log file holds, ``analyze`` answers or refuses with a clear error, never a traceback.

Random bytes, random JSON documents of any shape (nested, mixed types, odd keys), random lines
around valid records: each run ends in a summary (bad lines counted malformed) or an
``EvidenceError`` message; nothing else escapes and nothing is printed as a traceback.
"""

import contextlib
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_nb.cli import main
from tests.real_shaped_logs import SAMPLES

SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NAMES = st.sampled_from(["x.jsonl", "x.log", "x.csv", "x.tsv", "x.txt", "x.json", "x.logfmt"])
KEYS = st.one_of(
    st.sampled_from(["ts", "time", "@timestamp", "level", "status", "msg", "url", "a.b", "Level"]),
    st.text(min_size=0, max_size=8),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2026-11-20T14:00:00Z", "10000-01-01T00:00:00Z", "error", "500", "1e400"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=12,
)


def analyze(path):
    """(exit status, stderr) of ``analyze --logs PATH --json``; any exception fails the test."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["analyze", "--logs", str(path), "--json"])
    if status == 0:
        document = json.loads(out.getvalue())
        lines = document["lines"]
        assert lines["total"] == lines["parsed"] + lines["malformed"]
    else:
        assert status == 1
        assert "incident-nb: error:" in err.getvalue()
    assert "Traceback" not in err.getvalue()
    return status, err.getvalue()


@SETTINGS
@given(st.binary(max_size=3000), NAMES)
def test_random_bytes(tmp_path_factory, data, name):
    path = tmp_path_factory.mktemp("bytes") / name
    path.write_bytes(data or b"\0")
    analyze(path)


@SETTINGS
@given(st.lists(JSON, min_size=1, max_size=8), NAMES)
def test_random_json_documents(tmp_path_factory, documents, name):
    path = tmp_path_factory.mktemp("json") / name
    text = "".join(json.dumps(d, allow_nan=True) + "\n" for d in documents)
    path.write_text(text, encoding="utf-8")
    analyze(path)


@SETTINGS
@given(
    st.lists(st.one_of(JSON.map(json.dumps), st.text(max_size=60)), max_size=6),
    st.integers(min_value=1, max_value=4),
)
def test_random_lines_around_valid_records(tmp_path_factory, noise, good):
    records = [
        json.dumps({"ts": f"2026-11-20T14:00:0{i}Z", "level": "error" if i % 2 else "info"})
        for i in range(good)
    ]
    lines = [line.replace("\n", " ").replace("\r", " ") for line in noise]
    path = tmp_path_factory.mktemp("mixed") / "service.jsonl"
    path.write_text("\n".join([*records, *lines]) + "\n", encoding="utf-8")
    status, err = analyze(path)
    assert status == 0, err


@SETTINGS
@given(
    st.sampled_from([s for s in SAMPLES if not s.mtime]),
    st.lists(st.tuples(st.integers(0, 20), st.text(max_size=80)), max_size=5),
)
def test_random_lines_inside_every_format(tmp_path_factory, sample, noise):
    rows = sample.text.splitlines()
    for at, text in noise:
        rows.insert(min(at, len(rows)), text.replace("\n", " ").replace("\r", " "))
    path = tmp_path_factory.mktemp("noisy") / sample.file
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    year = ["--year", str(sample.year)] if sample.year else []
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["analyze", "--logs", str(path), "--format", sample.fmt, *year, "--json"])
    assert "Traceback" not in err.getvalue()
    if status == 0:
        lines = json.loads(out.getvalue())["lines"]
        assert lines["total"] == lines["parsed"] + lines["malformed"]
        assert lines["parsed"] >= 1
    else:
        assert "incident-nb: error:" in err.getvalue()
