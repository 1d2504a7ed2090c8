"""The names that group requests (endpoint, tenant, service), read once per distinct value.

A log repeats its names on every line. The parse writes each batch's name columns from a
dictionary of their distinct values, and the rules that turn a name as written into the one
requests are grouped by run on that dictionary, not on every line: a path becomes its route
(:mod:`.routes`), an access log's ``-`` no value (:data:`PLACEHOLDERS`). The events file is
written from the same dictionary, without hashing every value again. Owns those rules, as a
table (:data:`VALUE_RULES`), and :func:`coded`, which applies them to a batch. Spark's parse
applies the same rules in its SQL.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from incident_nb.sources.logs.routes import routes

PLACEHOLDERS = ("", "-")
"""What a log writes for a value it has not got (an access log's ``-``): no value at all."""
NAMES = ("tenant", "service")
"""The columns that group requests, where a :data:`PLACEHOLDERS` value is no group (an access
log's ``-`` is not one more tenant). Ids and methods are kept as written: only shown."""
CODED = pa.dictionary(pa.int32(), pa.string())
"""The Arrow type of a name column, as the events file holds it."""


def without_placeholders(values: pa.Array) -> pa.Array:
    """``values`` with each of :data:`PLACEHOLDERS` as no value."""
    placeholder = pc.is_in(values, value_set=pa.array(PLACEHOLDERS, pa.string()))
    return pc.if_else(placeholder, pa.scalar(None, pa.string()), values)


VALUE_RULES: dict[str, Callable[[pa.Array], pa.Array]] = {
    "endpoint": routes,
    **dict.fromkeys(NAMES, without_placeholders),
}
"""Name column -> the rule that turns its distinct values, as written, into those grouped by."""


def by_value(column: pa.Array, rule: Callable[[pa.Array], pa.Array]) -> pa.DictionaryArray:
    """``column`` (strings) dictionary-encoded, ``rule`` applied to each distinct value once.

    Values the rule makes alike (the paths of one route) become one value of the dictionary.
    """
    coded = pc.dictionary_encode(column.cast(pa.string()))
    written = coded.dictionary
    values = rule(written)
    if values is written or values.equals(written):
        return coded
    again = pc.dictionary_encode(values)
    return pa.DictionaryArray.from_arrays(pc.take(again.indices, coded.indices), again.dictionary)


def coded(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with its name columns (:data:`VALUE_RULES`) coded by value, rules applied."""
    names = batch.schema.names
    columns = [
        by_value(batch.column(n), VALUE_RULES[n]) if n in VALUE_RULES else batch.column(n)
        for n in names
    ]
    return pa.RecordBatch.from_arrays(columns, names=names)
