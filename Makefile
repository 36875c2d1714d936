# relgraph: `make serve` and `make test` do all set-up from a fresh clone.
# Every step is guarded by a stamp or a file date, so a second run with nothing
# changed does (almost) nothing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .stamps
SOURCES := $(shell find ontology data shapes -name '*.ttl' 2>/dev/null) $(shell find queries -name '*.rq' 2>/dev/null) $(shell find mappings -name '*.tsv' 2>/dev/null)
PYSRC := $(shell find src -name '*.py' 2>/dev/null)
VENDOR := src/relgraph/web/static/vendor

.PHONY: all install build test lint types pytest serve fmt clean npm chromium owlapi virtuoso \
	lock docs owl-profile bench bench-smoke bench-install

all: test

$(STAMPS):
	mkdir -p $(STAMPS)

# Python environment: reinstalled when pyproject.toml or the pinned versions
# (constraints.txt, regenerate with `make lock`) change.
$(STAMPS)/install: pyproject.toml constraints.txt | $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(STAMPS)/install

# Web assets: YASGUI and Cytoscape.js (with fCoSE and cytoscape-svg) from npm (pinned by package-lock.json), copied into the
# package's static folder (git-ignored) and served by us: no CDN at run time.
$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)
	npm ci --no-audit --no-fund --ignore-scripts
	mkdir -p $(VENDOR)
	cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css $(VENDOR)/
	cp node_modules/cytoscape/dist/cytoscape.min.js node_modules/layout-base/layout-base.js \
	   node_modules/cose-base/cose-base.js node_modules/cytoscape-fcose/cytoscape-fcose.js \
	   node_modules/cytoscape-svg/cytoscape-svg.js $(VENDOR)/
	cp node_modules/cytoscape-svg/LICENSE $(VENDOR)/cytoscape-svg.LICENSE
	touch $@

npm: $(STAMPS)/npm

# Headless Chromium for the browser tests: Debian's package (Playwright drives it).
$(STAMPS)/chromium: | $(STAMPS)
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)
	touch $@

chromium: $(STAMPS)/chromium

# The OWL API (the library of Protégé) and a Java compiler, for the OWL 2 DL profile
# check of the OWL export (tests/issues/test_008_owl_export.py, make owl-profile).
$(STAMPS)/owlapi: | $(STAMPS)
	test -f /usr/share/java/owlapi-distribution.jar || (apt-get update && apt-get install -y libowlapi-java)
	command -v javac >/dev/null || (apt-get update && apt-get install -y default-jdk-headless)
	touch $@

owlapi: $(STAMPS)/owlapi

# Virtuoso Open Source 7 (Debian's package), for the external-store tests and the
# benchmark; they start it themselves on loopback with a temporary database. The
# package's own service is not started (policy-rc.d / RUNLEVEL=1).
$(STAMPS)/virtuoso: | $(STAMPS)
	command -v virtuoso-t >/dev/null || (apt-get update && RUNLEVEL=1 \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends virtuoso-opensource)
	touch $@

virtuoso: $(STAMPS)/virtuoso

# The benchmark's own packages (matplotlib, rdflib-endpoint): the `bench` extra.
$(STAMPS)/bench-install: $(STAMPS)/install | $(STAMPS)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,bench]'
	touch $@

bench-install: $(STAMPS)/bench-install

# The built graph: rebuilt when a source or the package changes.
build/relgraph.nq: $(STAMPS)/install $(SOURCES) $(PYSRC)
	$(BIN)/relgraph build

build: build/relgraph.nq $(STAMPS)/npm

lint: $(STAMPS)/install
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/lint-imports

types: $(STAMPS)/install
	$(BIN)/mypy --strict src/relgraph

pytest: build $(STAMPS)/chromium $(STAMPS)/owlapi $(STAMPS)/virtuoso
	$(BIN)/pytest -q -n 2

# About a minute: one small size, few runs, every engine (build/bench-smoke/benchmarks.md).
bench-smoke: build $(STAMPS)/bench-install $(STAMPS)/virtuoso
	$(BIN)/python benchmarks/run.py --smoke

# The full benchmark, run by hand (about an hour): writes docs/benchmarks.{md,json,png}.
bench: build $(STAMPS)/bench-install $(STAMPS)/virtuoso
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

test: lint types pytest bench-smoke

serve: build
	$(BIN)/relgraph serve

# OWL 2 DL profile check of the OWL exports with the OWL API.
owl-profile: build $(STAMPS)/owlapi
	$(BIN)/python scripts/owl_profile.py

fmt: $(STAMPS)/install
	$(BIN)/relgraph fmt
	$(BIN)/ruff format src tests scripts benchmarks
	$(BIN)/ruff check --fix src tests scripts benchmarks

clean:
	rm -rf build $(STAMPS) $(VENV) node_modules

# Pin the versions of every Python dependency to what the current venv has.
lock: $(STAMPS)/install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^relgraph' > constraints.txt

# Regenerate the documents made from the graph and the code (tests fail when stale).
docs: build
	$(BIN)/relgraph stats --format markdown > docs/coverage.md
	$(BIN)/relgraph queries --markdown > queries/README.md
	$(BIN)/relgraph settings --markdown > docs/settings.md
