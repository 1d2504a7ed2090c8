"""Scores of log parsing against labelled truth: grouping accuracy and parsing accuracy.

Grouping accuracy (GA): a line counts as correct when the set of lines in its predicted group is
exactly the set of lines in its true group; the score is the share of correct lines (Zhu et al.,
"Tools and Benchmarks for Automated Log Parsing", ICSE-SEIP 2019). Parsing accuracy (PA): the
share of lines whose template is exactly the true one, once both are written with the same
wildcard conventions (:func:`normalise_template`).
"""

from __future__ import annotations

import re
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


_WILDCARD_RUN = re.compile(r"<\*>(?:(?:[\s.:,/#@+=_\-]|\s*[,;]\s*)*<\*>)+")
_SPACES = re.compile(r"\s+")


def normalise_template(template: str) -> str:
    """A template with the benchmark's wildcard conventions evened out.

    Runs of wildcards joined by spaces or punctuation (``<*>:<*>``, ``<*> <*>``, ``<*>, <*>``)
    are one wildcard, and runs of white space one space: parsers differ in how many tokens a
    value spans, not in what the template says.
    """
    out = _SPACES.sub(" ", template).strip()
    return _WILDCARD_RUN.sub("<*>", out)


def parsing_accuracy(predicted: Sequence[str], truth: Sequence[str]) -> float:
    """Share of lines whose predicted template is the true one (see :func:`normalise_template`).

    Raises:
        ValueError: the two sequences differ in length.
    """
    if len(predicted) != len(truth):
        raise ValueError(
            f"{len(predicted)} predicted templates for {len(truth)} true ones; "
            "give one template of each per line"
        )
    if not truth:
        return 1.0
    cache: dict[str, str] = {}

    def norm(template: str) -> str:
        if template not in cache:
            cache[template] = normalise_template(template)
        return cache[template]

    return sum(norm(p) == norm(t) for p, t in zip(predicted, truth, strict=True)) / len(truth)
