"""Endpoints as routes: the id-like segments of a request's path replaced by ``{id}``.

Access logs and many application logs write the path a client asked for, ids included:
``DELETE /v2/54fadb41.../servers/fecdd5a9-...`` is one endpoint, not one per server. Left
as they are, such paths split an endpoint's requests into groups of one, so neither its
failures nor its tenants can be told apart. Owns :data:`ID_SEGMENTS` (what an id looks like,
as data), :func:`routes` (the parse's, on Arrow strings), :func:`route_sql` (the same in SQL,
for Spark's parse) and :func:`route` (their Python twin, for values read in Python and for
tests).

A segment is an id only as a whole, after a slash: ``v1``, ``e16``, ``oauth2``,
``v1beta1`` and file names (``logo-2x.png``) stay as they are, and a route a framework
already logged (``/users/{id}``, ``/users/:id``) is unchanged.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

PLACEHOLDER = "{id}"
"""What an id-like segment becomes."""


class IdSegment(NamedTuple):
    """One kind of id, as a regular expression over a whole path segment."""

    name: str
    pattern: str
    example: str


ID_SEGMENTS = (
    IdSegment("number", r"[0-9]+", "/orders/84123"),
    IdSegment(
        "uuid",
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        "/servers/fecdd5a9-3ca0-4c82-9336-63b7774f738e",
    ),
    IdSegment("hex", r"[0-9a-fA-F]{16,}", "/v2/54fadb412c4e40cdbaed9335e4c35a9e/servers"),
    IdSegment("number in a name", r"[A-Za-z_-]*[0-9]{4,}[A-Za-z0-9_-]*", "/invoices/INV-2024-0001"),
    IdSegment(
        "token", r"[A-Za-z_-]*(?:[0-9]+[A-Za-z_-]+){2,}[0-9]+[A-Za-z0-9_-]*", "/cus_9s6XKzkNRiz8i3"
    ),
    IdSegment("address", r"[0-9]{1,3}(?:[.][0-9]{1,3}){3}", "/hosts/10.0.12.7"),
    IdSegment("email", r"[^/@]+@[^/@]+", "/users/ana@example.com"),
)
"""The segments taken for ids, in no particular order (a segment is one when any matches it
whole). Written with character classes only, no backslashes, so that one text serves RE2
(DuckDB), Java (Spark) and Python alike."""

_ANY = "|".join(f"(?:{kind.pattern})" for kind in ID_SEGMENTS)
_SEGMENT = re.compile(_ANY)
_BETWEEN_SLASHES = f"/(?:{_ANY})/"


def route(path: str) -> str:
    """``path`` with each id-like segment (after a slash) replaced by :data:`PLACEHOLDER`."""
    first, *rest = path.split("/")
    ids = (PLACEHOLDER if part and _SEGMENT.fullmatch(part) else part for part in rest)
    return "/".join((first, *ids))


def route_sql(path: str) -> str:
    """SQL: the route of the text ``path`` (an expression), as :func:`route` gives it.

    A slash is appended so that a last segment is between slashes too. One replacement
    consumes the slash after an id, so the id right after it is left for a second one; the
    first leaves no two ids next to each other, so two suffice. Paths with no id-like segment,
    most of them in most logs, are only tested.
    """
    slashed = f"({path} || '/')"
    once = f"regexp_replace({slashed}, '{_BETWEEN_SLASHES}', '/{PLACEHOLDER}/', 'g')"
    twice = f"regexp_replace({once}, '{_BETWEEN_SLASHES}', '/{PLACEHOLDER}/', 'g')"
    return (
        f"CASE WHEN regexp_matches({slashed}, '{_BETWEEN_SLASHES}') "
        f"THEN regexp_replace({twice}, '/$', '') ELSE {path} END"
    )


def routes(paths: pa.Array) -> pa.Array:
    """The routes of the Arrow strings ``paths``, as :func:`route_sql` gives them.

    The parse routes each distinct path once (:mod:`.names`); paths with no id-like segment
    are only tested.
    """
    slashed = pc.binary_join_element_wise(paths, "", "/")
    has_id = pc.match_substring_regex(slashed, _BETWEEN_SLASHES)
    if not pc.any(has_id).as_py():
        return paths
    once = pc.replace_substring_regex(slashed, _BETWEEN_SLASHES, f"/{PLACEHOLDER}/")
    twice = pc.replace_substring_regex(once, _BETWEEN_SLASHES, f"/{PLACEHOLDER}/")
    return pc.if_else(has_id, pc.utf8_slice_codeunits(twice, 0, -1), paths)
