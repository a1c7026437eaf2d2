# Pathways. The README's two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test lint fmt bench bench-work load fuzz lock clean

# Shared, idempotent first step: venv, pinned dependencies (hash-checked), migrations.
setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput -v 0

$(VENV)/.installed: requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
	touch $@

# Serve the site with the demo practice; the background worker sends the e-mails.
# runserver is daphne's (the first installed app): HTTP and the BLS display's WebSockets.
run: setup
	$(PY) manage.py seed_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (staff sign-in: http://$(HOST):$(PORT)/staff/sign-in/)"
	@$(PY) manage.py db_worker --interval 2 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# The suite on every core (pytest-xdist, one test database per worker): on CI's two
# cores it takes less than half the time it took on one. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: setup
	$(PY) -m pytest -n $(TEST_WORKERS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

fmt: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The practice at scale (BENCH_CLIENTS, default 10,000) served by gunicorn with production
# settings, driven by locust, against a bare view's floor: bench/README.md has the knobs.
bench: setup
	$(PY) bench/run.py

# The work each GET endpoint does, counted in bytecodes rather than timed (the same on a
# busy machine as on a quiet one), on the practice `make bench` cached (bench/work.py).
bench-work: setup
	$(PY) bench/work.py

# Concurrent Appointment Requests against gunicorn: SQLite, then PostgreSQL when
# LOAD_PG_URL names a PostgreSQL database (it counts what it adds) (see bench/load_requests.py).
load: setup
	$(PY) bench/load_requests.py
	@if [ -n "$(LOAD_PG_URL)" ]; then LOAD_DATABASE_URL="$(LOAD_PG_URL)" $(PY) bench/load_requests.py; fi

# The property tests of every form with dates, doses or vitals, with 500 examples for
# the ones that post to a view too (make test runs those with 25).
fuzz: setup
	PATHWAYS_FUZZ_EXAMPLES=500 $(PY) -m pytest -q -p no:randomly $$(ls */tests/test_property_input.py) --hypothesis-show-statistics

# Re-pin after editing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -q -o requirements.txt
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -q -o requirements-dev.txt

clean:
	rm -rf $(VENV) var/static .pytest_cache
