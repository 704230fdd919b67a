# docgen: `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install letters test lint bench sample templates clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install docgen with its test tools

letters: $(STAMP) ## Validate inputs/migrations.xlsx and write everything into outputs/ (PDFs if LibreOffice is installed)
	@if command -v soffice >/dev/null 2>&1; then \
	  $(BIN)/docgen run inputs/migrations.xlsx --out outputs --pdf; \
	else \
	  echo "LibreOffice not found: writing .docx only (apt-get install libreoffice-writer-nogui for PDFs)."; \
	  $(BIN)/docgen run inputs/migrations.xlsx --out outputs; \
	fi

test: $(STAMP) ## Run the test suite
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff check and format check, and the layer contract (import-linter, in pyproject.toml)
	$(BIN)/ruff check docgen tests bench scripts
	$(BIN)/ruff format --check docgen tests bench scripts
	$(BIN)/lint-imports

bench: $(STAMP) ## National-scale benchmark (prints ratios against a docxtpl loop)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

sample: $(STAMP) ## Rebuild inputs/migrations.xlsx from tests/sample.py
	$(BIN)/python scripts/make_sample.py inputs/migrations.xlsx

templates: $(STAMP) ## Rebuild templates/*.docx from scripts/make_templates.py
	$(BIN)/python scripts/make_templates.py templates

clean: ## Remove outputs and the virtual environment
	rm -rf outputs/* $(VENV)
