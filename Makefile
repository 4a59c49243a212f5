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

.PHONY: install messages browser setup run serve bench bench-instructions bench-imports bench-national loadtest cluster-test test lint format check clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# The translation catalogues (.po, committed) compile to .mo (git-ignored) with Babel from PyPI,
# so a machine with only Python and make needs no GNU gettext.
messages: install
	$(BIN)/pybabel -q compile --directory locale --domain django

# A checkout set up for development gets a .env with DEBUG on, so the README's manage.py commands
# run with the settings `make run` uses; an existing .env is never touched.
.env:
	@printf '# Written by make setup for development; see .env.example.\nDEBUG=true\n' > $@

setup: install messages .env
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py load_demo

run: setup
	@echo "Wijkportaal: http://$(HOST):$(PORT)/  (try postcode 6411 NH, house number 13 E)"
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The production configuration on this machine: gunicorn (gunicorn.conf.py), DEBUG off, WhiteNoise
# serving hashed, compressed static files. Plain HTTP here, so Django's HTTPS redirect is off; a key
# is made up for the session when none is set. Every variable of .env.example still applies.
SERVE_ENV := DEBUG=false SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} \
	SECRET_KEY=$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} PORT=$(PORT)

serve: install
	@export $(SERVE_ENV) && \
	$(BIN)/python manage.py collectstatic --no-input -v0 && \
	$(BIN)/python manage.py migrate --no-input && \
	$(BIN)/python manage.py load_demo && \
	echo "Wijkportaal (production settings): http://$(HOST):$(PORT)/" && \
	exec $(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT)

# Benchmarks on PostgreSQL with wrk; see bench/http.py. BENCH_ARGS=--with-bag adds the 1.2M addresses.
bench: install messages
	$(BIN)/python -m bench.http $(BENCH_ARGS)

# Instructions per request of the same pages, counted by callgrind (needs valgrind): repeatable where
# requests/s drift with the machine. BENCH_ARGS="lookup api" counts only those (and hello).
bench-instructions: install messages
	$(BIN)/python -m bench.instructions $(BENCH_ARGS)

# The load and fault test of CI: see bench/load_fault.py.
loadtest: install
	$(BIN)/python -m bench.load_fault

# The scale-out design on real parts (about 2 minutes): nginx with deploy/nginx/, two gunicorn nodes,
# a PostgreSQL primary with a streaming replica and Redis, all private and on loopback, under faults.
# See docs/scale-out.md and bench/cluster.py.
cluster-test: install messages
	$(BIN)/python -m bench.cluster

# Tests run with the production defaults (DEBUG off); only the key is a throwaway, and the test
# client speaks plain HTTP, so Django's redirect to HTTPS is off (as behind a TLS-terminating proxy).
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-test-only-not-a-secret} DEBUG=false \
	SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false}

# The browser tests drive Debian's Chromium; installed here when missing and we are root.
browser:
	@scripts/install-browser

test: install messages browser
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Style, the import contracts between the apps, and types (django-stubs loads the settings, which
# need DEBUG or a key, hence the variable).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/lint-imports
	DEBUG=true $(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=true $(BIN)/python manage.py check

# The import benchmark: 1.2 million real BAG addresses on PostgreSQL and SQLite (a few minutes).
# Uses its own databases; BENCH_PG_URL overrides the PostgreSQL one.
bench-imports: install
	$(BIN)/python -m bench.import_addresses $(BENCH_ARGS)

# The whole country: 9.6 million addresses, 14,000 buurten and 3,400 officers imported on
# PostgreSQL, then imports, activation, pages, worker memory, the admin and the page cache
# measured against issue 23's targets; see bench/README.md.
bench-national: install messages
	$(BIN)/python -m bench.national $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
