"""Values of OpenTelemetry's OTLP/JSON encoding, shared by the log and trace readers.

An attribute value is an ``AnyValue`` object (``{"stringValue": ...}``, ``{"intValue": "10"}``
with int64 as a string, arrays, key-value lists...); these turn it into plain Python values.
"""

from __future__ import annotations

import json
from typing import Any


def any_value(value: Any) -> Any:
    """The Python value of an OTLP ``AnyValue`` (arrays as lists, key-value lists as dicts)."""
    if not isinstance(value, dict):
        return value
    for key in ("stringValue", "boolValue", "doubleValue", "bytesValue"):
        if key in value:
            return value[key]
    if "intValue" in value:
        return int(value["intValue"])  # int64 is a string in OTLP/JSON
    if "arrayValue" in value:
        return [any_value(v) for v in (value["arrayValue"] or {}).get("values", [])]
    if "kvlistValue" in value:
        return attributes((value["kvlistValue"] or {}).get("values", []))
    return None


def attributes(items: Any) -> dict[str, Any]:
    """An OTLP attribute list (``[{"key": ..., "value": AnyValue}]``) as a dict."""
    if not isinstance(items, list):
        return {}
    return {
        str(a["key"]): any_value(a.get("value"))
        for a in items
        if isinstance(a, dict) and "key" in a
    }


def as_text(value: Any) -> str | None:
    """A plain value as text: booleans as ``true``/``false``, lists and dicts as JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)
