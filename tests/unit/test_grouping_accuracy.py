from __future__ import annotations

import pytest

from incident_nb.analysis.grouping_accuracy import grouping_accuracy


def test_perfect_grouping_scores_one_whatever_the_labels() -> None:
    assert grouping_accuracy(["x", "x", "y"], [1, 1, 2]) == 1.0


def test_a_merged_group_makes_all_its_lines_wrong() -> None:
    # Truth: {0,1} {2} {3}; predicted {0,1,2} {3}: only line 3 is right.
    assert grouping_accuracy(["a", "a", "a", "b"], [1, 1, 2, 3]) == 0.25


def test_a_split_group_makes_all_its_lines_wrong() -> None:
    # Truth: {0,1,2} {3}; predicted {0,1} {2} {3}: only line 3 is right.
    assert grouping_accuracy(["a", "a", "b", "c"], [1, 1, 1, 2]) == 0.25


def test_everything_in_one_group() -> None:
    assert grouping_accuracy(["a"] * 4, [1, 2, 2, 2]) == 0.0
    assert grouping_accuracy(["a"] * 4, [1, 1, 1, 1]) == 1.0


def test_empty_and_mismatched_input() -> None:
    assert grouping_accuracy([], []) == 1.0
    with pytest.raises(ValueError, match="one label of each per line"):
        grouping_accuracy(["a"], [1, 2])


def test_parsing_accuracy_compares_templates_after_evening_out_wildcards() -> None:
    from incident_nb.analysis.grouping_accuracy import normalise_template, parsing_accuracy

    assert normalise_template("from <*>:<*>  port <*> <*>") == "from <*> port <*>"
    assert normalise_template("users <*>, <*>, <*> left") == "users <*> left"
    predicted = ["user <*> from <*>", "user <*> from <*>", "disk <*> full", "GET <*>"]
    truth = ["user <*> from <*>:<*>", "user <*> from <*>", "disk full", "POST <*>"]
    assert parsing_accuracy(predicted, truth) == 0.5
    assert parsing_accuracy([], []) == 1.0
    with pytest.raises(ValueError, match="one template of each per line"):
        parsing_accuracy(["a"], [])
