# Two commands a newcomer needs: `make run` (set up + start the app) and `make test` (set up + run every test).
# Re-running either is fast: the virtualenv is rebuilt only when pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# pip would resolve a bare `torch` to the multi-GB CUDA build; install this spec first (CPU wheel here).
# With a GPU: make run TORCH_SPEC=torch TORCH_INDEX=https://download.pytorch.org/whl/cu126
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
PORT ?= 8501

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.torch: | $(BIN)/python
	$(BIN)/python -c "import torch" 2>/dev/null || \
	  $(BIN)/python -m pip install -q "$(TORCH_SPEC)" $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	touch $@

$(VENV)/.app: pyproject.toml $(VENV)/.torch
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.app
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

run: $(VENV)/.app
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(VENV)/.app
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache
