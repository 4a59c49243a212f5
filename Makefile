# Wijkportaal: `make run` serves the Heerlen demo, `make test` runs every test.
# Needs only Python 3.11+ and make; everything else is installed into .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
# The development server runs with DEBUG on; the production settings are used by `make serve`.
DEV_ENV := DEBUG=$${DEBUG:-true}

.PHONY: install setup run test lint format check clean bench-imports

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py load_demo

run: setup
	@echo "Wijkportaal: http://$(HOST):$(PORT)/  (try postcode 6411 NH, house number 13 E)"
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Tests run with the production defaults (DEBUG off); only the key is a throwaway.
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-test-only-not-a-secret} DEBUG=false

test: install
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=true $(BIN)/python manage.py check

# The import benchmark: 1.2 million real BAG addresses on PostgreSQL and SQLite (a few minutes).
# Uses its own databases; BENCH_PG_URL overrides the PostgreSQL one.
bench-imports: install
	$(BIN)/python bench/import_addresses.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
