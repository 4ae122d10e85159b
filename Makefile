# Two entry points that work on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/tracehound analyze src/tracehound/demo/shop.har.gz --db demo-out/tracehound.db \
		--json demo-out/report.json --openapi demo-out/openapi --html demo-out/report.html \
		--sarif demo-out/report.sarif --detections demo-out/detections.jsonl --fresh
	@echo "Reports written to demo-out/"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
