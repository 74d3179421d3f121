# Every target sets up what a fresh machine lacks, then does its job.
# `make serve` and `make test` are the README's quick start; keep both true.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_UPDATED := .venv/.apt-updated
# Quiet builds: MkDocs 1.x successors and Material print notices we have read.
export DISABLE_MKDOCS_2_WARNING := true
export NO_MKDOCS_2_WARNING := 1


.PHONY: setup system-deps browser-deps serve serve-fast site site-strict check report test lint types contracts unit bench clean

setup: $(STAMP) system-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e '.[site,dev]'
	touch $@

# Graphviz renders the flow diagrams; installed from Debian when `dot` is missing.
system-deps:
	@command -v dot >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q graphviz; }

# Debian's Chromium and its driver, for the browser tests (no browser download).
browser-deps:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium chromium-driver; }

serve: setup
	@echo "layerflow: serving the site built from registry/ at http://$(HOST):$(PORT)/ (edits to registry/ reload it)"
	$(BIN)/properdocs serve -f mkdocs.yml --dev-addr $(HOST):$(PORT)

# For large registries: re-render only the pages an edit changed.
serve-fast: setup
	$(BIN)/properdocs serve -f mkdocs.yml --dev-addr $(HOST):$(PORT) --dirty

# A plain build succeeds; `make site-strict` is the CI gate and fails while gaps are open.
site: setup
	$(BIN)/properdocs build -f mkdocs.yml

site-strict: setup
	$(BIN)/properdocs build -f mkdocs.yml --strict

check: setup
	$(BIN)/layerflow check

report: setup
	$(BIN)/layerflow report

lint: setup
	$(BIN)/ruff check gen tests bench
	$(BIN)/ruff format --check gen tests bench

types: setup
	$(BIN)/mypy

contracts: setup
	$(BIN)/lint-imports

unit: setup browser-deps
	$(BIN)/pytest -q

test: lint types contracts unit

bench: setup
	$(BIN)/python bench/run.py --json bench/out/latest.json

clean:
	rm -rf $(VENV) site .layerflow-cache .pytest_cache .mypy_cache .ruff_cache
