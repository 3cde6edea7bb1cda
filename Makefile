# smartdoc: `make site` builds the site, `make test` runs the tests (see README.md).
# Every set-up step is idempotent and leaves a stamp, so a second run goes straight to the work.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# setuptools warns on every editable install of a flat layout; that is the layout we chose.
PIP    := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip --disable-pip-version-check
# Anything that changes what `pip install` would do.
PY_INPUTS := pyproject.toml setup.py

STAMP_TEST := $(VENV)/.stamp-deps
STAMP_DEV  := $(VENV)/.stamp-dev
STAMP_NPM  := node_modules/.stamp-npm

FUZZ_PROFILE ?= long

.PHONY: help site test lint bench fuzz mutate clean setup setup-test system-deps system-deps-test

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

# --- the two commands of the README -----------------------------------------------------------

site: setup  ## Lint plans/ and build the site (HTML + PDFs) into site/.
	$(BIN)/smartdoc build

test: setup-test  ## Run the test suite with the checking tools (Chromium, vnu, qpdf, poppler).
	$(BIN)/pytest $(PYTEST_ARGS)

# --- other work --------------------------------------------------------------------------------

lint: setup $(STAMP_DEV)  ## Run ruff (lint + format check) and mypy (strict) on the package.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# N plans (default 1,000); mkdocs goes into bench/.venv, never into $(VENV). ~10 min at N=1000.
N ?= 1000
bench: setup  ## Benchmark N plans (make bench N=250) against the libraries' floor and mkdocs.
	N=$(N) $(BIN)/python -m bench $(BENCH_ARGS)

fuzz: setup-test  ## Run the property-based tests (-m fuzz) with a long Hypothesis profile.
	@status=0; PYTHONPATH=scripts $(BIN)/pytest -p hypothesis_profiles -m fuzz \
	  --hypothesis-profile=$(FUZZ_PROFILE) $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make fuzz: no fuzz tests yet"; status=0; fi; \
	exit $$status

# Mutants drawn per module (MUTATE_ARGS="" runs all); 3-20 s a mutant, as busy as the machine is.
MUTATE_ARGS ?= --sample 150 --seed 17
mutate: setup-test  ## Mutation scores of scoring, rules and source (scripts/mutate.py).
	$(BIN)/python scripts/mutate.py $(MUTATE_ARGS)

clean:  ## Remove the virtualenv, node_modules, build output and caches.
	rm -rf $(VENV) node_modules site build dist .smartdoc_cache .pytest_cache .hypothesis \
	  .mypy_cache .ruff_cache bench/out bench/.venv tests/artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -maxdepth 1 -name '*.egg-info' -exec rm -rf {} +

# --- set-up ------------------------------------------------------------------------------------

setup: system-deps $(STAMP_TEST)
setup-test: system-deps-test $(STAMP_TEST) $(STAMP_NPM)

# Fast when nothing is missing (dpkg-query only); runs apt-get update + install otherwise.
system-deps:
	@scripts/install-system-deps.sh site
system-deps-test:
	@scripts/install-system-deps.sh test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The package, editable, with the test tools. Never `playwright install`: tests use Debian's
# /usr/bin/chromium, and browser downloads are not possible here.
$(STAMP_TEST): $(PY_INPUTS) | $(BIN)/python
	$(PIP) install --quiet --upgrade "pip>=23.1"
	$(PIP) install --quiet --editable '.[test]'
	@touch $@

$(STAMP_DEV): $(PY_INPUTS) $(STAMP_TEST)
	$(PIP) install --quiet --editable '.[dev]'
	@touch $@

# vnu-jar's postinstall only looks for (or fetches) Java: skip it, the jar is in the package.
$(STAMP_NPM): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@
