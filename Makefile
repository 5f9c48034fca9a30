# The two commands of the README (make run, make test) create .venv themselves from the
# exact pins in requirements.lock (hashed; compiled from pyproject.toml by `make lock`);
# nothing but Python 3.11+ and make needs to be on the machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
# The lock pins this same uv (dev extra): once the lock is installed, .venv/bin/uv is it.
UV_VERSION := 0.13.8
STAMP := $(VENV)/.installed
PO := $(wildcard kiosk/i18n/*/LC_MESSAGES/kiosk.po)
MO := $(PO:.po=.mo)

.PHONY: run test lint typecheck unit bench fuzz clean lock

# uv from the package index, through Python's own pip into a throw-away folder (through a
# throw-away venv's pip where Python has none); it creates .venv and installs the lock there.
# Measured with empty caches: 1.6 s for pip + 0.1 s for `uv venv`, where `python -m venv`
# alone (which installs pip into the venv) took 3 to 4.5 s.
BOOTSTRAP_UV := boot=$$(mktemp -d) && trap 'rm -rf "$$boot"' EXIT \
	&& if $(PYTHON) -m pip --version >/dev/null 2>&1; then pip="$(PYTHON) -m pip"; \
	else $(PYTHON) -m venv "$$boot/venv" && pip="$$boot/venv/bin/python -m pip"; fi \
	&& $$pip install -qq --disable-pip-version-check --target "$$boot/uv" "uv==$(UV_VERSION)" \
	&& "$$boot/uv/bin/uv" venv --quiet --allow-existing --python $(PYTHON) $(VENV) \
	&& "$$boot/uv/bin/uv" pip sync --quiet --compile-bytecode --python $(BIN)/python --require-hashes requirements.lock

$(UV):
	@$(BOOTSTRAP_UV)

# One line of progress. The venv becomes exactly the lock (every wheel checked against its
# hash), its modules compiled to bytecode once (where PYTHONDONTWRITEBYTECODE is set, as on
# the build machine, every process would compile Textual and SQLAlchemy anew: the kiosk's
# start took 453 ms instead of 205 ms); the project is installed editable with the dev
# extra, built by the venv's own setuptools and Babel (build requirements are in the lock
# too); `uv pip check` fails if pyproject.toml asks for something the lock lacks (then run
# `make lock`).
$(STAMP): pyproject.toml requirements.lock
	@printf 'Setting up $(VENV): uv $(UV_VERSION)'
	@test -x $(UV) || { $(BOOTSTRAP_UV); }
	@printf ', the locked dependencies'
	@$(UV) pip sync --quiet --compile-bytecode --python $(BIN)/python --require-hashes requirements.lock
	@printf ', the kiosk'
	@$(UV) pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e ".[dev]"
	@$(UV) pip check --quiet --python $(BIN)/python
	@touch $(STAMP)
	@echo ': done.'

# Maintainers, after changing a dependency in pyproject.toml: the runtime, dev and build
# requirements at exact versions with their hashes, for every platform and Python >= 3.11.
lock: | $(UV)
	$(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
		| $(UV) pip compile --quiet --universal --generate-hashes --extra dev \
		--custom-compile-command "make lock" -o requirements.lock pyproject.toml -

%.mo: %.po | $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

# The project's own modules as bytecode, as an installed wheel has them: where
# PYTHONDONTWRITEBYTECODE is set (the build machine), Python would compile them from source in
# every process (the kiosk's start: 375 ms from source, 341 ms compiled, against a 270 ms bare
# Textual app), and in each of the test suite's worker and child processes. Files already
# compiled are skipped; a stale .pyc is never used (Python checks each one's source).
COMPILE := $(BIN)/python -m compileall -q kiosk screens store receipts bench tests

run: $(STAMP) $(MO)
	@$(COMPILE)
	$(BIN)/kiosk

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# One worker more than the cores: the multi-process tests wait for their processes, the command
# line's tests for theirs and the store's for PostgreSQL, so one worker per core left the 2-core
# build machine a quarter idle (154% of 200%). With PostgreSQL, a clean .ci/run: 8 min 38 s at
# one worker per core, 7 min 25 s at three (issue 19). No test is bound to time: they wait for
# the work itself, also under that load.
WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
unit: $(STAMP) $(MO)
	@$(COMPILE)
	$(BIN)/pytest -n $(WORKERS) -q $(PYTEST_ARGS)

test: lint typecheck unit

bench: $(STAMP) $(MO)
	$(BIN)/python -m bench

# Issue 15 §5: 10,000 hostile command lines against the contract (0/1/2/3, one line, nothing
# written on a refusal), in 5 runs of 2,000 with their own seeds (one process's heap of 10,000
# runs takes minutes to collect at exit); `make test` runs 300 of them.
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP) $(MO)
	for seed in 1 2 3 4 5; do \
		KIOSK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q --hypothesis-seed=$$seed \
			tests/kiosk/test_cli_fuzz.py || exit 1; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(MO)
