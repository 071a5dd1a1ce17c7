# Torget — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
PIP     = $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000
DATA_DIR ?= $(CURDIR)/data
export DATA_DIR

.PHONY: run run-prod test install install-test install-bench migrate seed serve lint messages chromium bench clean screenshots

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

$(VENV)/.installed-bench: $(VENV)/.installed-test pyproject.toml
	$(PIP) install -q -e '.[test,bench]'
	touch $@

install-bench: $(VENV)/.installed-bench

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

serve:
	$(PY) manage.py runserver_embedded --host $(HOST) --port $(PORT)

run: seed serve

# The production profile on one machine: nginx, gunicorn, two uvicorn, Celery worker
# and beat (deploy/Procfile, run by honcho). Needs DATABASE_URL, REDIS_URL,
# CELERY_BROKER_URL and DJANGO_SECRET_KEY; see README "Run the production profile".
run-prod: install
	PY=$(PY) deploy/run-prod

# Test-time system packages: Debian's Chromium for the browser tests, gettext to check
# that Swedish is complete, nginx for the run-prod test. Installed only when missing (needs root, as CI has).
chromium:
	@if [ ! -x /usr/bin/chromium ] || ! command -v xgettext >/dev/null || [ ! -x /usr/sbin/nginx ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-dejavu-core gettext nginx-light; fi

# Tests use real PostgreSQL and Redis (the defaults below; override as you like).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/torget
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

test: install-test chromium
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	TORGET_TESTING=1 $(VENV)/bin/pytest $(PYTEST_ARGS)

# Refresh docs/screenshots/ (the README's pictures) from the browser tests; an ordinary
# `make test` writes its screenshots to a temporary folder instead.
screenshots: install-test chromium
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(MAKE) test PYTEST_ARGS="$(sort $(wildcard tests/*/test_*browser.py)) -q"

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

messages: install
	$(PY) manage.py makemessages -l sv --no-location --ignore '.venv/*' --ignore 'data/*' --ignore 'tests/*' --ignore 'bench/*'
	$(PY) manage.py makemessages -d djangojs -l sv --no-location --ignore '.venv/*' --ignore 'data/*' --ignore '*/vendor/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

# Each benchmark exits 1 when a figure misses its target; all run, then bench fails.
bench: install-bench
	@status=0; for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || status=1; done; \
	exit $$status

clean:
	rm -rf $(VENV) data
