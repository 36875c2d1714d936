# relgraph: `make serve` and `make test` do all set-up from a fresh clone.
# Every step is guarded by a stamp or a file date, so a second run with nothing
# changed does (almost) nothing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
SOURCES := $(shell find ontology data shapes -name '*.ttl' 2>/dev/null)
PYSRC := $(shell find src -name '*.py' 2>/dev/null)

.PHONY: all install build test lint types pytest serve fmt clean

all: test

$(STAMPS):
	mkdir -p $(STAMPS)

# Python environment: recreated when pyproject.toml changes.
$(STAMPS)/install: pyproject.toml | $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMPS)/install

# The built graph: rebuilt when a source or the package changes.
build/relgraph.nq: $(STAMPS)/install $(SOURCES) $(PYSRC)
	$(BIN)/relgraph build

build: build/relgraph.nq

lint: $(STAMPS)/install
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

types: $(STAMPS)/install
	$(BIN)/mypy --strict src/relgraph

pytest: build
	$(BIN)/pytest -q -n 2

test: lint types pytest

serve: build
	$(BIN)/relgraph serve

fmt: $(STAMPS)/install
	$(BIN)/relgraph fmt
	$(BIN)/ruff format src tests scripts
	$(BIN)/ruff check --fix src tests scripts

clean:
	rm -rf build $(STAMPS) $(VENV) node_modules
