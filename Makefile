# Backprop from Scratch: `make lab` to learn, `make test` to check everything.
PYTHON   ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.installed
NBVAL    := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# Student versions go to $(STUDENT)/ (a folder inside this one, so JupyterLab can open it).
STUDENT  := student
# Extra JupyterLab options for `make lab` and `make lab-instructor`, e.g.
# make lab LAB_ARGS="--no-browser --port 8899"
LAB_ARGS ?=
LAB      = $(BIN)/jupyter lab --allow-root --ServerApp.root_dir=.
# A lesson is notebooks/NN_topic.ipynb: the rule of mlp_core.tools.student.LESSON_RE, so a kept
# NN_topic.new.ipynb is not one.
LESSON_RE := ^[0-9][0-9]_[A-Za-z0-9_]+\.ipynb$$
LESSONS  := $(addprefix notebooks/,$(sort $(shell ls notebooks 2>/dev/null | grep -E '$(LESSON_RE)')))

.PHONY: setup lab lab-instructor test unit lessons lint notebooks clean student handout html \
  html-instructor browser chromium bench

# The virtual environment: made when missing, reinstalled when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed: run 'make PYTHON=python3.11 ...'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# Version 0.1 was installed under the distribution name mlp_core: one owner for mlp_core/.
	@$(BIN)/python -m pip show --quiet mlp_core >/dev/null 2>&1 && \
	  $(BIN)/python -m pip uninstall --quiet --yes mlp_core || true
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# A learner's way in: the student versions (no solutions), refreshed in $(STUDENT)/ without
# overwriting a learner's changes, and JupyterLab opened on lesson 00.
lab: student
	$(LAB) --LabApp.default_url=/lab/tree/$(STUDENT)/00_welcome.ipynb $(LAB_ARGS)

# A teacher's way in: the instructor lessons in notebooks/, solutions included.
lab-instructor: setup
	$(LAB) --LabApp.default_url=/lab/tree/notebooks/00_welcome.ipynb $(LAB_ARGS)

test: setup lint unit lessons

lint: setup
	$(BIN)/ruff check .

# One BLAS thread: the same arithmetic, so the same printed digits, on every machine and load.
export OPENBLAS_NUM_THREADS = 1
export OMP_NUM_THREADS = 1
export MKL_NUM_THREADS = 1

unit: setup chromium
	MPLBACKEND=Agg $(BIN)/python -m pytest -q tests

# The browser tests alone (part of `unit`): Voila, the static site offline and the widgets' latency,
# in Debian's Chromium.
browser: setup chromium
	MPLBACKEND=Agg $(BIN)/python -m pytest -q tests/test_browser.py tests/test_site_browser.py \
	  tests/test_bench_browser.py

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

# Student versions of the lessons in $(STUDENT)/ (a learner's changed file is never overwritten).
student: setup
	$(BIN)/python -m mlp_core.tools.student --dest $(STUDENT)

# Hand out exactly the student lessons into DIR (e.g. a clone of the student repository), or only
# some: ONLY="00_welcome 01_neuron". A file changed in DIR since it was handed out stops it;
# FORCE=1 replaces such a file after moving it to DIR/.backup/.
handout: setup
	@test -n "$(DIR)" || { echo 'usage: make handout DIR=folder [ONLY="00_welcome ..."] [FORCE=1]'; exit 2; }
	$(BIN)/python -m mlp_core.tools.student --handout '$(DIR)' $(if $(filter 1 yes true,$(FORCE)),--force) $(ONLY)

# A static site of the stored lessons in _site/: the student edition (no solutions), equations
# typeset offline by the MathJax it bundles.
html: setup
	$(BIN)/python -m mlp_core.tools.site

# The same with the solutions shown and the instructor notebooks to download (not to publish).
html-instructor: setup
	$(BIN)/python -m mlp_core.tools.site --instructor --out _site-instructor

# Benchmarks: tables and chart in benchmarks/results/ (PyTorch optional: pip install -e '.[bench]').
# OpenBLAS's core-type override is dropped for this command only, to measure the kernel a user gets.
bench: setup
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE MPLBACKEND=Agg \
	  $(BIN)/python -m benchmarks --out benchmarks/results

clean:
	rm -rf $(VENV) build *.egg-info _site _site-instructor
