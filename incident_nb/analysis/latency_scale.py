"""How a slowdown's minutes weigh in its onset's fit, and which scale that fit is read in.

Owns the latency part of :func:`~incident_nb.analysis.placement.fit_onset`: a minute's
latency is fitted in milliseconds, where a slowdown growing in proportion (1x to 5x) is
straight, and in their log, where one growing by a factor each minute (a queue that saturates)
is. :func:`precision` weighs the minutes in milliseconds; :func:`log_residual` judges a model
fitted in milliseconds by its residual in the log, the log fit's own measure, so that the two
fits are compared alike. Pure numpy/scipy.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.special import fdtri

from incident_nb.analysis.scan import FloatArray

SCALE_F = float(fdtri(1, 30, 1 - 1e-3))
"""Latency's onset is read in the log of milliseconds when its fit is better by this F."""
LEVEL_NEIGHBOURS = 2
"""Seen minutes either side of a minute whose median is its level's floor (see FAST_SHARE)."""
FAST_SHARE = 0.5
"""A latency minute's precision is read from its own level, but not below this share of the
median of it and :data:`LEVEL_NEIGHBOURS` seen minutes either side."""
REFIT_STEPS = 4
"""Gauss-Newton steps of a model in milliseconds fitted again to the log of the minutes."""


def precision(ms: FloatArray, n: FloatArray) -> FloatArray:
    """Each minute's weight in a fit in milliseconds: its requests over its level squared.

    A minute's mean in milliseconds spreads in proportion to its level. The level is the
    minute's own mean, but not below :data:`FAST_SHARE` of the median of it and its neighbours:
    one fast minute of two requests would otherwise weigh as much as a hundred others and draw
    the onset to it. Unseen minutes (no requests) weigh nothing.
    """
    seen = n > 0
    level = np.maximum(ms, FAST_SHARE * _running_median(ms, seen))
    return np.where(seen, n / level**2, 0.0)


def log_residual(model: tuple[int, bool], y: FloatArray, n: FloatArray) -> float:
    """The squared residual in the log of a model in milliseconds, fitted there again.

    ``model`` is the minute ``k`` of a fit in milliseconds and whether it is a jump (a level
    before ``k``, a line from it) or a bend (a level, then a line from ``k``); ``y`` is each
    minute's mean log latency, ``n`` its requests. Weighted by each minute's own level, a fit
    in milliseconds counts a slow minute's miss as a share of that minute, so its residual is
    not the log's: a queue that saturates (slow minutes far above a line) would read straight.
    The same model is fitted to the log of the minutes by Gauss-Newton steps, starting from a
    least-squares fit in milliseconds, and its residual there is measured as the log fit's is:
    minutes weighted by requests.
    """
    k, jump = model
    seen = n > 0
    t = np.flatnonzero(seen).astype(np.float64)
    after = (t >= k).astype(np.float64)
    columns = [1 - after, after, after * (t - k)] if jump else [np.ones(len(t)), after * (t - k)]
    design = np.stack(columns, axis=1)
    logs, requests = y[seen], n[seen]
    ms = np.exp(logs)
    curve, target = ms, ms  # first, the minutes in milliseconds, each weighed by its own level
    for _ in range(REFIT_STEPS):
        root = np.sqrt(requests) / np.maximum(curve, 1e-9)
        theta = np.linalg.lstsq(design * root[:, None], target * root, rcond=None)[0]
        curve = np.maximum(design @ theta, 1e-9)
        target = curve * (1 + logs - np.log(curve))
    return float((requests * (logs - np.log(curve)) ** 2).sum())


def _running_median(values: FloatArray, seen: npt.NDArray[np.bool_]) -> FloatArray:
    """The median of each seen minute's value and :data:`LEVEL_NEIGHBOURS` seen ones either side.

    Unseen minutes are 1 (they weigh nothing anyway).
    """
    out = np.ones(len(values))
    kept = values[seen]
    if kept.size:
        # Edges repeated, as a median filter's "nearest" mode does (no scipy.ndimage import).
        padded = np.pad(kept, LEVEL_NEIGHBOURS, mode="edge")
        windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * LEVEL_NEIGHBOURS + 1)
        out[seen] = np.median(windows, axis=1)
    return out
