"""Query results read into pandas by way of Arrow: the very frame DuckDB's ``df()`` gives."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from incident_nb.sources.logs.frames import frame

# Every kind of column the analysis's queries return, and those whose reading by Arrow differs.
QUERIES = {
    "names": "SELECT * FROM (VALUES ('a'), (NULL), ('b')) t(x)",
    "names all null": "SELECT NULL::VARCHAR AS x FROM range(3)",
    "no rows": "SELECT 'a' AS x, 1::INTEGER AS n, true AS b, now() AS t WHERE false",
    "integer with nulls": "SELECT * FROM (VALUES (1::INTEGER), (NULL)) t(x)",
    "big integer with nulls": "SELECT CASE WHEN range = 1 THEN NULL ELSE range END AS x FROM range(3)",
    "counts": "SELECT count(*) AS n, count(*) FILTER (WHERE range > 1) AS m FROM range(5)",
    "sum of integers (a HUGEINT)": "SELECT sum(range) AS x FROM range(3)",
    "boolean with nulls": "SELECT * FROM (VALUES (true), (NULL), (false)) t(x)",
    "boolean": "SELECT range > 1 AS x FROM range(3)",
    "doubles with nulls": "SELECT * FROM (VALUES (1.5::DOUBLE), (NULL)) t(x)",
    "decimal": "SELECT 1.5 AS x",
    "times with nulls": "SELECT * FROM (VALUES (TIMESTAMPTZ '2026-01-01 00:00:00+00'), (NULL)) t(x)",
    "naive times": "SELECT TIMESTAMP '2026-01-01 00:00:00' AS x",
    "date": "SELECT DATE '2026-01-01' AS x",
    "interval": "SELECT INTERVAL 90 SECOND AS x",
    "list": "SELECT [0.5, 1.5] AS x",
    "struct": "SELECT {'a': 1} AS x",
    "mixed": "SELECT range AS i, range::VARCHAR AS s, NULL::INTEGER AS n, 0.1 * range AS d "
    "FROM range(4)",
}


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    return connection


@pytest.mark.parametrize("sql", QUERIES.values(), ids=QUERIES.keys())
def test_the_frame_is_duckdb_s_own_to_the_column_type(con: duckdb.DuckDBPyConnection, sql: str):
    pd.testing.assert_frame_equal(frame(con, sql), con.execute(sql).df())


def test_many_rows_of_names_in_one_piece(con: duckdb.DuckDBPyConnection):
    sql = "SELECT range % 7 AS n, 'tenant-' || (range % 13) AS tenant FROM range(300000)"
    got = frame(con, sql)
    pd.testing.assert_frame_equal(got, con.execute(sql).df())
    # One chunk, as df() gives: taking rows of a column in many chunks is slower.
    assert got["tenant"].array._pa_array.num_chunks == 1


def test_parameters_and_an_unread_result_before(con: duckdb.DuckDBPyConnection):
    row = con.execute("SELECT 1").fetchone()  # read, but the result is not finished
    assert row == (1,)
    got = frame(con, "SELECT range AS x FROM range(10) WHERE range >= $least", {"least": 8})
    assert got["x"].tolist() == [8, 9]
