# The two commands of the README (make run, make test) create .venv themselves from the
# exact pins in pyproject.toml and requirements.lock; nothing else needs to be installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PO := $(wildcard kiosk/i18n/*/LC_MESSAGES/kiosk.po)
MO := $(PO:.po=.mo)

.PHONY: run test lint typecheck unit bench clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=23"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

run: $(STAMP) $(MO)
	$(BIN)/kiosk

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) $(MO)
	$(BIN)/pytest -n auto -q $(PYTEST_ARGS)

test: lint typecheck unit

bench: $(STAMP) $(MO)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(MO)
