# ShelterAssess: two commands for a fresh machine.
#   make run   set up, create and seed the SQLite database, serve http://127.0.0.1:5000
#   make test  set up (installing Debian's chromium if missing) and run every test
#   make scan-static  bandit + semgrep (rule tests first); make scan  that, then wapiti + sqlmap
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app shelterassess
DEMO_PASSWORD ?= demo-password-2027
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup translations translations-update chromium db demo bench wrk clean scan scan-static scan-setup sbom

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

# pytest-xdist: one worker per CPU (TEST_JOBS=0: one process, no workers; docs/testing.md). Each
# module runs on one worker; the role x route matrix is split into 8 work units.
TEST_JOBS ?= auto
test: setup chromium
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadgroup $(PYTEST_ARGS)

# Benchmarks against bare baselines (docs/performance.md): PostgreSQL at BENCH_POSTGRES
# (default postgresql://postgres@127.0.0.1:5432), wrk installed from Debian when missing.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing Debian's wrk for the benchmarks"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

bench: setup wrk
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache

# --ignore-dirs: by default pybabel skips every folder whose name starts with _ (templates/_macros/ was lost).
translations-update: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs '.* __pycache__' -o shelterassess/translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -i shelterassess/translations/messages.pot -d shelterassess/translations --no-fuzzy-matching

# Security scanners, in their own virtualenvs so that their pins never meet the app's
# (wapiti3 3.2.3 pins httpx 0.27.0; semgrep 1.185.0 needs httpx >= 0.27.1). docs/security-scans.md
SCAN_VENV := .venv-scan
WAPITI_VENV := .venv-wapiti
SEMGREP := $(SCAN_VENV)/bin/semgrep --metrics=off --disable-version-check

$(SCAN_VENV)/.installed: requirements-scan.lock
	$(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/pip install --quiet -r requirements-scan.lock
	touch $@

$(WAPITI_VENV)/.installed: requirements-wapiti.lock
	$(PYTHON) -m venv $(WAPITI_VENV)
	$(WAPITI_VENV)/bin/pip install --quiet -r requirements-wapiti.lock
	touch $@

scan-setup: $(SCAN_VENV)/.installed $(WAPITI_VENV)/.installed

# bandit and the local semgrep rules (scan/semgrep.yml); the rules' own tests run first.
scan-static: $(SCAN_VENV)/.installed
	$(SEMGREP) --test --config scan/tests scan/tests
	$(SCAN_VENV)/bin/bandit -q -c scan/bandit.yml -r shelterassess
	$(SEMGREP) scan --config scan/semgrep.yml --error --quiet shelterassess

# scan-static, then the app with demo data on 127.0.0.1 under wapiti and sqlmap (scan/run.py).
scan: setup scan-setup scan-static
	$(BIN)/python scan/run.py $(SCAN_ARGS)

# A CycloneDX SBOM of the app's installed dependencies (checklist item 36), offline, in build/.
SBOM_VENV := .venv-sbom

$(SBOM_VENV)/.installed: requirements-sbom.lock
	$(PYTHON) -m venv $(SBOM_VENV)
	$(SBOM_VENV)/bin/pip install --quiet -r requirements-sbom.lock
	touch $@

sbom: setup $(SBOM_VENV)/.installed
	mkdir -p build
	$(SBOM_VENV)/bin/cyclonedx-py environment --of JSON --output-reproducible -o build/sbom.cdx.json $(VENV)
	@echo "SBOM written to build/sbom.cdx.json"
