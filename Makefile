# pytorch-lessons -- every target sets up .venv first when needed, so each one works on a
# fresh machine. `make help` lists them.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MYST_ENV := JUPYTER_CONFIG_DIR=$(CURDIR)/.jupyter
CHAPTERS := $(sort $(wildcard book/[0-9]*.md))

.DEFAULT_GOAL := help
.PHONY: help install site site-execute test test-unit test-notebooks lint lab notebooks student lock bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]" 2>&1 \
		| grep -v "^WARNING: Location" || true
	$(BIN)/python -c "import torch, torchvision, pytorch_lessons"  # fails loudly if the install did not work
	touch $@

install: $(STAMP)  ## create .venv with the tested versions (constraints.txt)

site: $(STAMP)  ## build the static book site into _build/html from the stored notebook outputs
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/myst build --html
	@echo "Site built: open $(CURDIR)/_build/html/index.html"

site-execute: notebooks site  ## re-execute every chapter, then build the site

test: $(STAMP) lint test-unit test-notebooks  ## everything: lint, unit tests + coverage, pair sync, site build, nbval

lint: $(STAMP)  ## ruff over the package, tests and notebooks
	$(BIN)/ruff check src tests benchmarks book

test-unit: $(STAMP)  ## unit tests, exercise tests, pair-sync and site tests, with coverage of src/
	$(BIN)/python -m pytest tests --cov=pytorch_lessons --cov-report=term-missing:skip-covered --cov-fail-under=90

test-notebooks: $(STAMP)  ## nbval: re-run every book notebook and compare with its stored outputs
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with book/nbval-sanitize.cfg -p no:cacheprovider book/*.ipynb

lab: $(STAMP)  ## open JupyterLab on book/
	$(BIN)/jupyter lab --notebook-dir=book

notebooks: $(STAMP)  ## re-execute every chapter source (book/*.md) and re-pair its .ipynb
	$(BIN)/python -m pytorch_lessons.authoring execute $(CHAPTERS)

student: $(STAMP)  ## write the student edition (solutions removed) into student/
	$(BIN)/pytorch-lessons student student

lock: $(STAMP)  ## refresh constraints.txt from what is installed in .venv
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check | grep -v '^pytorch-lessons' > constraints.txt

bench: $(STAMP)  ## run the benchmarks and print their tables
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:  ## remove build output (keeps .venv)
	rm -rf _build .pytest_cache .coverage student
