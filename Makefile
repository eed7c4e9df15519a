# Backprop from Scratch: `make lab` to learn, `make test` to check everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
LESSONS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

.PHONY: setup lab test unit lessons lint notebooks clean student html browser chromium bench

# The virtual environment: made when missing, reinstalled when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed: run 'make PYTHON=python3.11 ...'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

lab: setup
	$(BIN)/jupyter lab --allow-root --ServerApp.root_dir=. \
	  --LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb

test: setup lint unit lessons

lint: setup
	$(BIN)/ruff check .

# One BLAS thread: the same arithmetic, so the same printed digits, on every machine and load.
export OPENBLAS_NUM_THREADS = 1
export OMP_NUM_THREADS = 1
export MKL_NUM_THREADS = 1

unit: setup chromium
	MPLBACKEND=Agg $(BIN)/python -m pytest -q tests

# The browser test alone (it is part of `unit`): Voila + Debian's Chromium + Playwright.
browser: setup chromium
	MPLBACKEND=Agg $(BIN)/python -m pytest -q tests/test_browser.py

# The browser test drives Debian's Chromium, a system package (see the README). Without it the
# test is skipped on a learner's machine, and fails in CI (CI=true).
chromium:
	@test -x /usr/bin/chromium || \
	  echo "note: /usr/bin/chromium is missing: 'sudo apt-get install chromium' for the browser test"

lessons: setup
	$(BIN)/python -m pytest -q $(NBVAL) $(LESSONS)

# Re-execute every lesson in order in a fresh kernel and store it with its outputs.
notebooks: setup
	for nb in $(LESSONS); do \
	  $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=300 $$nb || exit 1; \
	done

# Student versions of the lessons in student/ (a learner's changed file is never overwritten).
student: setup
	$(BIN)/python -m mlp_core.student

# A static site of the stored lessons in _site/ (index.html, one page per lesson).
html: setup
	$(BIN)/python -m mlp_core.site

# Benchmarks: tables and chart in benchmarks/results/ (PyTorch optional: pip install -e '.[bench]').
# OpenBLAS's core-type override is dropped for this command only, to measure the kernel a user gets.
bench: setup
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE MPLBACKEND=Agg \
	  $(BIN)/python -m benchmarks --out benchmarks/results

clean:
	rm -rf $(VENV) build *.egg-info _site
