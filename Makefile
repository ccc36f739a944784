# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app clbchat
export CLBCHAT_VAR_DIR ?= $(CURDIR)/var

.PHONY: install run test test-embedded test-scaleout lint chromium bench migrate

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(FLASK) db upgrade

# The service on http://127.0.0.1:5000 (SQLite, in-process events) and a demo school page on
# http://127.0.0.1:8000 that embeds the button from the service's origin.
run: migrate
	$(FLASK) demo-setup
	@echo "Demo page: http://127.0.0.1:8000/   Console: http://127.0.0.1:5000/console/"
	@$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory embed-examples >/dev/null 2>&1 & \
	demo_pid=$$!; trap 'kill $$demo_pid 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn -c backend/gunicorn.conf.py clbchat.wsgi:application

# Debian's Chromium for the browser tests (Playwright drives it; no browser download). Another
# install running at the same time holds apt's locks: wait for them (up to 10 minutes) instead of
# failing. DPkg::Lock::Timeout covers dpkg's lock; `apt-get update` does not wait for the package
# lists' lock on its own, so it is retried while that lock is what stops it.
APT_WAIT := -o DPkg::Lock::Timeout=600
chromium:
	@command -v chromium >/dev/null || { \
		tries=120; until out=$$(apt-get $(APT_WAIT) update -qq 2>&1); do \
			echo "$$out" | grep -q 'Could not get lock' && [ $$((tries -= 1)) -gt 0 ] || { echo "$$out" >&2; exit 1; }; \
			echo "waiting for another package install to finish..."; sleep 5; \
		done; \
		apt-get $(APT_WAIT) install -y -qq chromium >/dev/null; }

lint: install
	$(BIN)/ruff check backend tests bench

test: install chromium lint test-embedded test-scaleout

test-embedded:
	$(BIN)/pytest

# The same integration suite on PostgreSQL + Redis (skipped with a reason when they are not
# running here; a failure when CI=true).
test-scaleout:
	CLBCHAT_TEST_BACKEND=scaleout $(BIN)/pytest tests/integration tests/scaleout

bench: install
	$(BIN)/python -m bench
