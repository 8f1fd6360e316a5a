# Add-on targets (Terraform), included by the root Makefile. Every target prints what it runs.
# `make apply` on a fresh clone after `pi-cluster bootstrap`: checks every pin of terraform/pins.yaml upstream
# (SKIP_CHECK=1 skips that), writes the variables from pi-cluster.yaml and pi-hosts, runs `terraform init` when
# terraform/.terraform is missing, then `terraform apply`.

TERRAFORM  ?= terraform
PI_CLUSTER ?= node bin/pi-cluster.js
INVENTORY  ?= pi-hosts
TF_DIR     := terraform
TF         := $(TERRAFORM) -chdir=$(TF_DIR)

.PHONY: check tfvars init plan apply destroy destroy-target refresh import fmt tf-lint show

# The CLI writes the variables; build it once if this clone has not been built yet.
dist/src/cli/main.js:
	$(MAKE) build

$(TF_DIR)/.terraform:
	$(TF) init -input=false

check: | dist/src/cli/main.js ## check every pinned chart, image and provider against its repository or registry (SKIP_CHECK=1 skips)
	$(PI_CLUSTER) addons check --terraform-dir $(TF_DIR)$(if $(filter 1 yes true,$(SKIP_CHECK)), --skip-check)

tfvars: | dist/src/cli/main.js ## write terraform/cluster.auto.tfvars.json and missing passwords (terraform/secrets/)
	$(PI_CLUSTER) addons tfvars --inventory $(INVENTORY)

init: ## terraform init: download the pinned providers (needs the Terraform registry)
	$(TF) init -input=false

plan: check tfvars | $(TF_DIR)/.terraform ## show what `make apply` would change
	$(TF) plan -input=false

apply: check tfvars | $(TF_DIR)/.terraform ## deploy the add-ons (flannel, MetalLB, Traefik, AdGuard, monitoring, Headlamp, etcd backups)
	$(TF) apply -input=false

destroy: tfvars | $(TF_DIR)/.terraform ## remove every add-on from the cluster
	$(TF) destroy -input=false

destroy-target: tfvars | $(TF_DIR)/.terraform ## remove one add-on: make destroy-target TARGET=module.adguard
	@test -n "$(TARGET)" || { echo "usage: make destroy-target TARGET=module.<add-on>   (e.g. module.adguard, module.monitoring)"; exit 2; }
	$(TF) destroy -input=false -target='$(TARGET)'

refresh: tfvars | $(TF_DIR)/.terraform ## read the cluster's state into Terraform's, changing nothing in the cluster
	$(TF) apply -refresh-only -input=false

import: tfvars | $(TF_DIR)/.terraform ## adopt an existing object: make import ARGS='ADDRESS ID'
	@test -n "$(ARGS)" || { echo "usage: make import ARGS='ADDRESS ID'   (see terraform import -help)"; exit 2; }
	$(TF) import -input=false $(ARGS)

fmt: ## format the Terraform files
	$(TERRAFORM) fmt -recursive $(TF_DIR)

tf-lint: ## check Terraform formatting; also terraform validate once `make init` has installed the providers
	$(TERRAFORM) fmt -check -diff -recursive $(TF_DIR)
	@if [ -d $(TF_DIR)/.terraform/providers ]; then echo "$(TF) validate"; $(TF) validate; \
	else echo "skipped: $(TF) validate (needs the providers: run make init where the Terraform registry is reachable)"; fi

show: ## services with their LAN addresses and URLs, and where the logins are
	$(TF) output services
	$(TF) output lan_addresses
	$(TF) output logins
