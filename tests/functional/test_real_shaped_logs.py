"""Every format and field convention, on real-shaped samples with counted truth.

The samples (``tests/real_shaped_logs.py``) are written from each format's documentation; the
expected records, errors, endpoints and windows are counted by hand from their text.
"""

import os
from datetime import datetime

import pytest

from incident_nb.sources.logs import LogStore
from incident_nb.sources.logs.formats import detect_all
from tests.real_shaped_logs import SAMPLES, Sample


def write(sample: Sample, folder):
    path = folder / sample.file
    path.write_text(sample.text, encoding="utf-8")
    if sample.mtime:
        stamp = datetime.fromisoformat(sample.mtime + "+00:00").timestamp()
        os.utime(path, (stamp, stamp))
    return path


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_sample_reads_as_counted(sample, tmp_path):
    path = write(sample, tmp_path)
    found = detect_all(path)
    assert found[0].format.name == sample.fmt
    assert (found[0].envelope.name if found[0].envelope else "") == sample.envelope
    store = LogStore.open([path], year=sample.year)
    try:
        lines = store.lines
        assert (lines.total, lines.malformed, lines.bad_timestamp) == (
            sample.records,
            sample.malformed,
            sample.bad_timestamp,
        )
        errors, endpoints = store._con.execute(
            "SELECT count(*) FILTER (WHERE is_error), "
            "list(DISTINCT endpoint ORDER BY endpoint) FILTER (WHERE endpoint IS NOT NULL) "
            "FROM events"
        ).fetchone()
        assert errors == sample.errors
        assert tuple(endpoints or ()) == sample.endpoints
        start, end = store.extent()
        assert (start.isoformat(), end.isoformat()) == sample.window
        assert store.errors_known == sample.errors_known
        for role, source in sample.fields.items():
            assert store.fields[role] == source, role
    finally:
        store.close()


def test_every_format_and_envelope_has_two_samples_and_a_line_in_the_readme():
    from pathlib import Path

    from incident_nb.sources.logs.envelopes import ENVELOPES
    from incident_nb.sources.logs.formats import FORMATS

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    # CSV/TSV, OTLP and Parquet have their ground-truth tests in test_formats.py; python-basic
    # is refused (test_log_regressions.py); text is only ever inside an envelope.
    elsewhere = {"csv", "tsv", "otlp", "parquet", "python-basic", "text"}
    for fmt in FORMATS:
        assert f"`{fmt.name}`" in readme, fmt.name
        if fmt.name not in elsewhere:
            assert sum(s.fmt == fmt.name and not s.envelope for s in SAMPLES) >= 2, fmt.name
    for envelope in ENVELOPES:
        assert sum(s.envelope == envelope.name for s in SAMPLES) >= 2, envelope.name
