# The two commands: `make run` (set up and serve the demo) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# The development PORTAL_URL (links in emails) is http://127.0.0.1:$(PORT): portal/config.py reads PORT.
export PORT
FLASK := $(BIN)/flask --app app
CATALOG := translations/es/LC_MESSAGES/messages.po

.PHONY: run test bench bench-jobs load fuzz lint translations extract-messages serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Compiled catalogs are build output (not committed).
translations/es/LC_MESSAGES/messages.mo: $(CATALOG) | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d translations -D messages

translations: translations/es/LC_MESSAGES/messages.mo

# After adding strings: extract, merge into the Spanish catalog, then translate the new entries.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --sort-output \
		-o translations/messages.pot app.py portal licensing training templates
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l es --no-fuzzy-matching --ignore-obsolete

run: $(VENV)/.installed translations
	$(FLASK) upgrade-db
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Two pytest-xdist workers (2 cores): whole files per worker, so a file's module fixtures are built once; the fuzz
# cases one by one and the longest files first (tests/xdist_schedule.py). Every database, lock, port and Redis key a
# test uses is its worker's own (tests/support.py, tests/conftest.py). TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= 2

test: $(VENV)/.installed-test translations
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# Seeds 1,000 and 10,000 households into fresh databases and times every main page (docs/performance.md); with
# DATABASE_URL set to a PostgreSQL database .../NAME it uses NAME1k and NAME10k (dropped and created).
bench: $(VENV)/.installed-test translations
	$(BIN)/python -m tests.performance.bench

# The standing fuzzer with many more examples than `make test` runs (15 to 20 minutes on 2 cores).
fuzz: $(VENV)/.installed-test translations
	FUZZ_EXAMPLES=400 $(BIN)/python -m pytest -m fuzz -n $(TEST_WORKERS) --dist loadfile

# 50 people of mixed roles for 60 s against gunicorn (2 workers) and PostgreSQL at 10,000 households, after the
# anonymous home page as the baseline (docs/performance.md, "Load"). A fresh database: LOAD_DATABASE_URL, else
# DATABASE_URL's server with `_load` after its name, else portal_load on 127.0.0.1. LOAD_KEEP_DATABASE=1 reuses it.
load: $(VENV)/.installed-test translations
	$(BIN)/python -m tests.load.run

# The cron jobs at agency scale: send-reminders and send-mail over 10,000 due items (DATABASE_URL for PostgreSQL).
bench-jobs: $(VENV)/.installed-test translations
	$(BIN)/python -m tests.performance.jobs_bench --items $(or $(ITEMS),10000)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance translations/es/LC_MESSAGES/messages.mo
