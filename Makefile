# Every target creates .venv and installs what it needs; nothing is assumed on the machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
REPORT ?= reports/sample_report.json

.PHONY: install run test lint bench clean browser screenshot

# editable_mode=compat puts the checkout on sys.path with a plain .pth file; the default
# editable mode installs an import hook that every import consults (about 50 ms more per run).
# setuptools calls compat transitional: should it go, the default mode is the fallback.
# The tests install the dask extra too, so the Dask executor's tests run (they skip without it).
$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]' --config-settings editable_mode=compat 2>/dev/null \
	  || $(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p $(dir $(REPORT))
	@$(BIN)/scrub check sample_837 --times sample_837/admin_times.csv --format json --output $(REPORT) --fail-on never
	@$(BIN)/scrub check sample_837 --times sample_837/admin_times.csv --format text --fail-on never > $(basename $(REPORT)).txt
	@$(BIN)/scrub check sample_837 --times sample_837/admin_times.csv --format html --output $(basename $(REPORT)).html --fail-on never --quiet
	@$(BIN)/scrub check sample_837 --times sample_837/admin_times.csv --format xlsx --output $(basename $(REPORT)).xlsx --fail-on never --quiet
	@echo "Scrubbed sample_837/: reports $(REPORT), $(basename $(REPORT)).txt, .html and .xlsx"
	@$(BIN)/python -c "import json,sys; s=json.load(open('$(REPORT)'))['summary']; print('files', s['files'], '| claims', s['claims'], '| claims with errors', s['claims_with_errors'], '| findings', s['findings'])"

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check scrubber edits tests benchmarks

# Byte-compile first: an editable install leaves the sources uncompiled, and where
# PYTHONDONTWRITEBYTECODE is set every run would compile them again at start-up.
bench: $(STAMP)
	@$(BIN)/python -m compileall -q scrubber edits > /dev/null
	$(BIN)/python benchmarks/bench.py

# A headless Chromium from the operating system's packages, for the browser test and the screenshot
# (Debian or Ubuntu, as root; elsewhere install Chromium by hand or set CHROMIUM to its path).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
	  || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-dejavu-core)

# The README's picture of the HTML report, made by the headless browser from `make run`'s report.
screenshot: run browser
	$(BIN)/python -m scrubber.report.browser screenshot $(basename $(REPORT)).html docs/html_report.png

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache *.egg-info

# Mutation fuzz of check, fix and gate (tests/fuzzkit.py): N damaged copies of the samples across
# processes; failing cases are saved under fuzz-failures/ and make the target fail.
N ?= 20000
.PHONY: fuzz
fuzz: $(STAMP)
	@$(BIN)/python -m compileall -q scrubber edits > /dev/null
	$(BIN)/python benchmarks/fuzz.py -n $(N) --out fuzz-failures
