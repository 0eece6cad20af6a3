# The two commands of the README: `make demo` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.lock | cksum | cut -d' ' -f1)

# The test run differs from production only by these values (see tests/conftest.py too).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/buergerservice
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# Two workers (pytest-xdist): each has its own test database and Redis database (tests/xdist_redis.py).
PYTEST_ARGS ?= -n 2 --durations=25
TEST_ENV = DATABASE_URL="$(or $(DATABASE_URL),$(TEST_DATABASE_URL))" \
	REDIS_URL="$(or $(REDIS_URL),$(TEST_REDIS_URL))" \
	DJANGO_SECRET_KEY=test-only-secret-key-not-for-production \
	DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,testserver DJANGO_HTTPS=0 DJANGO_DEBUG=0 \
	CERTIFICATE_SIGNING_KEY_GENERATE=1

.PHONY: demo test lint install messages browser lock bench audit axe

$(STAMP): requirements/dev.lock
	@test -x $(BIN)/python || { echo "Creating the virtualenv $(VENV)/"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the locked dependencies into $(VENV)/ (the first time takes a few minutes):"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on --require-hashes -r requirements/dev.lock
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

messages: install
	@DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --ignore "$(VENV)" -v0

## Starts the app with demo content at http://127.0.0.1:$(PORT)/ (SQLite under var/, tasks
## in-process). `make demo PORT=8123` serves on another port; every absolute link (mails, pages)
## follows it through WAGTAILADMIN_BASE_URL and the default site.
PORT ?= 8000
DEMO_ENV = DJANGO_DEBUG=1 WAGTAILADMIN_BASE_URL=http://127.0.0.1:$(PORT)
demo: install messages
	@echo "Migrating the database (each step is listed):"
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	@echo "Loading the demo course, quizzes and accounts:"
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo --site-url http://127.0.0.1:$(PORT)
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Debian packages the tests use: chromium for the browser tests (Playwright's own download does
## not work offline), poppler-utils and zbar-tools to read certificate PDFs and scan their QR code,
## xmlsec1 for the SAML login's signatures (pysaml2 calls it; production images need it too).
browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v xmlsec1 >/dev/null 2>&1 || missing="$$missing xmlsec1"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v zbarimg >/dev/null 2>&1 || missing="$$missing zbar-tools"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian's$$missing for the tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## axe-core for the accessibility tests: the npm package, pinned and checked (then from npm's cache).
AXE_VERSION := 4.14.1
AXE_SHA256 := e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
AXE_TGZ := var/cache/axe-core-$(AXE_VERSION).tgz
$(AXE_TGZ):
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Debian's npm for the accessibility tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; }
	@mkdir -p var/cache
	cd var/cache && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null
	@echo "$(AXE_SHA256)  $@" | sha256sum --check --quiet || { rm -f $@; exit 1; }

axe: $(AXE_TGZ)

## Known vulnerabilities in the locked dependencies (pip-audit); fails on any. AUDIT_ARGS=--strict
## also fails when a package could not be checked.
audit: install
	$(BIN)/python tools/audit_dependencies.py requirements/dev.lock $(AUDIT_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Runs the whole suite: lint, migration check, unit/integration, worker and browser tests.
test: install browser axe messages lint audit
	$(TEST_ENV) DATABASE_URL=sqlite://:memory: $(BIN)/python manage.py makemigrations --check --dry-run -v1
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

## Load benchmark (bench/README.md): gunicorn, PostgreSQL and Redis on this machine; prints a table.
## Options go through BENCH_ARGS, e.g. `make bench BENCH_ARGS=--quick`.
bench: install messages
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the load benchmark"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench.load $(BENCH_ARGS)

## Re-pins the hashed locks after a change to pyproject.toml (no index URLs are written).
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -q -o requirements/base.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -q -o requirements/dev.lock
