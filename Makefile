# Two commands set everything up on a fresh machine: `make plan` and `make test`.
# Both create (or reuse) .venv from the pinned dependencies in requirements.lock.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.goldentooth-installed
STACK := goldentooth
BACKEND ?= file://$(CURDIR)/.pulumi-state
PULUMI ?= pulumi
# The last up's memberships, read before each preview/up (lifecycle/previous.py)
PREVIOUS := .pulumi-state/previous-memberships.json

.DEFAULT_GOAL := help
.PHONY: help venv deps tools plan test lint typecheck unit ray-lab-env lab bench blast-radius graph render check preview up engine clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 12

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
	    --config-settings editable_mode=compat -e .
	touch $@

venv: $(STAMP) ## create or refresh the virtual environment

plan: $(STAMP) ## evaluate the real stack offline and print what `pulumi up` would create
	$(BIN)/goldentooth plan

# What the tests need beyond Python: the Debian packages in .ci/debian-packages.txt (installed when root on Debian,
# else named with the command that installs them) and the Go-built tools in tools/go-tools.txt. The tests then run
# with GOLDENTOOTH_DEPS_ENSURED=1, so a tool that is still missing fails its test instead of skipping it.
deps: ## install the Debian packages (as root) and build the Go tools the tests need, or say how
	tools/ensure-deps.sh

tools: ## build the Go tools in tools/go-tools.txt (once per version, cached outside the checkout)
	tools/ensure-deps.sh --go-tools

test: deps ray-lab-env lint unit ## everything CI runs: lint, types, unit/stack/real-tool tests, the lab on one host per model

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy .

unit: $(STAMP) deps
	GOLDENTOOTH_DEPS_ENSURED=1 $(BIN)/python -m pytest -q

ray-lab-env: $(STAMP) ## the stack's pinned Ray wheels in a venv outside the checkout, for tests/lab/test_ray_cluster.py
	$(BIN)/python -m tests.lab.ray_env

lab: $(STAMP) deps ## the SSH lab on all 17 nodes (needs root)
	GOLDENTOOTH_DEPS_ENSURED=1 GOLDENTOOTH_LAB_NODES=all $(BIN)/python -m pytest -q -m lab tests/lab

bench: $(STAMP) ## time and memory of `goldentooth plan` (real stack, 100, 500 and 1000 generated nodes); the critical path of remote steps
	$(BIN)/python -m benchmarks.plan_bench
	$(BIN)/python -m benchmarks.critical_path

blast-radius: $(STAMP) ## regenerate the README's "What an edit changes" table from tests/blast_radius_catalog.py
	$(BIN)/python -m tests.blast_radius_table --write

graph: $(STAMP) ## write the dependency graph to out/graph.html
	mkdir -p out && $(BIN)/goldentooth graph --format html --out out/graph.html

render: $(STAMP) ## write every generated file to out/render/
	$(BIN)/goldentooth render out/render

check: $(STAMP) ## run the policy pack's rules over the offline evaluation
	$(BIN)/goldentooth check

preview: $(STAMP) ## real `pulumi preview` with the local file backend (needs the Pulumi CLI and PULUMI_CONFIG_PASSPHRASE)
	mkdir -p .pulumi-state
	$(PULUMI) login $(BACKEND)
	tools/previous-memberships.sh $(PREVIOUS) $(STACK) $(PULUMI)
	GOLDENTOOTH_PREVIOUS_MEMBERSHIPS=$(PREVIOUS) $(PULUMI) preview --stack $(STACK) --diff --policy-pack policies

up: $(STAMP) ## real `pulumi up` with the local file backend; cap SSH fan-out with PARALLEL (default 8)
	mkdir -p .pulumi-state
	$(PULUMI) login $(BACKEND)
	tools/previous-memberships.sh $(PREVIOUS) $(STACK) $(PULUMI)
	GOLDENTOOTH_PREVIOUS_MEMBERSHIPS=$(PREVIOUS) $(PULUMI) up --stack $(STACK) --policy-pack policies --parallel $${PARALLEL:-8}

engine: $(STAMP) ## build the pinned Pulumi CLI, Python language host and providers from Go modules (docs/engine.md)
	tools/engine/build.sh

clean: ## remove build output (keeps .venv)
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
