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


.PHONY: setup bytecode system-deps browser-deps serve serve-fast site site-strict check report test lint types contracts unit bench dist lock clean screenshots

setup: $(STAMP) system-deps bytecode

# layerflow's bytecode beside its sources, as `pip install` writes it for an installed package: the checkout is an
# editable install, and where PYTHONDONTWRITEBYTECODE is set every `layerflow` process (the tests start hundreds)
# would compile the package from source first. Up to date in 0.1 s; only sources edited since are compiled again.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q gen >/dev/null

# pyproject.toml says which releases layerflow accepts; constraints.txt pins the ones this repository develops,
# builds (--build-constraint: the setuptools of the editable build) and tests with, so every machine and CI agree.
# __init__.py holds the version, which the installed metadata copies.
$(STAMP): pyproject.toml constraints.txt gen/layerflow/__init__.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c constraints.txt --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt --build-constraint constraints.txt -e '.[site,dev]'
	touch $@

# Graphviz renders the flow diagrams; installed from Debian when `dot` is missing.
system-deps:
	@command -v dot >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q graphviz; }

# Debian's Chromium and its driver, for the browser tests (no browser download).
browser-deps:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium chromium-driver; }

# --dirty: an edit re-renders only the pages it changed; the plugin falls back to a full rebuild whenever the
# page set, a title in the nav, a page in docs/ or mkdocs.yml changes (gen/layerflow/adapters/preview.py).
serve: setup
	@echo "layerflow: serving the site built from registry/ at http://$(HOST):$(PORT)/ (edits to registry/ reload it)"
	$(BIN)/properdocs serve -f mkdocs.yml --dev-addr $(HOST):$(PORT) --dirty

# What `make serve` was called before it rebuilt only what changed; kept for scripts that name it.
serve-fast: serve

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

# The README's pictures (docs/images/*.png): the site of the embedded registry in Chromium, light palette.
# Re-run after changing what the home page or a producer page shows; look at them before committing.
screenshots: setup browser-deps
	$(BIN)/python -m tests.browser.screenshots docs/images

bench: setup
	$(BIN)/python bench/run.py --json bench/out/latest.json

# The sdist and the wheel built from it, into dist/, with the build backend pinned by constraints.txt.
dist: setup
	rm -rf dist
	PIP_CONSTRAINT=$(CURDIR)/constraints.txt $(BIN)/python -m build --outdir dist

# Refresh constraints.txt to the newest releases pyproject.toml's ranges allow, resolved in a fresh venv
# (its comment header is kept). Review the diff and run `make test` before committing it.
LOCK_VENV := .venv-lock
BUILD_REQUIRES = $(shell $(PYTHON) -c 'import shlex, tomllib; print(*map(shlex.quote, tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))')
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet $(BUILD_REQUIRES) '.[site,dev]'
	{ grep '^#' constraints.txt; $(LOCK_VENV)/bin/pip freeze --all --exclude layerflow; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV)

clean:
	rm -rf $(VENV) $(LOCK_VENV) site dist build .layerflow-cache .pytest_cache .mypy_cache .ruff_cache
