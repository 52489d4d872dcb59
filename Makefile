# Cartable — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.8
VENV := .venv
BIN := $(VENV)/bin
export SCARF_ANALYTICS := false
export DO_NOT_TRACK := 1
export UV_LINK_MODE := copy

.PHONY: setup setup-python setup-node setup-system run serve demo test test-scaled lint format messages clean

## setup: install everything, idempotently, into .venv/ and node_modules/
setup: setup-python setup-node

setup-python: $(BIN)/.synced

$(BIN)/uv:
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet "uv==$(UV_VERSION)"

$(BIN)/.synced: $(BIN)/uv pyproject.toml uv.lock
	$(BIN)/uv sync --frozen --inexact --python $(BIN)/python --quiet
	touch $@

setup-node: node_modules/.installed cartable/static/cartable/dist/app.js

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

cartable/static/cartable/dist/app.js: node_modules/.installed $(shell find frontend -name "*.js" -o -name "*.css" -o -name "*.mjs")
	npm run --silent build

## setup-system: Debian packages the tests need (Chromium for browser tests)
setup-system:
	bash scripts/setup-system.sh

## run: set up, create demo data, serve on http://127.0.0.1:8000
run: setup
	$(BIN)/cartable demo
	$(BIN)/cartable serve --host 127.0.0.1 --port 8000

## test: set up and run the whole suite: the front end's unit tests, then pytest (browser tests included)
test: setup setup-system
	npm test --silent
	CARTABLE_DATA_DIR=var/test $(BIN)/pytest $(PYTEST_ARGS)

## test-scaled: the suite against PostgreSQL, Redis and an S3 server
test-scaled: setup setup-system
	bash scripts/test-scaled.sh $(PYTEST_ARGS)

## lint: ruff, mypy, the import contracts (the shape of the code), the migrations check, ESLint
## on the front end, and the security guards (ReDoS scan, bandit, known vulnerabilities in the
## locked dependencies: skipped with a message when their databases cannot be reached)
lint: setup-python node_modules/.installed
	npm run --silent lint
	$(BIN)/ruff format --check cartable conftest.py bench scripts
	$(BIN)/ruff check cartable conftest.py bench scripts
	$(BIN)/mypy cartable
	$(BIN)/lint-imports --no-cache
	CARTABLE_DATA_DIR=var/lint $(BIN)/python -m django makemigrations --check --dry-run --settings=cartable.settings -v 1
	$(BIN)/python scripts/check_regexes.py cartable
	@# bandit warns about each nosec it meets on a line it did not flag itself: noise.
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive cartable scripts \
		2> >(grep -v "nosec encountered" >&2)
	$(BIN)/python scripts/audit_dependencies.py

format: setup-python
	$(BIN)/ruff format cartable conftest.py bench scripts
	$(BIN)/ruff check --fix cartable conftest.py bench scripts

## messages: refresh the French and English catalogues in cartable/locale/, then compile them
# Locations without line numbers keep the diffs (and merges) of the .po files small; the data
# directory is set so that loading the settings does not create cartable/var/. The browser code
# lives in frontend/, outside cartable/, so the djangojs domain (its gettext() calls, served by
# /jsi18n/) is scanned from the root; the unit tests' strings are not the interface's.
MAKEMESSAGES := CARTABLE_DATA_DIR=$(CURDIR)/var/messages $(CURDIR)/$(BIN)/python -m django \
	makemessages -l fr -l en --settings=cartable.settings --add-location=file --no-obsolete
messages: setup-python
	cd cartable && $(MAKEMESSAGES) -d django --ignore='static/cartable/dist' --ignore=testing
	$(MAKEMESSAGES) -d djangojs --ignore=.venv --ignore=node_modules --ignore=var \
		--ignore='cartable/static/cartable/dist' --ignore='cartable/testing' --ignore=bench \
		--ignore='*.test.js'
	cd cartable && CARTABLE_DATA_DIR=$(CURDIR)/var/messages $(CURDIR)/$(BIN)/python -m django \
		compilemessages --settings=cartable.settings

clean:
	rm -rf var/test var/lint var/messages cartable/static/cartable/dist
