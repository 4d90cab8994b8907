# Every target sets up .venv from pyproject.toml first; nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test lint demo run simulator bench clean

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

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
