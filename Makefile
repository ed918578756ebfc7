# Everything a fresh machine needs, from nothing but Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup demo test eval bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## demo: serve the bundled demo site on 127.0.0.1 and crawl it into collections/demo; the site's port
## stays the same (8642, or make demo DEMO_PORT=N), so a second `make demo` crawls only what is new
demo: $(STAMP)
	$(BIN)/newsarchive demo $(if $(DEMO_PORT),--port $(DEMO_PORT))

## test: lint, types, then the whole test suite (local servers only, no internet)
test: $(STAMP)
	$(BIN)/ruff check archive pipelines crawler demosite tests bench
	$(BIN)/mypy archive pipelines crawler demosite
	$(BIN)/python -m pytest -q

## eval: extraction scores, ours vs plain trafilatura, on ../shared/eval
eval: $(STAMP)
	bash bench/eval.sh

## bench: pages/s, CPU and memory of crawl, replay and export next to plain Scrapy/trafilatura (~35 min; a report, not a test)
bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/export_bench.py

clean:
	rm -rf $(VENV) .pytest_cache
