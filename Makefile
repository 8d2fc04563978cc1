# make demo: set up .venv and run the headline experiment (again: replaces its earlier output)
# make test: set up .venv, lint and run the test suite
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test brian2

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the dependencies change; the stamp is shared by every target.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/synpharm run ketamine_slice_ltp --out out/ketamine --overwrite

test: $(VENV)/.installed
	$(BIN)/ruff check src tests
	$(BIN)/lint-imports
	$(BIN)/pytest -q

# make brian2: a separate environment for the Brian2 side of benchmarks/gb_ltp_vs_brian2.py
# (Brian2 2.9 does not import with the NumPy of .venv); then run
# .venv/bin/python benchmarks/gb_ltp_vs_brian2.py --brian2-python .venv-brian2/bin/python
brian2:
	$(PYTHON) -m venv .venv-brian2
	.venv-brian2/bin/python -m pip install brian2 "numpy<2.4"
