# pi-cluster: developer and add-on targets. Every target prints what it runs.
# Add-on targets (init, plan, apply, destroy, ...) live in terraform/addons.mk.

NPM ?= npm

.PHONY: help build test lint bench demo lab-up lab-down

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort | awk -F'\t' '{printf "  %-16s %s\n", $$1, $$2}'

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci

build: node_modules/.package-lock.json ## compile the TypeScript (dist/)
	$(NPM) run build

test: node_modules/.package-lock.json ## run the test suite (root runs the virtual-lab tests too)
	$(NPM) test

lint: node_modules/.package-lock.json ## type-check, eslint, ansible-lint, yamllint, terraform fmt
	$(NPM) run lint

bench: node_modules/.package-lock.json ## benchmarks (ratios against reference tools)
	$(NPM) run bench

-include terraform/addons.mk
