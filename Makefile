# The two commands of the README:
#   make site   set up .venv (pinned dependencies) and build the site into site/
#   make test   set up .venv and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test golden extract-ui update-ui clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/python build.py build

test: $(STAMP)
	$(BIN)/python -m pytest

# Regenerate the golden site the tests compare against (review the diff before committing).
golden: $(STAMP)
	$(BIN)/python -m tests.golden

# UI strings: extract from templates and code, then merge into every language's catalog.
extract-ui: $(STAMP)
	$(BIN)/pybabel extract --quiet -F babel.cfg --no-location --sort-output -o i18n/messages.pot .

update-ui: extract-ui
	$(BIN)/pybabel update --quiet -i i18n/messages.pot -d i18n -D messages --no-wrap

clean:
	rm -rf $(VENV) site .pytest_cache
