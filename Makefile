# Two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := lti_tool:create_app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test pdf-libs browser haproxy faults-ci translations fr-typography migrate check lint unit test-pg worker web clean registration-url

# What running needs (make run): the project and its runtime dependencies only.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

# What testing adds (make test, make lint): pytest, Playwright, axe, ruff, mypy, import-linter.
$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: pdf-libs $(VENV)/.installed

# WeasyPrint (the PV de jury as PDF/UA) needs Pango: Debian's libpango-1.0-0 and libpangoft2-1.0-0.
pdf-libs:
	@if { /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; } | grep -q 'libpangoft2-1.0.so.0'; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	else echo "Pango absent : installez les paquets Debian libpango-1.0-0 et libpangoft2-1.0-0 (sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0)"; exit 1; fi

install-test: pdf-libs $(VENV)/.installed-test

translations: install
	$(VENV)/bin/pybabel compile -d lti_tool/translations

# French catalog: no-break spaces before « : ; ! ? » in the strings (lti_tool/i18n_typography.py).
fr-typography: install
	$(PY) -m lti_tool.i18n_typography
	$(VENV)/bin/pybabel compile -d lti_tool/translations

migrate: install translations
	$(FLASK) db upgrade

check: install
	$(PY) -m course check course

run: migrate check
	@echo "Plateforme de démonstration (lancer l'outil sans LMS) : http://$(HOST):$(PORT)/demo/"
	@echo "Outil : http://$(HOST):$(PORT)/"
	@echo "Adresse d'enregistrement pour une plateforme : make registration-url HOST=$(HOST) PORT=$(PORT)"
	BILAN_BASE_URL=http://$(HOST):$(PORT) $(FLASK) worker run & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	BILAN_PRELOAD=0 BILAN_BASE_URL=http://$(HOST):$(PORT) $(VENV)/bin/gunicorn --reload -w 2 --threads 4 -b $(HOST):$(PORT) --access-logfile - --logger-class lti_tool.log_redaction.RedactingLogger 'lti_tool:create_app()'

# A one-time dynamic registration URL naming the address `make run` serves (same HOST and PORT).
registration-url: migrate
	@BILAN_BASE_URL=$${BILAN_BASE_URL:-http://$(HOST):$(PORT)} $(FLASK) lti registration-url

browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "Chromium absent : installez les paquets Debian chromium et chromium-driver (sudo apt-get install chromium chromium-driver)"; exit 1; fi

# The load balancer of bench/faults.py and of its CI test (Debian's HAProxy; not started here).
haproxy:
	@if [ -x /usr/sbin/haproxy ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; \
	else echo "HAProxy absent : installez le paquet Debian haproxy (sudo apt-get install haproxy)"; exit 1; fi

# Scenarios (a) and (b) of bench/faults.py with 20 candidates: two nodes behind HAProxy, a private
# PostgreSQL cluster; exits non-zero on a lost answer or a grade sent twice (tests/integration).
faults-ci: install-test haproxy
	$(PY) -m pytest tests/integration/test_faults_short.py -q

lint: install-test
	$(VENV)/bin/ruff check course grading lti_tool tests bench
	$(VENV)/bin/mypy course grading lti_tool
	$(VENV)/bin/lint-imports

test: install-test browser haproxy translations lint check
	$(PY) -m pytest

# The suite against PostgreSQL (used by .ci/run).
test-pg: install-test browser haproxy translations
	BILAN_TEST_DATABASE_URL=$${BILAN_TEST_DATABASE_URL:-postgresql+psycopg://127.0.0.1:5432/test} $(PY) -m pytest

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache
