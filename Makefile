# backstride — set-up, tests, demo and benchmarks. Every target installs what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# An editable install leaves the package's own modules uncompiled, and with PYTHONDONTWRITEBYTECODE set (as on
# this project's machines) every command would compile them again at start-up: about 0.05 s of each run. pip
# compiles a regular install; this does the same for ours (a module edited later is compiled in memory as usual).
COMPILE = $(BIN)/python -m compileall -q src/backstride

.PHONY: install bytecode test lint typecheck pytest demo bench clean lock

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(COMPILE)
	touch $(STAMP)

bytecode: install
	$(COMPILE)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest -q

test: lint typecheck pytest

demo: install
	$(BIN)/backstride demo

# mobgap (the benchmark peer) lives in its own venv with the other peers, pyproject.toml's `bench` extra: never a
# dependency of backstride, never in .venv (whose `dev` extra leaves it out).
BENCH_VENV  := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): Makefile pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

# BENCH_ARGS passes options to benchmarks/run.py, e.g. make bench BENCH_ARGS="--sections speed,import --no-week"
bench: install $(BENCH_STAMP) bytecode
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# constraints.txt afresh: the newest releases pyproject.toml allows, installed in a throw-away venv and frozen
LOCK_VENV := .venv-lock
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' constraints.txt; $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf $(LOCK_VENV)

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
	find src tests benchmarks -name __pycache__ -prune -exec rm -rf {} +
