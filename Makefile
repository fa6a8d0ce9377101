# Two commands for a fresh machine: `make run` and `make test`. Each builds its own virtualenv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test lint check-content clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes; the stamp files keep the two extras apart.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/crosscoach db upgrade
	$(BIN)/crosscoach run

test: $(VENV)/.installed-dev
	$(BIN)/ruff check bot tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy bot
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check-content: $(VENV)/.installed-run
	$(BIN)/crosscoach content check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
