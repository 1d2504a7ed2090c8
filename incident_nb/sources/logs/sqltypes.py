"""DuckDB column types, grouped as the readings of source fields tell them apart.

A field's value is read by its type: a number as a number (a level on its scale, a flag's 0 or
1, a gRPC status's code, a duration), text as text. Spark's types are named by their DuckDB
equivalents for the same readings.
"""

from __future__ import annotations

INTEGER_TYPES = frozenset(
    {"BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT"}
    | {"UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT"}
)
"""Whole numbers."""
NUMERIC_TYPES = INTEGER_TYPES | {"DOUBLE", "FLOAT", "DECIMAL"}
"""Numbers of any kind."""


def base_type(sql_type: str) -> str:
    """A DuckDB type's name without its parameters, in upper case (``DECIMAL(18,3)``: DECIMAL)."""
    return sql_type.upper().split("(")[0]
