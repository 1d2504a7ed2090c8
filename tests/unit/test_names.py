"""Name columns coded by value: each distinct value's rule applied once, nulls and order kept."""

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_nb.sources.logs.names import CODED, PLACEHOLDERS, VALUE_RULES, by_value, coded
from incident_nb.sources.logs.routes import route


def _expected(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if name == "endpoint":
        return route(value)
    return None if value in PLACEHOLDERS else value


def test_a_batch_s_names_are_coded_and_its_other_columns_kept():
    batch = pa.record_batch(
        {
            "endpoint": ["/orders/1", None, "/orders/2", "/api/v1/e16", "/orders/3"],
            "tenant": ["acme", "-", "", None, "acme"],
            "service": pa.array([None] * 5, pa.string()),
            "message": ["-", "", "a", "b", "c"],
            "status": [200, 500, 200, 503, 200],
        }
    )
    out = coded(batch)
    assert out.schema.names == batch.schema.names
    assert out.column("endpoint").to_pylist() == [
        "/orders/{id}",
        None,
        "/orders/{id}",
        "/api/v1/e16",
        "/orders/{id}",
    ]
    assert sorted(out.column("endpoint").dictionary.to_pylist()) == ["/api/v1/e16", "/orders/{id}"]
    assert out.column("tenant").to_pylist() == ["acme", None, None, None, "acme"]
    assert out.column("tenant").dictionary.to_pylist() == ["acme"]
    assert out.column("service").null_count == 5
    for name in VALUE_RULES:
        assert out.column(name).type == CODED
    # A message or an id is no name: kept as written, '-' included.
    assert out.column("message").equals(batch.column("message"))
    assert out.column("status").equals(batch.column("status"))


def test_values_the_rules_leave_alone_keep_their_first_coding():
    column = pa.array(["/a", "/b", "/a", None], pa.large_string())
    got = by_value(column, VALUE_RULES["endpoint"])
    assert got.type == CODED
    assert got.to_pylist() == ["/a", "/b", "/a", None]
    assert got.dictionary.to_pylist() == ["/a", "/b"]


NAME = st.one_of(
    st.none(),
    st.sampled_from(PLACEHOLDERS),
    st.from_regex(r"/[a-z]{1,6}(/[0-9]{1,6})?", fullmatch=True),
    st.from_regex(r"[a-z0-9-]{1,8}", fullmatch=True),
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(VALUE_RULES)), st.lists(NAME, max_size=40))
def test_coding_by_value_is_the_rule_applied_to_every_value(name, values):
    got = by_value(pa.array(values, pa.string()), VALUE_RULES[name])
    assert got.to_pylist() == [_expected(name, v) for v in values]
    assert got.dictionary.null_count == 0
    assert len(set(got.dictionary.to_pylist())) == len(got.dictionary)
