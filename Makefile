# Two commands a newcomer needs: `make run` (set up + start the app) and `make test` (set up + run every test).
# Re-running either is fast: packages are reinstalled only when pyproject.toml or the torch choice changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# pip would resolve a bare `torch` to the multi-GB CUDA build; install this spec first (CPU wheel here).
# With a GPU: make run TORCH_SPEC=torch TORCH_INDEX=https://download.pytorch.org/whl/cu126
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
PORT ?= 8501
# Only this machine can reach the app; a classroom server uses ADDRESS=0.0.0.0 (see README).
ADDRESS ?= 127.0.0.1

.PHONY: run test bench clean torch

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "NN Explorer needs Python >= 3.11, found " + sys.version.split()[0] + ": run make PYTHON=python3.11 ...")'
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "Python's venv module is missing (Debian/Ubuntu: sudo apt-get install python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install -q --upgrade pip || { rm -rf $(VENV); exit 1; }

# Installs TORCH_SPEC when it differs from what .venv/.torch records (a change of spec reinstalls torch).
torch: | $(BIN)/python
	@want='$(TORCH_SPEC) $(TORCH_INDEX)'; have="$$(cat $(VENV)/.torch 2>/dev/null)"; \
	if [ "$$want" != "$$have" ]; then \
	  $(BIN)/python -m pip install -q $${have:+--force-reinstall} '$(TORCH_SPEC)' \
	    $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX)) && echo "$$want" > $(VENV)/.torch; \
	fi

$(VENV)/.app: pyproject.toml | torch
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.app
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

run: torch $(VENV)/.app
	$(BIN)/python app.py --server.port $(PORT) --server.address $(ADDRESS)

test: torch $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

bench: torch $(VENV)/.app
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache
