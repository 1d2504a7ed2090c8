"""Real-shaped log samples of every format and field convention incident-nb reads, with truth.

Each sample is written by hand from the format's own documentation (its layout, field names,
level names and numbers, time formats), not copied from any project; its expectations are
counted by hand from the text: records (a continuation line is no record), malformed ones,
errors (a 5xx status, else a level of error or worse), the endpoints, the window (UTC).
"""

from __future__ import annotations

from tests.real_shaped_logs.application import APPLICATION_TEXT
from tests.real_shaped_logs.common import Sample
from tests.real_shaped_logs.envelopes import ENVELOPES
from tests.real_shaped_logs.json_a import JSON_CONVENTIONS_A
from tests.real_shaped_logs.json_b import JSON_CONVENTIONS_B
from tests.real_shaped_logs.web import ACCESS, HAPROXY, SYSLOG, WEB_SERVER_ERRORS

SAMPLES: list[Sample] = [
    *ACCESS,
    *HAPROXY,
    *SYSLOG,
    *WEB_SERVER_ERRORS,
    *APPLICATION_TEXT,
    *JSON_CONVENTIONS_A,
    *JSON_CONVENTIONS_B,
    *ENVELOPES,
]
"""Every sample, each format and convention at least twice."""

__all__ = ["SAMPLES", "Sample"]
