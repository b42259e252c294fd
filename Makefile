# Order Up! -- two commands do all the set-up:
#   make lab    create .venv, install the pinned packages, open lesson 00 in JupyterLab
#   make test   the same install, then every test (labkit, notebooks with nbval, labs), in parallel
#   make test-fast   the inner loop: labkit and the restaurant, no notebook (under 2 minutes)
#   make bench  the queue race, cold starts, every lesson and a room of learners on a hub (benchmarks/README.md)
#   make restaurant   the restaurant outside Jupyter: Redis, worker, beat, Daphne under supervisor (PORT=8000)
#   make site   the course's web site, from the notebooks as committed, into build/site/ (HUB=https://... adds a hub's links)
# A Python 3.11 or newer: python3 if it is one, else the newest python3.13, python3.12 or python3.11
# on PATH (Ubuntu 22.04's python3 is 3.10). Choose another with `make lab PYTHON=/path/to/python3.12`.
SUITABLE = import sys; sys.exit(sys.version_info < (3, 11))
ifeq ($(origin PYTHON),undefined)
PYTHON := $(firstword $(foreach p,python3 python3.13 python3.12 python3.11,$(shell $(p) -c '$(SUITABLE)' 2>/dev/null && command -v $(p))))
endif
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: restaurant site lab lint test test-fast test-durations labs outputs bench .venv-arq

NO_PYTHON = Order Up! needs Python 3.11 or newer, and found none on PATH (python3, python3.13, python3.12, python3.11).\nInstall one (python.org, your package manager, pyenv), or name it: make lab PYTHON=/path/to/python3.12

# Git Bash, MSYS2 or Cygwin on Windows itself: the course runs in WSL 2 (labkit/doctor/report.py says why)
NATIVE_WINDOWS = Order Up! does not run on Windows itself, only inside WSL 2, where it is Linux: in PowerShell\n  wsl --install\nthen, in the Ubuntu terminal it opens, clone the course and run make lab there. Or use Binder (README).\nWhy: Celery does not support Windows, and the Redis server the course installs from PyPI has no Windows build.
UNAME ?= $(shell uname -s 2>/dev/null)

# Installs $(2) into the virtualenv $(1) with uv (from PyPI, pinned): a third of pip's time here (12 s against
# 31 s for requirements.txt), compiling what it installs as pip does. With PYTHONDONTWRITEBYTECODE=1, as on
# some machines, every program would otherwise compile every module it imports, each time it starts.
# Where uv cannot install (an index only pip is configured for, say), pip does it.
UV_VERSION := 0.13.9
define install
	$(1)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION) && \
		$(1)/uv pip install --quiet --python $(1)/python --compile-bytecode $(2) || \
		$(1)/python -m pip install --quiet --disable-pip-version-check $(2)
endef

$(INSTALLED): requirements.txt pyproject.toml binder/overrides.json
	@case "$(UNAME)" in MINGW*|MSYS*|CYGWIN*|Windows*) printf '$(NATIVE_WINDOWS)\n' >&2; exit 1;; esac
	@test -n "$(PYTHON)" || { printf '$(NO_PYTHON)\n' >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit("Order Up! needs Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(call install,$(BIN),-r requirements.txt)
	$(call install,$(BIN),--no-deps -e .)
	@# JupyterLab's settings, as on Binder (binder/postBuild): no news pop-up, no "Select Kernel" dialog
	mkdir -p $(VENV)/share/jupyter/lab/settings && cp binder/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $@

# arq's own virtualenv for the queue race (arq 0.28 requires redis<6; the course pins redis 8.1)
ARQ_VENV := .venv-arq
ARQ_INSTALLED := $(ARQ_VENV)/.installed
.venv-arq: $(ARQ_INSTALLED)

$(ARQ_INSTALLED): benchmarks/requirements-arq.txt
	$(PYTHON) -m venv $(ARQ_VENV)
	$(call install,$(ARQ_VENV)/bin,-r benchmarks/requirements-arq.txt)
	@touch $@

# The web site's builder in a virtualenv of its own (Sphinx, MyST-NB, the book theme: site/requirements.txt)
SITE_VENV := .venv-site
SITE_INSTALLED := $(SITE_VENV)/.installed

$(SITE_INSTALLED): site/requirements.txt
	@test -n "$(PYTHON)" || { printf '$(NO_PYTHON)\n' >&2; exit 1; }
	$(PYTHON) -m venv $(SITE_VENV)
	$(call install,$(SITE_VENV)/bin,-r site/requirements.txt)
	@touch $@

site: $(SITE_INSTALLED)
	$(SITE_VENV)/bin/python site/build.py $(if $(HUB),--hub $(HUB))

# Jupyter refuses to run as root unless told to; only root (a container, say) gets the flag.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(INSTALLED) $(ARQ_INSTALLED)
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" --config=binder/jupyter_server_config.py \
		--LabApp.default_url=/lab/tree/notebooks/00-open-the-restaurant.ipynb

# The restaurant outside Jupyter, for your own editor, terminal and browser: Redis, then the worker, beat
# and Daphne under supervisor with the production settings (deploy/supervisor/); Ctrl+C stops them all.
restaurant: $(INSTALLED)
	$(BIN)/python -m labkit.kitchen.outside $(if $(PORT),--port $(PORT))

# The whole suite, in parallel: notebooks mostly wait (on cooks, timeouts, Redis), so more workers
# than cores pay off. Each worker has a course home of its own (conftest.py). TEST_WORKERS=1: serial.
TEST_WORKERS ?= 6
# Every kernel, worker and Daphne the tests start imports labkit or the restaurant: compiled once here,
# not again in each process where PYTHONDONTWRITEBYTECODE=1 stops Python from saving what it compiles.
COMPILE = $(BIN)/python -m compileall -q labkit restaurant clinic >/dev/null

test: $(INSTALLED) $(ARQ_INSTALLED) lint
	$(COMPILE)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=20

# The whole suite, and each test file's measured time written to tests/durations.json: the order
# in which `make test` starts the files (longest first), so that no long file starts last.
test-durations: $(INSTALLED) $(ARQ_INSTALLED)
	ORDERUP_STORE_DURATIONS=1 $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# The linter, with the rules in pyproject.toml (make test runs it first).
lint: $(INSTALLED)
	$(BIN)/ruff check .

# The inner loop, under 2 minutes: labkit and the restaurant against real services, no notebook,
# browser, hub or fresh install (those are marked slow).
test-fast: $(INSTALLED)
	$(BIN)/python -m pytest tests -m "not slow" -n $(TEST_WORKERS) --dist loadfile --durations=10

# Everything, about 10 minutes here: benchmarks/results/ (WRITE=1: also the README's and the guide's sections).
# ONLY=rq (or ONLY=celery,arq): that queue-race line alone, printed.
bench: $(INSTALLED) $(ARQ_INSTALLED)
ifdef ONLY
	$(BIN)/python benchmarks/queues.py --only $(ONLY)
else
	$(BIN)/python benchmarks/bench.py $(if $(WRITE),--write)
endif

# For authors: rebuild labs/ from solutions/, and re-run notebooks to refresh their outputs.
labs: $(INSTALLED)
	$(BIN)/python -m labkit.authoring.labs

outputs: $(INSTALLED)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace notebooks/*.ipynb solutions/*.ipynb
	$(BIN)/python -m labkit.authoring.labs
