# Two commands for a newcomer: `make run` and `make test`. Everything installs from this repo.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
POSTGRES_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

export FLASK_APP := wsgi

.PHONY: run serve test lint test-sqlite test-postgres test-calendar install identity-provider migrate seed clean bench

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

# The single sign-on tests run a real OpenID Connect provider (Node.js `oidc-provider`, pinned by its
# package-lock.json). Without npm this does nothing, and those tests skip, saying why (fail under CI=true).
IDP := tests/identity_provider
$(IDP)/node_modules/.package-lock.json: $(IDP)/package.json $(IDP)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(IDP) --no-audit --no-fund --ignore-scripts --loglevel=error; \
	else echo "npm is not installed: the single sign-on tests will skip (apt-get install nodejs npm)"; fi

identity-provider: $(IDP)/node_modules/.package-lock.json

install: $(STAMP) identity-provider

instance/secret_key:
	@mkdir -p instance
	@$(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@
	@chmod 600 $@

migrate: $(STAMP)
	$(BIN)/alembic -c pyproject.toml upgrade head

seed: migrate instance/secret_key
	$(BIN)/flask seed-demo

## Serve the app without demo data (a real district's start: see the README's Quick start)
serve: migrate instance/secret_key
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## Set up and serve the app with demo data on SQLite at http://127.0.0.1:5000
run: seed
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## Set up and pass the whole suite: the lint and type gates, the SQLite lane, then the PostgreSQL lane.
test: lint test-sqlite test-postgres

# ruff with the project's config over everything; mypy strict on the pure engine (pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Tests run on every core (pytest-xdist; each test has its own database or schema); the browser
# tests share one live server per process, so they run in one process, after the others.
WORKERS ?= auto

test-sqlite: $(STAMP) identity-provider
	$(BIN)/pytest -n $(WORKERS) -m "not browser" $(PYTEST_ARGS)
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

# The pure engine tests (tests/workflows) touch no database, so they run once, above.
test-postgres: $(STAMP) identity-provider
	TEST_DATABASE_URL=$(POSTGRES_TEST_URL) $(BIN)/pytest -n $(WORKERS) --ignore=tests/workflows -m "not browser" $(PYTEST_ARGS)

# The date-sensitive tests as of days that cover every weekday, month and year ends, a leap day, both
# daylight-saving changes and summer (tests/calendar_days.py); `TEST_TODAY=2027-02-26 make test`
# runs the whole suite as of one day (tests/today.py).
test-calendar: $(STAMP)
	$(BIN)/python -m tests.calendar_days

bench: $(STAMP)
	@for b in bench/*.py; do [ -e "$$b" ] && $(BIN)/python $$b; done; true

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
