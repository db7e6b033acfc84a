# Two entry points (see README.md):
#   make book   set up the environment, then build the book into _build/html
#   make test   set up the environment, then run every test that CI runs
# Both create .venv on first use and reuse it afterwards.

PYTHON ?= python3
VENV ?= .venv
# pip takes torch from its configured index: CI's index holds the CPU wheel, while
# PyPI on Linux serves the larger CUDA build. For the CPU build from PyTorch's own
# index, run: make setup TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu"
# With a GPU, install torch into $(VENV) yourself first (any torch>=2.4) and this step keeps it.
TORCH ?= torch==2.13.0
TORCH_INDEX ?=
BIN := $(VENV)/bin
MATHJAX := book/_mathjax/mathjax/tex-chtml.js
HTML := _build/html
# The built book shows no progress bars (they would render as widgets or stderr).
BUILD_ENV := LGCORE_PROGRESS=0

.PHONY: book test setup unit sync nbval build site lab clean

setup: $(VENV)/.installed $(MATHJAX)

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install "$(TORCH)" $(TORCH_INDEX)
	$(BIN)/pip install -e ".[book,test,lab]"
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp jupyterlab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $@

# MathJax 3 from npm, copied next to the book's static files so that the built
# book renders math with no network.
$(MATHJAX): package.json package-lock.json
	npm ci --no-audit --no-fund
	rm -rf book/_mathjax && mkdir -p book/_mathjax/mathjax/output/chtml book/_mathjax/mathjax/input/tex
	cp node_modules/mathjax/es5/tex-chtml.js book/_mathjax/mathjax/
	cp -r node_modules/mathjax/es5/output/chtml/fonts book/_mathjax/mathjax/output/chtml/
	cp -r node_modules/mathjax/es5/input/tex/extensions book/_mathjax/mathjax/input/tex/
	cp -r node_modules/mathjax/es5/ui book/_mathjax/mathjax/

# A clean build: jupyter-book's cache does not notice changes in lgcore, and a
# rebuild after a failure can exit 0.
build: setup
	$(BIN)/jupyter-book clean --all .
	$(BUILD_ENV) $(BIN)/jupyter-book build -W --keep-going .

book: build
	@echo "Open $(HTML)/index.html"

unit: setup
	$(BIN)/python -m pytest tests -q

# jupytext --sync rewrites whichever file of a pair is older; git then shows any drift.
sync: setup
	$(BIN)/jupytext --sync book/*/*.md
	git diff --exit-code -- book/

nbval: setup
	$(BUILD_ENV) $(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider book -q

site: build
	$(BIN)/python .ci/check_site.py $(HTML)

test: unit sync nbval site

lab: setup
	$(BIN)/jupyter lab book

clean:
	rm -rf _build book/_mathjax
