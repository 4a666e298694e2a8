# Two commands on a fresh machine: `make lab` and `make test`. Everything else is a helper.
SHELL := /bin/bash
# The venv is built from an interpreter every user can run (Debian's own python3), so that an
# unprivileged grader and students' servers can use it; a python3 under a private home cannot.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSIGNMENTS := $(notdir $(wildcard source/[0-9][0-9]_*))
PORT ?= 8888
# JupyterLab refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
# pytest arguments: one worker per core; a notebook or a chapter stays on one worker (xdist_group).
PYTEST_ARGS ?= -n auto --dist loadgroup
# nbgrader runs `alembic` from PATH when it creates a gradebook: the venv's bin/ comes first.
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Debian packages the checks need: a real browser for what students see, and bubblewrap,
# the sandbox `python -m autograder grade` runs every submission in.
SYSTEM_PACKAGES := chromium chromium-driver bubblewrap

# The instructor's files: grades, submissions, feedback. No target but discard-grades removes them.
CLASS_DATA := gradebook.db submitted autograded feedback downloaded reports

.PHONY: setup lab test test-fast check-format format release nbval refresh-outputs system-deps bench clean \
	discard-grades student-copy
.PHONY: hub hub-deps

setup: $(STAMP) system-deps

# The venv is rebuilt whenever the pins change; torch==2.13.0 comes from this machine's disk.
$(STAMP): requirements.txt pyproject.toml lab/overrides.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -c 'import sys; sys.exit(0)' || { echo "$(VENV) does not run; make clean, then make setup"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	for ext in formgrader validate_assignment assignment_list course_list; do \
	  $(BIN)/jupyter server extension enable --sys-prefix nbgrader.server_extensions.$$ext >/dev/null 2>&1 || exit 1; \
	done
	$(BIN)/jupyter labextension enable @jupyter/nbgrader >/dev/null
	# The course's JupyterLab defaults: no "official Jupyter news?" prompt, no update checks.
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp lab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

lab: $(STAMP) system-deps
	@echo "Starting JupyterLab at the course root; open the URL it prints (release/ for students, source/ for instructors)."
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)"

test: $(STAMP) system-deps hub-deps check-format
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The inner loop (README "The inner loop"): formatting, lint, and every test that starts no
# kernel, no nbgrader, no browser and no hub; no apt-get. About 2 minutes on 2 cores.
test-fast: $(STAMP) check-format
	$(BIN)/python -m pytest $(PYTEST_ARGS) -m "not slow and not browser and not hub" tests

# Installs the Debian packages above when they are missing (as root, with apt-get).
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "missing Debian packages:$$missing; install them (sudo apt-get install$$missing)"; \
	  echo "or the browser tests are skipped (and fail under CI=true)"; \
	fi

# `make hub` (HUB_DEMO_PASSWORD=..., HUB_DB=postgresql): a demo class on this machine, as root;
# README "Run it for a class". hub/demo.py sets it up and runs it until Ctrl-C.
HUB_DB ?= sqlite
HUB_PORT ?= 8000
CHP_VERSION := 5.3.0
CHP := hub/proxy/node_modules/.bin/configurable-http-proxy
HUB_PACKAGES := $(if $(shell command -v npm),,nodejs npm) \
	$(if $(wildcard /usr/lib/postgresql/*/bin/initdb)$(shell command -v initdb),,postgresql)

hub: $(STAMP) system-deps hub-deps
	$(BIN)/python hub/demo.py --db $(HUB_DB) --port $(HUB_PORT)

# What the hub and its tests need besides the venv: Node.js and configurable-http-proxy (pinned,
# from npm, into hub/proxy/, which git ignores), and PostgreSQL's server (HUB_DB=postgresql).
hub-deps:
	@missing="$(strip $(HUB_PACKAGES))"; if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "missing Debian packages: $$missing; install them (sudo apt-get install $$missing)"; \
	  echo "or make hub stops and the hub tests are skipped (and fail under CI=true)"; exit 0; \
	fi
	@command -v npm >/dev/null || exit 0; \
	node -e 'process.exit(process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || \
	  echo "warning: configurable-http-proxy $(CHP_VERSION) is made for Node.js 20 or later and" \
	    "this is $$(node --version) (Debian 12 ships 18): if the hub's proxy fails, install 20"; \
	test "$$($(CHP) --version 2>/dev/null)" = $(CHP_VERSION) || \
	  npm install --prefix hub/proxy --no-audit --no-fund --loglevel=error \
	    configurable-http-proxy@$(CHP_VERSION)

check-format: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate the student notebooks in release/ from source/ with nbgrader, in a scratch course:
# the course root's gradebook.db and student folders are never touched.
release: $(STAMP)
	$(BIN)/python tests/coursekit.py release $(ASSIGNMENTS)

# Re-execute the source notebooks in place so that nbval's goldens match the current code.
refresh-outputs: $(STAMP)
	@for nb in source/*/*.ipynb; do \
	  echo "executing $$nb"; \
	  $(BIN)/jupyter nbconvert --to notebook --execute --inplace "$$nb" --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.record_timing=False || exit 1; \
	done

nbval: $(STAMP)
	$(BIN)/python -m pytest source

# Stock `nbgrader autograde` against `python -m autograder grade` on the same 60 submissions
# of every chapter: seconds per notebook, the ratio, and a check that every score is the same.
# A class: 40 submissions per chapter. Takes about 40 minutes, mostly stock nbgrader;
# `make bench BENCH_ARGS="--count 60"` for a quick look.
bench: $(STAMP)
	$(BIN)/python -m autograder.bench $(BENCH_ARGS)

# What a course may publish to its students: the committed release, the helpers and the set-up,
# never source/ (every solution and hidden test) or tests/ (the answer catalogue).
STUDENT_FILES := release course lab Makefile README.md requirements.txt pyproject.toml \
	nbgrader_config.py autograder .gitignore
student-copy:
	@if [ -z "$(DEST)" ]; then echo "usage: make student-copy DEST=FOLDER (a new folder)"; exit 2; fi
	@if [ -e "$(DEST)" ]; then echo "$(DEST) exists: give a folder that does not"; exit 2; fi
	mkdir -p "$(DEST)"
	git archive HEAD -- $(STUDENT_FILES) | tar -x -C "$(DEST)"
	@echo "$(DEST): the committed release/ and what make lab needs; no source/, no tests/"

# Build outputs only: the virtual environment and caches. Grades and submissions stay.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -prune -not -path "./$(VENV)/*" -exec rm -rf {} +

# Deletes the class's grades and submissions for good: asks first, refuses without a terminal.
discard-grades:
	@if [ ! -t 0 ]; then \
	  echo "discard-grades deletes $(CLASS_DATA): run it from a terminal to confirm"; exit 2; \
	fi; \
	read -r -p "Delete $(CLASS_DATA) for good? Type 'delete' to confirm: " answer; \
	if [ "$$answer" != delete ]; then echo "nothing deleted"; exit 1; fi; \
	rm -rf $(CLASS_DATA)
