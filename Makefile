# Two entry points for a new user (see README.md):
#   make demo   set up a virtualenv and show gitops-bot removing a service from the example repo
#   make test   set up a virtualenv with the test extras and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench corpus clean

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

# The corpus of real refactorings (bench/corpus/): MIRRORS is a folder of bare mirrors
# <owner>+<name>/repo; without it the command lists the mirrors it needs and runs nothing.
MIRRORS ?=
corpus: $(BIN)/.installed
	$(BIN)/python bench/corpus/score.py $(if $(MIRRORS),--mirrors $(MIRRORS) --out bench/corpus/RESULTS.md --json bench/corpus/results.json)

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
