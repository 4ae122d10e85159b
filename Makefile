# Two entry points that work on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit install clean fuzz

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

# The fuzz harness at full size (CI runs it at about 5,000 inputs): at least 100,000 inputs per
# target, each generated document also fed as FUZZ_FANOUT byte-level mutants. FUZZ_TESTS picks files.
FUZZ_EXAMPLES ?= 4000
FUZZ_FANOUT ?= 40
FUZZ_TESTS ?= tests/fuzz
fuzz: $(STAMP)
	TRACEHOUND_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) TRACEHOUND_FUZZ_FANOUT=$(FUZZ_FANOUT) TRACEHOUND_FUZZ_SHRINK=0 \
		$(BIN)/pytest -p no:cacheprovider --timeout=0 $(FUZZ_TESTS)

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
