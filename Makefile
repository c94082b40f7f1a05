# tensorkit: `make lab` opens the lessons, `make test` runs every test.
# Both start with `make setup`, which is idempotent and instant when nothing changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
VENV_STAMP    := $(VENV)/.stamp-venv
# The editable install maps a top-level package differently when its __init__.py is missing
# (as a namespace package), so the stamp's name records which ones exist: creating
# tensorkit/__init__.py after an install triggers one re-install (.stamp-install-tensorkit-widgets).
empty :=
space := $(empty) $(empty)
PKG_NAMES     := $(patsubst %/__init__.py,%,$(wildcard tensorkit/__init__.py widgets/__init__.py))
INSTALL_STAMP := $(VENV)/.stamp-install-$(subst $(space),-,$(strip $(PKG_NAMES)))
WEB_STAMP     := web/node_modules/.stamp-npm-ci
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
WEB_PORT      ?= 8000

# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k shape -x"`.
PYTEST_ARGS ?=
# The lessons and their solutions (lessons/solutions/) are run by nbval and their outputs
# compared with the stored ones (naming paths overrides pyproject's testpaths, so tests is
# named too). The kernel is this .venv's Python; lessons/nbval_sanitize.cfg blanks what cannot
# repeat (Graphviz SVG bytes, addresses, timings); lessons/conftest.py applies display updates.
LESSONS_PYTEST_ARGS := --nbval --nbval-current-env \
	--nbval-sanitize-with lessons/nbval_sanitize.cfg tests lessons

# JupyterLab refuses to run as root unless told to.
JUPYTER_ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

.PHONY: help setup system-deps lab test bench clean web references

help:
	@echo "make lab    set up, then open the lessons in JupyterLab"
	@echo "make test   set up, then run ruff and every test"
	@echo "make setup  .venv + editable install of .[dev] + Graphviz and Chromium"
	@echo "make bench  set up, install torch for comparison, run bench/*.py"
	@echo "make web    set up, export a pretrained digits model, serve web/ on 127.0.0.1"
	@echo "make references  re-record the Keras/PyTorch cases the tests compare with"
	@echo "make clean  remove .venv and caches"

setup: $(INSTALL_STAMP) system-deps $(WEB_STAMP) $(LAB_OVERRIDES)

# The virtual environment, with an up-to-date pip.
$(VENV_STAMP):
	@[ -x $(PY) ] || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	$(PIP) install --upgrade pip
	@touch $@

# Editable install of tensorkit + widgets with the dev tools; redone when pyproject.toml changes.
$(INSTALL_STAMP): pyproject.toml $(VENV_STAMP)
	@echo "Installing tensorkit (editable) with the dev extra into $(VENV)"
	@rm -f $(VENV)/.stamp-install*
	$(PIP) install -e '.[dev]'
	@touch $@

# TensorFlow.js for web/ (the page, and the Node checks of tk.export), pinned by
# web/package-lock.json; redone when the lock changes. Without npm the tfjs tests skip.
$(WEB_STAMP): web/package.json web/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		echo "Installing web/ dependencies (TensorFlow.js) with npm ci"; \
		(cd web && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) && touch $@; \
	else \
		echo "npm is missing, so web/ and its TensorFlow.js tests are skipped: install" \
		     "Node.js 18+ (e.g. \`sudo apt-get install nodejs npm\`)." >&2; \
	fi

# JupyterLab defaults for this .venv: save widget state with the notebook, so a learner's
# saved notebook shows its widgets again when reopened (not "model not found").
$(LAB_OVERRIDES): scripts/lab-overrides.json $(INSTALL_STAMP)
	@mkdir -p $(dir $@)
	cp scripts/lab-overrides.json $@

# Graphviz's `dot` and Debian's Chromium (apt-get when root); see the script.
system-deps:
	@bash scripts/ensure-system-deps.sh

lab: setup
	@mkdir -p lessons
	$(VENV)/bin/jupyter lab lessons/ --ip=127.0.0.1 $(JUPYTER_ROOT_FLAG)

test: setup
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(LESSONS_PYTEST_ARGS) $(PYTEST_ARGS)

# The webcam page with a shipped model (web/export_model.py; your own: tk.export.to_tfjs(
# model, "web/model")). WEB_PORT=8001 make web for another port.
web: setup
	$(PY) web/export_model.py digits_cnn
	@echo "Open http://127.0.0.1:$(WEB_PORT)/ in your browser (Ctrl-C stops the server)."
	$(PY) -m http.server $(WEB_PORT) --bind 127.0.0.1 --directory web

# PyTorch is installed only here, for comparison figures; it is not a dependency.
# On the project's machines `torch==2.13.0` is a CPU build that pip takes from local disk;
# elsewhere pip downloads it from PyPI (on Linux x86_64 a CUDA build of several GB).
bench: setup
	@$(PY) -c 'import torch' 2>/dev/null || $(PIP) install torch==2.13.0
	@shopt -s nullglob; files=(bench/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "No bench/*.py yet."; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; $(PY) "$$f"; done

# Re-record the reference cases that `make test` compares with (tests/reference.py): real
# Keras 3 (JAX backend) and PyTorch in a separate .venv-reference, so neither becomes a
# dependency of the kit. Only needed when a case is added; the .npz files are committed.
REF_VENV := .venv-reference
references: setup
	@[ -x $(REF_VENV)/bin/python ] || $(PYTHON) -m venv $(REF_VENV)
	$(REF_VENV)/bin/python -m pip --disable-pip-version-check -q install \
		keras==3.15.1 'jax[cpu]==0.10.2' torch==2.13.0 tensorflow-cpu==2.21.0 -e .
	@for script in scripts/reference/keras_*.py scripts/reference/torch_*.py; do \
		echo "== $$script"; \
		KERAS_BACKEND=jax $(REF_VENV)/bin/python $$script; done

clean:
	rm -rf $(VENV) $(REF_VENV) .pytest_cache .ruff_cache .hypothesis build dist test-artifacts *.egg-info
	find . -path ./.git -prune -o -path ./web/node_modules -prune -o \
		-name __pycache__ -type d -prune -exec rm -rf {} +
