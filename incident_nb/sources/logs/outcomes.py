"""What a record says of its request's outcome, where it has no HTTP status: as data.

Services that are not HTTP servers, and structured logs of any kind, mark a failed request
with a field of its own: ECS's ``event.outcome`` (``failure``/``success``), a flag (``error:
true``, ``success: false``), or a gRPC status (``grpc.code: Unavailable``, OpenTelemetry's
``rpc.grpc.status_code: 14``). :data:`OUTCOME_FIELDS` names them and says how each reads
(:data:`READINGS`); :func:`outcome_sql` reads one into ``true`` (failed), ``false`` (did not
fail) or NULL (the value says neither: an ``error`` field holding a message, ECS's
``unknown``). An HTTP status decides first, then the outcome, then the level
(:data:`~incident_nb.sources.logsql.IS_ERROR`). As with HTTP statuses, where a 4xx is the
client's error, a gRPC status of the caller's making (``InvalidArgument``, ``NotFound``) is no
failure of the service.
"""

from __future__ import annotations

from incident_nb.sources.logs.levels import ERROR_SEVERITY, LEVEL_NAMES
from incident_nb.sources.logs.sqltypes import INTEGER_TYPES, base_type

OUTCOME = frozenset({"failure", "failed", "fail", "error", "errored"})
SUCCESS = frozenset({"success", "succeeded", "successful", "ok", "pass", "passed"})
# A status field of words (``"status": "error"``, ``"ok"``) says the outcome, or the level as
# some logs name it there (``info``, ``warn``, ``critical``): levels by their names of two
# letters or more (``e`` or ``t`` alone say too little).
_LEVEL_WORDS = {name: level for name, level in LEVEL_NAMES.items() if len(name) > 1}
STATUS_FAILED = OUTCOME | {name for name, lv in _LEVEL_WORDS.items() if lv >= ERROR_SEVERITY}
STATUS_PASSED = SUCCESS | {name for name, lv in _LEVEL_WORDS.items() if lv < ERROR_SEVERITY}
TRUE = frozenset({"true", "1", "yes", "t", "y"})
FALSE = frozenset({"false", "0", "no", "f", "n"})
# gRPC status codes, by name (any case, with or without underscores) and by number: those
# the service answers for (as HTTP's 5xx), and the rest (OK, and the caller's errors).
GRPC_FAILED = frozenset(
    {"unknown", "deadlineexceeded", "unimplemented", "internal", "unavailable", "dataloss"}
    | {"2", "4", "12", "13", "14", "15"}
)
GRPC_PASSED = frozenset(
    {"ok", "cancelled", "canceled", "invalidargument", "notfound", "alreadyexists"}
    | {"permissiondenied", "resourceexhausted", "failedprecondition", "aborted"}
    | {"outofrange", "unauthenticated"}
    | {"0", "1", "3", "5", "6", "7", "8", "9", "10", "11", "16"}
)

READINGS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "word": (OUTCOME, SUCCESS),
    "status word": (STATUS_FAILED, STATUS_PASSED),
    "failed flag": (TRUE | OUTCOME, FALSE | SUCCESS),
    "success flag": (FALSE | OUTCOME, TRUE | SUCCESS),
    "grpc": (GRPC_FAILED, GRPC_PASSED),
}
"""How a kind of outcome field reads: (the values that say the request failed, those that say
it did not), compared in lower case without spaces or ``_``."""
OUTCOME_FIELDS: dict[str, str] = {
    "event.outcome": "word",
    "outcome": "word",
    "success": "success flag",
    "succeeded": "success flag",
    "successful": "success flag",
    "is_success": "success flag",
    "isSuccess": "success flag",
    "failed": "failed flag",
    "failure": "failed flag",
    "is_error": "failed flag",
    "isError": "failed flag",
    "has_error": "failed flag",
    "hasError": "failed flag",
    "errored": "failed flag",
    "grpc.code": "grpc",
    "grpc_code": "grpc",
    "grpc.status": "grpc",
    "grpc_status": "grpc",
    "grpc.status_code": "grpc",
    "grpcStatus": "grpc",
    "grpcCode": "grpc",
    "rpc.grpc.status_code": "grpc",
    "error": "failed flag",
    "ok": "success flag",
    "result": "word",
    "status": "status word",
}
"""Field names that carry an outcome (best first; case does not matter) -> how they read. The
generic ``error``, ``ok``, ``result`` and ``status`` come last: they often hold other things
(an error's message; a ``status`` most often holds an HTTP status, read as one), which read as
no outcome at all."""
MAPPED = "failed flag"
"""How a field named with ``--map outcome=FIELD`` reads when its name is none of the above:
true or a word of failure is a failed request."""


_KINDS = {name.lower(): kind for name, kind in OUTCOME_FIELDS.items()}


def kind_of(column: str) -> str:
    """How the outcome field ``column`` reads (by its name, under any container)."""
    name = column.lower()
    found = _KINDS.get(name) or next(
        (kind for known, kind in _KINDS.items() if name.endswith("." + known)), None
    )
    return found or MAPPED


def outcome_sql(column: str, kind: str, sql_type: str = "VARCHAR") -> str:
    """SQL: whether the request of a record failed by ``column``'s value (NULL: it says not).

    ``sql_type`` is the column's DuckDB type: booleans and integers are read as they are, by
    the same table (``true``, ``1``), without turning every value into text.
    """
    failed, passed = READINGS[kind]
    base = base_type(sql_type)
    if base == "BOOLEAN":
        yes, no = _verdict("true", failed, passed), _verdict("false", failed, passed)
        return f"CASE WHEN {column} THEN {yes} WHEN NOT {column} THEN {no} END"
    if base in INTEGER_TYPES:
        codes = [sorted(int(v) for v in values if v.isdigit()) for values in (failed, passed)]
        if not any(codes):
            return "NULL::BOOLEAN"
        listed = [", ".join(map(str, c)) or "NULL" for c in codes]
        return (
            f"CASE WHEN {column} IN ({listed[0]}) THEN true "
            f"WHEN {column} IN ({listed[1]}) THEN false END"
        )
    value = f"lower(trim(CAST({column} AS VARCHAR)))"
    for mark in ("_", " "):  # DeadlineExceeded, DEADLINE_EXCEEDED, Deadline Exceeded
        value = f"replace({value}, '{mark}', '')"
    reading = (
        f"CASE WHEN {value} IN ({_listed(failed)}) THEN true "
        f"WHEN {value} IN ({_listed(passed)}) THEN false END"
    )
    if any(v[:1].isdigit() for v in failed | passed):
        return reading
    # Words only: a value that starts with a digit (an HTTP status in a status field read as
    # words too) reads as nothing, without the text work on each of them.
    return (
        f"CASE WHEN ascii(CAST({column} AS VARCHAR)) BETWEEN 48 AND 57 THEN NULL ELSE {reading} END"
    )


def _verdict(value: str, failed: frozenset[str], passed: frozenset[str]) -> str:
    """SQL: what ``value`` says of a request (true: it failed), by the reading's sets."""
    return "true" if value in failed else "false" if value in passed else "NULL"


def _listed(values: frozenset[str]) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))
