"""Engine names as given on the command line: what each means, and how each is shown."""

import pytest

from incident_nb.core.errors import EvidenceError
from incident_nb.sources.logs.engines import EngineSpec, parse_engine


@pytest.mark.parametrize(
    ("text", "spec", "label"),
    [
        ("duckdb", EngineSpec("duckdb"), "duckdb"),
        ("", EngineSpec("duckdb"), "duckdb"),
        ("spark", EngineSpec("spark", master="local[2]"), "local[2]"),
        ("local[4]", EngineSpec("spark", master="local[4]"), "local[4]"),
        ("spark://10.0.0.5:7077", EngineSpec("spark", master="spark://10.0.0.5:7077"), None),
        ("sc://127.0.0.1:15002", EngineSpec("spark", remote="sc://127.0.0.1:15002"), None),
        (
            "sc://spark.example:443/;use_ssl=true;token=s3cret",
            EngineSpec("spark", remote="sc://spark.example:443/;use_ssl=true;token=s3cret"),
            "sc://spark.example:443",
        ),
    ],
)
def test_engines_and_their_labels(text, spec, label):
    assert parse_engine(text) == spec
    assert spec.label == (label or text)


def test_an_unknown_engine_lists_the_known_ones():
    with pytest.raises(EvidenceError, match=r"use duckdb, spark \(local\), spark://HOST:PORT"):
        parse_engine("oracle")
