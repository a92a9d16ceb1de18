# Two commands on a fresh clone: `make run` and `make test`. Each bootstraps .venv on its own.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench migrate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/coach db upgrade
	$(BIN)/coach serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/coach rubrics check
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check coach tests bench migrations
	$(BIN)/ruff format --check coach tests bench migrations
	$(BIN)/mypy coach

bench: $(STAMP)
	$(BIN)/python -m bench

migrate: $(STAMP)
	$(BIN)/coach db upgrade

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
