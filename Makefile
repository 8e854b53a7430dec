# Every target creates .venv first, so a fresh machine with Python 3.11 needs nothing else.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)          ## crawl every source into data/newsdesk.db, then draft candidates
	$(BIN)/newsdesk run

demo: $(STAMP)         ## crawl the bundled offline mirror into a throwaway database
	$(BIN)/newsdesk demo

lint: $(STAMP)
	$(BIN)/ruff check crawler pipeline tests bench

test: lint             ## linter, then the whole test suite
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache
