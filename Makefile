# docgen: `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install lock letters serve test lint bench sample templates clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

# Every library and test tool comes from requirements.lock (exact versions, hash-checked),
# then docgen itself without resolving anything again.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install docgen with its test tools

# uv runs from a throwaway venv: it writes the lock and is not one of docgen's tools.
lock: ## Regenerate requirements.lock from pyproject.toml (LOCK_ARGS=--upgrade takes the newest releases)
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp" && "$$tmp/bin/pip" install --quiet 'uv>=0.4,<1' && \
	"$$tmp/bin/uv" pip compile pyproject.toml --extra test --generate-hashes \
	  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	  --custom-compile-command 'make lock' $(LOCK_ARGS) -o requirements.lock

letters: $(STAMP) ## Validate inputs/migrations.xlsx and write everything into outputs/ (PDFs if LibreOffice is installed)
	@if command -v soffice >/dev/null 2>&1; then \
	  $(BIN)/docgen run inputs/migrations.xlsx --out outputs --pdf; \
	else \
	  echo "LibreOffice not found: writing .docx only (apt-get install libreoffice-writer-nogui for PDFs)."; \
	  $(BIN)/docgen run inputs/migrations.xlsx --out outputs; \
	fi

serve: $(STAMP) ## Start the web page (docgen serve) and open it in the browser
	$(BIN)/docgen serve

test: $(STAMP) ## Run the test suite
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff check and format check, the layer contract (import-linter) and mypy (both set in pyproject.toml)
	$(BIN)/ruff check docgen tests bench scripts
	$(BIN)/ruff format --check docgen tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP) ## National-scale benchmark (ratios against a docxtpl loop) and PDFs against plain soffice
	$(BIN)/python bench/run.py $(BENCH_ARGS)

sample: $(STAMP) ## Rebuild inputs/migrations.xlsx from tests/sample.py
	$(BIN)/python scripts/make_sample.py inputs/migrations.xlsx

templates: $(STAMP) ## Rebuild templates/*.docx from scripts/make_templates.py
	$(BIN)/python scripts/make_templates.py templates

clean: ## Remove outputs and the virtual environment
	rm -rf outputs/* $(VENV)
