# Spool — two commands: `make run` (a lived-in demo site on http://127.0.0.1:8000) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Python trees to lint (bench/ joins once it exists).
LINT_PATHS := $(wildcard spool tests bench)

.PHONY: help run serve test lint fmt bench install install-test clean federation-demo

help:
	@echo "make run    install, migrate, load demo data once, serve http://$(HOST):$(PORT) with worker and scheduler"
	@echo "make serve  the same without demo data"
	@echo "make test   install test tools and run the whole suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)"
	@echo "make lint   ruff, mypy, import-linter layer contracts"
	@echo "make bench  run the benchmarks and write docs/performance.md (BENCH_ARGS=--quick for a smoke run;"
	@echo "            BENCH_ARGS='--scenarios http --databases postgres' for only the ceiling and warm home)"
	@echo "make federation-demo  two local instances on ports 9601/9602 that follow and reply to each other"

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: pyproject.toml $(VENV)/bin/activate
	$(PIP) install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -q -e '.[test,dev]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

# The same without demo data.
serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

# Two workers; worksteal lets the idle one take tests queued for the other (a few tests run for minutes).
test: install-test
	@./scripts/ensure-chromium
	$(PY) -m pytest -n 2 --dist worksteal $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)
	$(VENV)/bin/mypy spool
	$(VENV)/bin/lint-imports

fmt: install-test
	$(VENV)/bin/ruff format $(LINT_PATHS)
	$(VENV)/bin/ruff check --fix $(LINT_PATHS)

federation-demo: install
	$(PY) manage.py federation_demo

bench: install-test
	@./scripts/ensure-wrk
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
