# Every target sets up .venv from pyproject.toml first; nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test test-postgres lint demo run simulator bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check bot handlers storage fakes tests bench
	$(PY) -m mypy

test: lint
	$(PY) -m pytest -q

# The same suite on PostgreSQL: a private PostgreSQL 15 server is started for it (as the
# postgres user when run as root; installed when missing) and stopped at the end.
# TEST_DATABASE_URL=postgresql://… uses a server of your own instead.
test-postgres: $(STAMP)
	@if [ -n "$(TEST_DATABASE_URL)" ]; then \
		TEST_REQUIRE_POSTGRES=1 $(PY) -m pytest -q; \
	else \
		dir=$$(mktemp -d /tmp/senpay-pg.XXXXXX) && chmod 755 $$dir && \
		port=$$($(PY) -c 'from fakes.process import free_port; print(free_port())') && \
		trap ".ci/postgres stop $$dir" EXIT INT TERM && \
		url=$$(.ci/postgres start $$dir $$port) && \
		TEST_DATABASE_URL=$$url TEST_REQUIRE_POSTGRES=1 $(PY) -m pytest -q; \
	fi

# `make demo LANGUAGE=wo` (or en): the demo in Wolof (English) from its first message.
# `make demo CREDIT=500000`: the demo user starts with credit instead of 0 FCFA.
demo: $(STAMP)
	$(PY) -m bot demo $(if $(LANGUAGE),--language $(LANGUAGE)) $(if $(CREDIT),--credit $(CREDIT))

run: $(STAMP)
	$(PY) -m bot

simulator: $(STAMP)
	$(PY) -m bot simulator --port 8090

bench: $(STAMP)
	$(PY) -m bench.conversation
	$(PY) -m bench.callbacks
	$(PY) -m bench.callback_transaction
	$(PY) -m bench.latency
	$(PY) -m bench.delivery
	$(PY) -m bench.whatsapp_ingest
	$(PY) -m bench.whatsapp_delivery
	$(PY) -m bench.http_layer
	$(PY) -m bench.receipts
	$(PY) -m bench.scaleout

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
