# Porucheno — two commands: `make demo` runs the whole service, `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test lint i18n bench browser mailserver pgclient clean help

help:
	@echo "make demo   - set up and run the service on SQLite with the Telegram sandbox and a demo town"
	@echo "make test   - set up and run the whole test suite (SQLite and PostgreSQL, headless Chromium)"
	@echo "make lint   - ruff"
	@echo "make i18n   - extract messages and update the .po catalogs"
	@echo "make bench  - run the benchmarks in bench/ (JSON figures)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/porucheno demo

# Browser tests drive Debian's Chromium through Playwright (Playwright cannot download its own here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core fonts-noto-color-emoji >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core fonts-noto-color-emoji >/dev/null; \
	  else echo "chromium is missing and cannot be installed (not root): browser tests will be skipped"; fi; }

# Mail tests run Debian's Dovecot as a throw-away IMAP server (started by the tests themselves).
mailserver:
	@test -x /usr/sbin/dovecot || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; \
	  else echo "dovecot is missing and cannot be installed (not root): IMAP tests will be skipped"; fi; }

# Backups of PostgreSQL run pg_dump/pg_restore (Debian's postgresql-client); pg_dump refuses a server
# of a newer major version, so when the test server is newer its matching client is installed too.
PG_TEST_URL = $(shell echo "$${PORUCHENO_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}" | sed 's/+asyncpg//; s/?.*//')
APT_INSTALL = { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkg >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkg >/dev/null; \
	  else false; fi; } || echo "$$pkg could not be installed (root or sudo and APT, for a newer major also apt.postgresql.org): PostgreSQL backup tests will fail"
pgclient:
	@command -v pg_dump >/dev/null 2>&1 || { pkg=postgresql-client; $(APT_INSTALL); }
	@server=$$(psql "$(PG_TEST_URL)" -Atc 'show server_version_num' 2>/dev/null | cut -c1-2); \
	client=$$(ls -d /usr/lib/postgresql/*/bin/pg_dump 2>/dev/null | sed 's|/usr/lib/postgresql/||; s|/.*||' | sort -n | tail -1); \
	if [ -n "$$server" ] && [ "$$server" -gt "$${client:-0}" ]; then pkg=postgresql-client-$$server; $(APT_INSTALL); fi

test: $(STAMP) browser mailserver pgclient
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

i18n: $(STAMP)
	$(BIN)/python -m porucheno.i18n_tools update

bench: $(STAMP)
	@for f in bench/[!_]*.py; do echo "== $$f"; $(BIN)/python $$f; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
