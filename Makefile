# Two entry points from a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.base: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[dev]'
	touch $(VENV)/.base $@

demo: $(VENV)/.base
	rm -rf demo-output
	$(BIN)/incident-nb demo --root demo-output --docs-root .

lint: $(VENV)/.dev
	$(BIN)/ruff check incident_nb tests bench
	$(BIN)/ruff format --check incident_nb tests bench

typecheck: $(VENV)/.dev
	$(BIN)/mypy

unit: $(VENV)/.dev
	$(BIN)/pytest tests/unit -q

test: lint typecheck
	$(BIN)/pytest -q

bench: $(VENV)/.dev
	for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) demo-output test-artifacts .pytest_cache .mypy_cache .ruff_cache
