# Nimbus: `make` sets up and builds, `make demo` runs the demo, `make test` runs every test.
# Every step is a file target, so repeating a command redoes nothing that is already done.
.DEFAULT_GOAL := all
SHELL := /bin/bash

STAMP := build/.stamp
SYSTEM_STAMP := $(STAMP)-system
include core/core.mk

$(STAMP)-system: tools/setup-system.sh
	@mkdir -p build
	./tools/setup-system.sh
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The CLI, bundled so that `nimbus run` starts in tens of milliseconds (cli/nimbus.mjs).
build/nimbus-cli.mjs: $(filter-out %.test.ts,$(wildcard cli/*.ts cli/*/*.ts)) node_modules/.package-lock.json
	npx esbuild cli/main.ts --bundle --platform=node --format=esm --target=node20 --external:esbuild --log-level=warning --outfile=$@

SETUP := $(STAMP)-system node_modules/.package-lock.json
CORE  := build/core.elf build/nimbus-qjsc build/nimbus-process build/nimbus-netfd build/nimbus-cli.mjs build/exit-kernel.elf

.PHONY: all setup core demo test test-unit test-boot bench typecheck clean
all: setup core
setup: $(SETUP)
core: $(SETUP) $(CORE)

# Two checks: everything with Node's types, and os/ below the Node surface without them
# (os/tsconfig.json: image code uses no Node API).
typecheck: all
	npx tsc -p .
	npx tsc -p os

# The demo: boot examples/hello (prints and exits), then serve examples/http-hello on
# http://127.0.0.1:8080/ until Ctrl-C (DEMO_PORT changes the port).
DEMO_PORT ?= 8080
demo: all
	node cli/nimbus.mjs run examples/hello/main.ts
	@echo
	@echo "Booting examples/http-hello as a VM; it answers on http://127.0.0.1:$(DEMO_PORT)/"
	@echo "  try: curl http://127.0.0.1:$(DEMO_PORT)/api/hello?name=you    (Ctrl-C stops the VM)"
	@node cli/nimbus.mjs run examples/http-hello/main.ts -p $(DEMO_PORT):80 || [ $$? = 130 ]

test: all
	npx tsc -p .
	npx tsc -p os
	node test/run.mjs

bench: all
	node --import tsx bench/run.ts

clean:
	rm -rf build/core build/host build/*.elf* build/nimbus-qjsc build/nimbus-pack-core build/core-pack.json build/images
