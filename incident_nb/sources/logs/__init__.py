"""Service logs in any common format, read by DuckDB into one normalised ``events`` table.

- :mod:`.formats`: the formats (JSON lines, CSV/TSV, logfmt, the text layouts, OTLP, Parquet)
  and how a file's format is recognised, with the reasons when none fits;
- :mod:`.layouts`, :mod:`.envelopes`: text layouts (syslog, access logs, log4j, glog...) and
  container envelopes (Docker, CRI, compose, kubectl), as data;
- :mod:`.lines`, :mod:`.jsonfast`, :mod:`.jsonlines`, :mod:`.textlines`, :mod:`.readers`,
  :mod:`.otlp`: one DuckDB view per format;
- :mod:`.remote`: log files at ``https://``, ``http://`` and ``s3://`` URIs, read in place;
- :mod:`.fields`, :mod:`.levels`, :mod:`.values`: which source field is the timestamp, tenant,
  status, level... (nested ones by dotted path), level conventions, and value conversions;
- :mod:`.loader`, :mod:`.normalise`, :mod:`.fieldreport`: the one pass from those views to
  ``events``, with line accounting, the field each role was read from, and warnings;
- :mod:`.store`: :class:`LogStore`, the queries the analysis runs, and Parquet snapshots;
- :mod:`.engines`, :mod:`.spark_session`, :mod:`.spark`: the same ``events`` and queries on
  Apache Spark (a local driver, a cluster, or a Spark Connect server), with the extra.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incident_nb.sources.logs.accounting import BadLine, LineReport
    from incident_nb.sources.logs.formats import FORMAT_NAMES, FORMATS
    from incident_nb.sources.logs.store import SNAPSHOT_META, LogStore

_HOMES = {
    "BadLine": "accounting",
    "LineReport": "accounting",
    "FORMATS": "formats",
    "FORMAT_NAMES": "formats",
    "SNAPSHOT_META": "store",
    "LogStore": "store",
}


def __getattr__(name: str) -> Any:
    # Imported on first use: the CLI lists the formats without loading DuckDB or pandas.
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "SNAPSHOT_META",
    "BadLine",
    "LineReport",
    "LogStore",
]
