# The verbs CI and people use. The first use creates .venv with the package and its test extras;
# run and test first install the system packages they need (scripts/system-deps).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DATA ?= .data

.PHONY: run test bench lint fmt dump psql clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	@bash scripts/system-deps run
	$(VENV)/bin/slotbase dev

test: $(STAMP)
	@bash scripts/system-deps test
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

dump: $(STAMP)
	$(VENV)/bin/slotbase dump > sql/schema.sql

psql:
	psql "postgresql://postgres@/slotbase?host=$(abspath $(or $(DATA_DIR),$(DATA)))/run&port=5432"

clean:
	rm -rf $(VENV) build *.egg-info
