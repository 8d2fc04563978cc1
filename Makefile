# make demo: set up .venv and run the headline experiment
# make test: set up .venv, lint and run the test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the dependencies change; the stamp is shared by every target.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/synpharm run ketamine_slice_ltp --out out/ketamine

test: $(VENV)/.installed
	$(BIN)/ruff check src tests
	$(BIN)/pytest -q
