"""The engines that can run the log analysis, named on the command line and in notebooks.

``duckdb`` (embedded, the default) or Spark: ``spark`` (local, two cores), ``spark://HOST:PORT``
(a standalone cluster's master) or ``sc://HOST:PORT`` (Spark Connect). Parsing a name needs
neither engine installed.
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_nb.core.errors import EvidenceError


@dataclass(frozen=True)
class EngineSpec:
    """Which engine runs the queries: embedded DuckDB, or Spark (local, a cluster, Connect)."""

    name: str
    master: str = ""
    remote: str = ""

    @property
    def label(self) -> str:
        """The engine as shown to people: a Connect address without its parameters (tokens)."""
        if self.remote:
            return self.remote.split(";", 1)[0].rstrip("/")
        return self.master or self.name


def parse_engine(text: str) -> EngineSpec:
    """``duckdb``, ``spark`` (local, two cores), ``spark://HOST:PORT`` or ``sc://HOST:PORT``.

    Raises:
        EvidenceError: any other text.
    """
    value = text.strip()
    if value in ("", "duckdb"):
        return EngineSpec("duckdb")
    if value == "spark":
        return EngineSpec("spark", master="local[2]")
    if value.startswith("local[") or value.startswith("spark://"):
        return EngineSpec("spark", master=value)
    if value.startswith("sc://"):
        return EngineSpec("spark", remote=value)
    raise EvidenceError(
        f"unknown engine {text!r}; use duckdb, spark (local), spark://HOST:PORT (a Spark "
        "cluster) or sc://HOST:PORT (Spark Connect)"
    )
