# pytorch-lessons -- every target sets up .venv first when needed, so each one works on a
# fresh machine. `make help` lists them.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MYST_ENV := JUPYTER_CONFIG_DIR=$(CURDIR)/.jupyter
CHAPTERS := $(sort $(wildcard book/[0-9]*.md))

.DEFAULT_GOAL := help
.PHONY: help install site site-execute test test-unit test-notebooks test-site lint typecheck deps \
	lab lab-instructor notebooks student lock bench clean

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
	$(BIN)/python -m pytorch_lessons_site.myst build --html
	@echo "Site built: open $(CURDIR)/_build/html/index.html"

site-execute: notebooks site  ## re-execute every chapter, then build the site

test: $(STAMP) lint typecheck deps test-unit test-notebooks test-site  ## everything: lint, types, dependencies, and every test tier

lint: $(STAMP)  ## ruff over the package, tests, benchmarks and notebooks
	$(BIN)/ruff check src tests benchmarks book

typecheck: $(STAMP)  ## mypy over src/ (configured in pyproject.toml)
	$(BIN)/mypy

deps: $(STAMP)  ## deptry: the declared dependencies are what src/ imports
	$(BIN)/deptry src

test-unit: $(STAMP)  ## the fast tier: package, exercises, book structure, site renderer; coverage of src/
	$(BIN)/python -m pytest -m unit tests --cov=pytorch_lessons --cov=pytorch_lessons_site --cov-report=term-missing:skip-covered --cov-fail-under=90

test-notebooks: $(STAMP)  ## run every chapter once per mode: nbval (each cell twice, tolerances) + student edition
	$(BIN)/python -m pytest -p tests.nbval_book --nbval --nbval-current-env \
		--nbval-sanitize-with book/nbval-sanitize.cfg -m notebooks -p no:cacheprovider book/*.ipynb tests

test-site: $(STAMP)  ## build the site with myst and drive it in Chromium
	$(BIN)/python -m pytest -m "site or browser" -p no:cacheprovider tests

lab: $(STAMP)  ## JupyterLab on student/: the student edition, refreshed (your edits are kept)
	$(BIN)/pytorch-lessons lab

lab-instructor: $(STAMP)  ## JupyterLab on book/: the instructor notebooks, solutions collapsed
	$(BIN)/pytorch-lessons lab --instructor

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
