# Every target creates .venv first, so a fresh machine with Python 3.11 needs nothing else.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo serve-demo test lint install system clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)          ## crawl every source into data/newsdesk.db, then draft candidates
	$(BIN)/newsdesk run

demo: $(STAMP)         ## crawl the bundled offline mirror into data/demo/newsdesk.db (then: make serve-demo)
	rm -rf data/demo
	$(BIN)/newsdesk demo --keep data/demo

serve-demo: $(STAMP)   ## the desk and the archive over the demo database, at http://127.0.0.1:8001/-/desk
	$(BIN)/newsdesk serve --db data/demo/newsdesk.db

bench: $(STAMP)        ## the benchmark suite of issue 11 (bench/README.md); BENCH_ARGS="--check --json out.json"
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check crawler pipeline tests bench

# The browser tests drive Debian's chromium (with Japanese fonts); installed here when missing and
# possible (Debian, root). Elsewhere the browser tests skip and say why.
system:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	   ! (dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1); then \
	  echo "installing Debian's chromium and fonts-noto-cjk for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	    || echo "could not install chromium and fonts-noto-cjk: the browser tests will skip"; \
	fi

test: lint system      ## linter, then the whole test suite
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache
