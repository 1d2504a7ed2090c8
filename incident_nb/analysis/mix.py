"""A group's latency as if the mix of its endpoints had stayed what it was before the onset.

Owns :func:`steady_mix`. A group of several endpoints (a tenant calling a fast and a slow one,
the whole service) has a minute mean of log latency that moves with the share of each endpoint
as much as with a slowdown: ten minutes with fewer calls to the fast endpoint read as slower,
and a fast endpoint that slows first hides in a minute of slow calls. Each request is measured
from its endpoint's own level before the onset instead, and the group's level before it added
back, so that the series keeps its unit and level. Pure numpy.
"""

from __future__ import annotations

import numpy as np

from incident_nb.analysis.scan import Series

MIX_PRIOR = 1.0
"""Requests' worth of the group's level an endpoint's own level starts from: one seen a few
times before the onset is moved only part of the way to its own mean."""


def steady_mix(parts: Series, start: int) -> Series:
    """The group's latency series with each endpoint measured from its level before ``start``.

    Args:
        parts: per endpoint (rows) and minute, the latency sums (``n``: requests with a
            latency, ``x``: sum of ``ln(1 + ms)``, ``x2``: of its square).
        start: the first minute of the incident; the minutes before it give each endpoint's
            level. An endpoint without a request then keeps the group's level.

    Returns:
        One series over the minutes (the sums of all endpoints, each shifted).
    """
    n_before = parts.n[:, :start].sum(axis=1)
    x_before = parts.x[:, :start].sum(axis=1)
    total = float(n_before.sum())
    if total <= 0 or len(parts.n) < 2:
        return Series(parts.n.sum(axis=0), parts.x.sum(axis=0), parts.x2.sum(axis=0))
    group = float(x_before.sum()) / total
    own = np.divide(x_before, n_before, out=np.full_like(x_before, group), where=n_before > 0)
    offset = ((own - group) * n_before / (n_before + MIX_PRIOR))[:, None]
    x = parts.x - parts.n * offset
    x2 = parts.x2 - 2 * offset * parts.x + parts.n * offset * offset
    return Series(parts.n.sum(axis=0), x.sum(axis=0), x2.sum(axis=0))
