"""Which service is at fault: rank services by comparing an incident window with a baseline.

Pure: the two periods' frames in (:class:`LocalizeInputs`, built from files by
:func:`incident_nb.evidence.localize.load_localize_inputs`), a :class:`Localization` out.
The signals are in :mod:`.latency` (own time, edges), :mod:`.behaviour` (errors, log templates,
message sequences) and :mod:`.resources` (metrics); :mod:`.stats` puts their findings on one
scale and :mod:`.ranking` combines them, weighing changes that callers merely pass on.
"""

from incident_nb.analysis.localize.model import (
    FINDING_COLUMNS,
    SIGNALS,
    Evidence,
    Localization,
    LocalizeInputs,
    Period,
    ServiceRank,
)
from incident_nb.analysis.localize.pipeline import localize

__all__ = [
    "FINDING_COLUMNS",
    "SIGNALS",
    "Evidence",
    "Localization",
    "LocalizeInputs",
    "Period",
    "ServiceRank",
    "localize",
]
