"""Telling log URIs from local paths, and showing them without their secrets."""

from pathlib import Path

import pytest

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs import remote


@pytest.mark.parametrize(
    ("location", "scheme", "is_remote"),
    [
        ("https://logs.example.com/a.jsonl", "https", True),
        ("HTTP://logs.example.com/a.jsonl", "http", True),
        ("s3://bucket/key.jsonl.gz", "s3", True),
        ("s3a://bucket/key.jsonl.gz", "s3a", True),
        ("gs://bucket/key.jsonl", "gs", False),
        ("/var/log/app.jsonl", "", False),
        (Path("logs/app.jsonl"), "", False),
        ("odd name://with colon.jsonl", "", False),
    ],
)
def test_schemes(location, scheme, is_remote):
    assert remote.scheme(location) == scheme
    assert remote.is_remote(location) is is_remote


def test_display_hides_user_info_and_query_strings():
    shown = remote.display("https://ops:hunter2@logs.example.com:8443/a/b.jsonl?X-Amz-Signature=s")
    assert shown == "https://logs.example.com:8443/a/b.jsonl?…"
    assert remote.display("s3://bucket/key.jsonl") == "s3://bucket/key.jsonl"
    assert remote.display("/var/log/app.log") == "/var/log/app.log"


def test_basenames():
    assert remote.basename("s3://bucket/checkout/app.jsonl.gz") == "app.jsonl.gz"
    assert remote.basename("https://h/x/app.logfmt?sig=1") == "app.logfmt"
    assert remote.basename(Path("/var/log/app.log")) == "app.log"


def test_a_scheme_duckdb_does_not_read_is_named():
    with pytest.raises(EvidenceError, match=r"gs:// logs are read by --engine spark only"):
        remote.filesystem("gs://bucket/app.jsonl")
