"""Grouping accuracy, the log-parsing benchmark's score of a grouping against the truth.

A line counts as correct when the set of lines in its predicted group is exactly the set of lines
in its true group; the score is the share of correct lines (Zhu et al., "Tools and Benchmarks for
Automated Log Parsing", ICSE-SEIP 2019).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import pandas as pd


def grouping_accuracy(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """Share of lines whose predicted group holds exactly the lines of their true group.

    Args:
        predicted: the predicted group label of each line.
        truth: the true group label of each line, in the same order.

    Raises:
        ValueError: the two sequences differ in length.
    """
    if len(predicted) != len(truth):
        raise ValueError(
            f"{len(predicted)} predicted labels for {len(truth)} true ones; "
            "give one label of each per line"
        )
    if not truth:
        return 1.0
    frame = pd.DataFrame({"predicted": list(predicted), "truth": list(truth)})
    # A predicted group is right when it maps to one true group and that group to it alone.
    truths_per_predicted = frame.groupby("predicted", sort=False)["truth"].nunique()
    predicted_per_truth = frame.groupby("truth", sort=False)["predicted"].nunique()
    pure = frame["predicted"].map(truths_per_predicted).eq(1)
    whole = frame["truth"].map(predicted_per_truth).eq(1)
    return float((pure & whole).mean())
