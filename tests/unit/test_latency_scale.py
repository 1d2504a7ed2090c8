"""A slowdown's minutes weighed by their level: the floor from the median of their neighbours."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.ndimage import median_filter

from incident_nb.analysis.latency_scale import FAST_SHARE, LEVEL_NEIGHBOURS, precision

minutes = st.integers(0, 40)


def test_one_fast_minute_of_few_requests_weighs_as_its_neighbours_level():
    ms = np.array([100.0, 100.0, 5.0, 100.0, 100.0, 100.0])
    n = np.array([50.0, 50.0, 2.0, 50.0, 50.0, 0.0])
    weight = precision(ms, n)
    # The fast minute is held to half the median of its neighbours (100 ms), not its own 5 ms.
    assert weight[2] == 2 / (FAST_SHARE * 100) ** 2
    assert weight[0] == 50 / 100**2
    assert weight[5] == 0.0  # unseen


@given(
    arrays(np.float64, minutes, elements=st.floats(0.1, 1e5)),
    st.data(),
)
def test_the_floor_is_a_median_filter_over_the_seen_minutes(ms, data):
    n = data.draw(arrays(np.float64, len(ms), elements=st.sampled_from([0.0, 1.0, 7.0])))
    seen = n > 0
    floor = np.ones(len(ms))
    if seen.any():
        size = 2 * LEVEL_NEIGHBOURS + 1
        floor[seen] = median_filter(ms[seen], size=size, mode="nearest")
    expected = np.where(seen, n / np.maximum(ms, FAST_SHARE * floor) ** 2, 0.0)
    np.testing.assert_array_equal(precision(ms, n), expected)
