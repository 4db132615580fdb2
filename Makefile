# Frontdesk — two commands on a fresh machine: `make run` (the product on embedded defaults) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FRONTDESK_CONFIG ?= examples/frontdesk.toml
export FRONTDESK_KB ?= examples/kb
export FRONTDESK_DATA_DIR ?= var
# make run PORT=8081 when 8080 is taken
PORT ?=

.PHONY: run test install lint typecheck bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/frontdesk db upgrade
	$(BIN)/frontdesk kb ingest $(FRONTDESK_KB)
	$(BIN)/frontdesk serve $(if $(PORT),--port $(PORT))

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check bot adapters knowledge policies scheduler tests bench

typecheck: $(STAMP)
	$(BIN)/mypy bot adapters knowledge policies scheduler

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache *.egg-info
