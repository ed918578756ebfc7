# Everything a fresh machine needs, from nothing but Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# ReplayWeb.page for the browser test: `npm install` of it fails on a dependency the registry
# lacks, but its packed tarball carries the two built files a page embedding it needs.
RWP_VERSION := 2.5.3
RWP_DIR     := $(VENV)/replaywebpage
RWP_STAMP   := $(RWP_DIR)/.replaywebpage-$(RWP_VERSION)

.PHONY: setup demo test eval bench clean replaywebpage

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## replaywebpage: ui.js and sw.js of ReplayWeb.page $(RWP_VERSION) in $(RWP_DIR) (once); without npm
## this says so and goes on: the browser test then skips (or fails under NEWSARCHIVE_REQUIRE_BROWSER=1)
replaywebpage: $(STAMP)
	@if [ -f $(RWP_STAMP) ]; then :; \
	elif ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: ReplayWeb.page not fetched, the browser test will not run it"; \
	else \
		rm -rf $(RWP_DIR) && mkdir -p $(RWP_DIR) && \
		( cd $(RWP_DIR) && npm pack --silent replaywebpage@$(RWP_VERSION) >/dev/null ) && \
		tar -xzf $(RWP_DIR)/replaywebpage-$(RWP_VERSION).tgz -C $(RWP_DIR) --strip-components=1 \
			package/ui.js package/sw.js package/LICENSE && \
		rm -f $(RWP_DIR)/replaywebpage-$(RWP_VERSION).tgz && \
		test -s $(RWP_DIR)/ui.js && test -s $(RWP_DIR)/sw.js && touch $(RWP_STAMP) \
		|| echo "npm pack replaywebpage@$(RWP_VERSION) failed: the browser test will not run it"; \
	fi

## demo: serve the bundled demo site on 127.0.0.1 and crawl it into collections/demo; the site's port
## stays the same (8642, or make demo DEMO_PORT=N), so a second `make demo` crawls only what is new;
## make demo DEMO_ARGS="--changed-template business" is the site a day later with one section relaunched
demo: $(STAMP)
	$(BIN)/newsarchive demo $(if $(DEMO_PORT),--port $(DEMO_PORT)) $(DEMO_ARGS)

## test: lint, types, then the whole test suite (local servers only, no internet)
test: $(STAMP) replaywebpage
	$(BIN)/ruff check archive pipelines crawler demosite tests bench
	$(BIN)/mypy archive pipelines crawler demosite
	$(BIN)/python -m pytest -q

## eval: extraction scores, ours vs plain trafilatura, on ../shared/eval; authors also on the pages whose
## ground truth names people; our misses counted by class (make eval EVAL_ARGS="--before DIR --n-bootstrap 0")
eval: $(STAMP)
	bash bench/eval.sh --misses $(EVAL_ARGS)

## bench: pages/s, CPU and memory of crawl, replay and export next to plain Scrapy/trafilatura (~35 min; a report, not a test)
bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/export_bench.py

clean:
	rm -rf $(VENV) .pytest_cache
