# ShelterAssess: two commands for a fresh machine.
#   make run   set up, create and seed the SQLite database, serve http://127.0.0.1:5000
#   make test  set up (installing Debian's chromium if missing) and run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app shelterassess
DEMO_PASSWORD ?= demo-password-2027
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup translations translations-update chromium db demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.lock setup.cfg
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

setup: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -f -d shelterassess/translations >/dev/null

db: setup
	$(FLASK) init-db

demo: setup
	$(FLASK) seed-demo --password "$(DEMO_PASSWORD)"

run: demo
	@echo "Serving ShelterAssess at http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: setup chromium
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache

# --ignore-dirs: by default pybabel skips every folder whose name starts with _ (templates/_macros/ was lost).
translations-update: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs '.* __pycache__' -o shelterassess/translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -i shelterassess/translations/messages.pot -d shelterassess/translations --no-fuzzy-matching
