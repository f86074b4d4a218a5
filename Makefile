# Set-up happens on first use: a local virtual environment in .venv with pip.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: reproduce test check validate notebooks reference lab bench clean student-copies constraints fuzz

# constraints.txt pins every package to the version the tests ran with, so that two machines
# install the same versions and get byte-identical tables and figures.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

## constraints: upgrade every package within pyproject.toml's bounds and rewrite constraints.txt (then run make test)
constraints: $(STAMP)
	$(BIN)/python -m pip install --quiet --upgrade --upgrade-strategy eager -e ".[dev]"
	{ sed -n '1,2p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

## reproduce: rebuild every table, figure and the HTML report into results/
reproduce: $(STAMP)
	$(BIN)/samendoen reproduce --out results

## check: reproduce and fail if any table differs from reference/ (prints how many tables it compared)
check: $(STAMP)
	$(BIN)/samendoen reproduce --out results --check

## test: lint, unit and end-to-end tests, doctests and nbval on the committed notebooks
test: $(STAMP)
	$(BIN)/ruff check samendoen_analysis tests benchmarks examples
	$(BIN)/pytest

## fuzz: the fuzz tests with many more examples and a random seed (make fuzz FUZZ_EXAMPLES=5000)
FUZZ_EXAMPLES ?= 1000
fuzz: $(STAMP)
	SAMENDOEN_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) SAMENDOEN_FUZZ_RANDOM=1 $(BIN)/pytest tests/test_fuzz.py -p no:nbval -o addopts="-p no:cacheprovider" -q

## validate: check the shipped data and print a summary
validate: $(STAMP)
	$(BIN)/samendoen validate

## notebooks: re-execute the committed notebooks in place (then commit them)
notebooks: $(STAMP)
	$(BIN)/samendoen refresh-notebooks

## student-copies: regenerate notebooks/teaching/student/ from the lessons (never edit those by hand)
student-copies: $(STAMP)
	$(BIN)/samendoen student-copies

## reference: store the current results' tables as the reference for `make check`
reference: reproduce
	rm -rf reference && mkdir -p reference && cp results/tables/*.csv reference/

## lab: open the project in JupyterLab (students: notebooks/teaching/student/)
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

## bench: run the benchmarks and print their table
bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf results .venv output notebooks/output notebooks/teaching/output
