# `make run` starts everything on this machine; `make test` runs the whole test suite.
# Both create .venv and install what they need on first use.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin

.PHONY: run test audit clean

# Not `pip -q`: a first install takes minutes, and pip shows what it fetches meanwhile.
INSTALLING = @echo "== Installing $(1) into $(VENV) with pip (first run, or pyproject.toml changed): a few minutes =="

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "CarePulse needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(call INSTALLING,CarePulse)
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(call INSTALLING,CarePulse and its test tools)
	$(BIN)/python -m pip install -e '.[test]'
	touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps
	$(BIN)/carepulse dev --port $(PORT)

test: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# Known vulnerabilities in the installed dependencies (pip-audit, against PyPI's advisory data).
audit: $(VENV)/.test-deps
	$(BIN)/python .ci/dependency_audit.py

clean:
	rm -rf $(VENV) var
