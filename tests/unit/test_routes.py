"""Paths as routes: id-like segments become {id}, names stay; Arrow, SQL and Python agree."""

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident_nb.sources import logsql
from incident_nb.sources.logs.routes import ID_SEGMENTS, route, route_sql, routes

ROUTES = [
    ("/orders/84123", "/orders/{id}"),
    ("/servers/fecdd5a9-3ca0-4c82-9336-63b7774f738e", "/servers/{id}"),
    ("/v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail", "/v2/{id}/servers/detail"),
    ("/objects/507f1f77bcf86cd799439011", "/objects/{id}"),
    ("/invoices/INV-2024-0001/lines/3", "/invoices/{id}/lines/{id}"),
    ("/customers/cus_9s6XKzkNRiz8i3", "/customers/{id}"),
    ("/hosts/10.0.12.7/metrics", "/hosts/{id}/metrics"),
    ("/users/ana@example.com", "/users/{id}"),
    ("/a/1/2/3/x/4/5", "/a/{id}/{id}/{id}/x/{id}/{id}"),
    ("/users/123/", "/users/{id}/"),
    ("/reports/2013-10-17/summary.json", "/reports/{id}/summary.json"),
    # Names, not ids: versions, short names with digits, file names, slugs, templates.
    ("/api/v1/e16", "/api/v1/e16"),
    ("/apis/apps/v1beta1/deployments", "/apis/apps/v1beta1/deployments"),
    ("/oauth2/token", "/oauth2/token"),
    ("/certs/x509/sha256", "/certs/x509/sha256"),
    ("/img/logo-2x.png", "/img/logo-2x.png"),
    ("/files/logstash-1.3.2-monolithic.jar", "/files/logstash-1.3.2-monolithic.jar"),
    ("/orgs/acme-corp/repos/incident-notes", "/orgs/acme-corp/repos/incident-notes"),
    ("/users/{id}/orders/:order", "/users/{id}/orders/:order"),
    ("/", "/"),
    ("", ""),
]


def _sql(paths: list[str]) -> list[str]:
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"SELECT {route_sql('p')} FROM unnest($paths::VARCHAR[]) WITH ORDINALITY AS t(p, i) "
            "ORDER BY i",
            {"paths": paths},
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


@pytest.mark.parametrize(("path", "expected"), ROUTES)
def test_a_path_s_ids_become_placeholders_and_its_names_stay(path, expected):
    assert route(path) == expected


def test_the_sql_gives_the_same_routes():
    assert _sql([p for p, _ in ROUTES]) == [r for _, r in ROUTES]


def test_the_parse_s_arrow_routing_gives_the_same_routes():
    got = routes(pa.array([p for p, _ in ROUTES]))
    assert got.to_pylist() == [r for _, r in ROUTES]


def test_arrow_routes_of_paths_without_ids_are_the_paths():
    paths = pa.array(["/api/v1/e16", "/oauth2/token", None, ""])
    assert routes(paths) is paths
    assert routes(pa.array([], pa.string())).to_pylist() == []


def test_each_kind_of_id_has_a_working_example():
    for kind in ID_SEGMENTS:
        assert "{id}" in route(kind.example), kind.name


SEGMENT = st.one_of(
    st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    st.from_regex(r"[0-9a-f]{14,40}", fullmatch=True),
    st.uuids().map(str),
    st.from_regex(r"v[0-9]{1,2}", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9_.-]{0,20}", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9_@.:{}-]{0,24}", fullmatch=True),
)
PATHS = st.lists(SEGMENT, min_size=1, max_size=7).map("/".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(PATHS, min_size=1, max_size=20))
def test_the_sql_arrow_and_python_agree_on_any_path(paths):
    expected = [route(p) for p in paths]
    assert _sql(paths) == expected
    assert routes(pa.array(paths)).to_pylist() == expected


@given(PATHS)
def test_a_route_is_its_own_route(path):
    assert route(route(path)) == route(path)


@given(st.lists(st.from_regex(r"[g-z_-]{1,30}", fullmatch=True), min_size=1, max_size=6))
def test_paths_of_words_are_kept_as_they_are(words):
    path = "/" + "/".join(words)
    assert route(path) == path


def test_the_sql_reads_the_same_on_spark():
    # Spark's copy is rendered from the one text: regex replacements, no DuckDB-only function.
    spark = logsql.render(route_sql("endpoint"), "spark")
    assert "REGEXP_REPLACE" in spark and "RLIKE" in spark and "regexp_matches" not in spark
