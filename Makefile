# Two entry points for a new user: `make demo` (the main job) and `make test`.
# Each creates .venv and installs what it needs the first time.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --disable-pip-version-check -q -c constraints.txt
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench clean browser docs

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -e '.[dev,torch,keras,jax,cli,lab,ray,docs]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/actloss compare --out actloss-results

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m ruff format --check src tests benchmarks
	$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	$(PY) -m mypy

pytest: $(STAMP) browser
	$(PY) -m pytest -q

# The atlas browser test drives Debian's chromium through Playwright (no browser
# download). Install it when missing and apt-get is usable (root or sudo); else the
# test skips with the reason.
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "chromium not installed and no root: the atlas browser test will skip"; exit 0; fi; \
	  echo "installing chromium for the atlas browser test"; \
	  ($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium >/dev/null) || echo "could not install chromium: the atlas browser test will skip"; \
	fi

test: lint typecheck pytest

# The documentation site (MkDocs + Material + mkdocstrings) into site/: a page per catalog entry
# generated from its spec at build time (docs/_scripts/gen_pages.py); warnings fail the build.
# The test suite builds it too (tests/docs). Open site/index.html, or `mkdocs serve`.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true $(PY) -m mkdocs build --strict --site-dir site

# Fused-kernel benchmarks (actloss.fast vs PyTorch autograd, tutorial NumPy): writes
# benchmarks/README.md; under 10 minutes on 2 cores. Run it on a quiet machine.
bench: $(STAMP)
	$(PY) -m benchmarks.kernels

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis site
