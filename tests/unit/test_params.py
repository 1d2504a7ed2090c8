import pytest

from incident_nb.core.errors import ParameterError
from incident_nb.core.templates import investigation_template
from incident_nb.notebook.params import (
    PARAMETER_NAMES,
    NotebookParams,
    check_names,
    parameters_from,
    validate_parameters,
)
from incident_nb.notebook.runner import template_parameter_names


def test_template_declares_exactly_the_known_parameters():
    assert template_parameter_names(investigation_template()) == PARAMETER_NAMES


def test_traces_round_trip():
    params = NotebookParams(traces=["/t.otlp.json", "/t.jaeger.json"])
    assert validate_parameters(params.as_papermill()) == params


def test_valid_values_round_trip():
    params = NotebookParams(title='He said "it\'s down"\n', logs=["/a.jsonl"], lookback_hours=6)
    again = validate_parameters(params.as_papermill())
    assert again == NotebookParams(
        title='He said "it\'s down"\n', logs=["/a.jsonl"], lookback_hours=6.0
    )


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"tittle": "x"}, "unknown notebook parameter.*'tittle'"),
        ({"logs": "one.jsonl"}, "logs must be list"),
        ({"logs": [1]}, "list of paths"),
        ({"lookback_hours": True}, "lookback_hours must be int or float"),
        ({"traces": "t.json"}, "traces must be list"),
        ({"traces": [1]}, "traces must be a list of paths"),
        ({"lookback_hours": -1}, "must be positive"),
        ({"alert_started_at": "soon"}, "alert_started_at: not an ISO-8601"),
    ],
)
def test_invalid_values_are_clear_errors(values, message):
    with pytest.raises(ParameterError, match=message):
        validate_parameters(values)


def test_code_in_parameter_names_is_refused_before_injection():
    evil = 'x = 1; __import__("os").system("touch pwned"); y'
    with pytest.raises(ParameterError, match="unknown notebook parameter"):
        check_names({evil}, PARAMETER_NAMES)
    with pytest.raises(ParameterError):
        check_names({"class"}, PARAMETER_NAMES | {"class"})


def test_parameters_are_read_by_name_however_often_the_cells_run():
    injected = NotebookParams(title="Checkout down", logs=["../../data/app.jsonl"], engine="duckdb")
    namespace = {**NotebookParams().as_papermill(), **injected.as_papermill()}
    # What an earlier run leaves behind (other names, the previous parameters) changes nothing.
    namespace |= {"inv": object(), "params": injected, "_": 1, "figure": None}
    assert parameters_from(namespace) == injected
    assert parameters_from(namespace) == parameters_from(dict(namespace))


def test_parameters_from_validates_the_values():
    with pytest.raises(ParameterError, match="logs must be list"):
        parameters_from({"logs": "app.jsonl"})
