# Two entry points for a new user (see README.md):
#   make demo   set up a virtualenv and show gitops-bot removing a service from the example repo
#   make test   set up a virtualenv with the test extras and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench bench-realistic corpus clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/gitops-bot plan remove-service service=video-service --repo examples/monorepo

test: $(BIN)/.installed
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python bench/bench_remove_service.py

# A generated tree of a real platform monorepo's size (1,200 files, 12 MB); BENCH_ARGS adds
# options, e.g. BENCH_ARGS='--scale --profile' (see bench/bench_realistic.py).
BENCH_ARGS ?=
bench-realistic: $(BIN)/.installed
	$(BIN)/python bench/bench_realistic.py $(BENCH_ARGS)

# The corpus of real refactorings (bench/corpus/): MIRRORS is a folder of bare mirrors
# <owner>+<name>/repo; without it the command lists the mirrors it needs and runs nothing.
MIRRORS ?=
corpus: $(BIN)/.installed
	$(BIN)/python bench/corpus/score.py $(if $(MIRRORS),--mirrors $(MIRRORS) --out bench/corpus/RESULTS.md --json bench/corpus/results.json)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
