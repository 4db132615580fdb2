# Frontdesk — two commands on a fresh machine: `make run` (the product on the example settings) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
TESTING := $(VENV)/.test-installed
# One settings source: `make run` and a bare `.venv/bin/frontdesk ...` both read ./frontdesk.toml (made from the
# example on the first run). FRONTDESK_KB and FRONTDESK_DATA_DIR default to examples/kb and var in the CLI too.
FRONTDESK_KB ?= examples/kb
# make run PORT=8081 when 8080 is taken
PORT ?=
# Pip shows its progress; the build backend's warnings are silenced (PYTHONWARNINGS reaches pip's build subprocess),
# which keeps setuptools' editable-install notice box off a new user's first screen.
PIP_INSTALL := PYTHONWARNINGS=ignore $(BIN)/python -m pip install --progress-bar on

.PHONY: run test install lint typecheck bench clean

$(RUNTIME): pyproject.toml
	@test -x $(BIN)/python || { echo "Creating the virtual environment in $(VENV) ..."; $(PYTHON) -m venv $(VENV); }
	@echo "Installing Frontdesk's runtime dependencies into $(VENV) (the first time takes a few minutes) ..."
	@$(BIN)/python -m pip install --quiet --upgrade pip
	$(PIP_INSTALL) -e .
	@rm -f $(TESTING)
	@touch $@

$(TESTING): $(RUNTIME)
	@echo "Adding the test tools (pytest, ruff, mypy, ...) to $(VENV) ..."
	$(PIP_INSTALL) -e '.[test]'
	@touch $@

install: $(TESTING)

frontdesk.toml:
	@cp examples/frontdesk.toml $@
	@echo "Created frontdesk.toml from examples/frontdesk.toml: make run and .venv/bin/frontdesk both read it."

run: $(RUNTIME) frontdesk.toml
	@$(BIN)/frontdesk serve --check-port --make-hint $(if $(PORT),--port $(PORT))
	$(BIN)/frontdesk db upgrade
	$(BIN)/frontdesk kb ingest $(FRONTDESK_KB)
	$(BIN)/frontdesk serve $(if $(PORT),--port $(PORT)) --make-hint

# The tests build their own settings; the example config is the one they were written against.
test: export FRONTDESK_CONFIG = examples/frontdesk.toml
test: $(TESTING)
	$(BIN)/python -m pytest

lint: $(TESTING)
	$(BIN)/ruff check bot adapters knowledge policies scheduler tests bench

typecheck: $(TESTING)
	$(BIN)/mypy bot adapters knowledge policies scheduler

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache *.egg-info
