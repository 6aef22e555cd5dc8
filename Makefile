# make test         runs every test CI runs in its first stage: the agent's
#                   pytest suite, Go (with the Neovim real-editor test, -race)
#                   and the VS Code extension's; every suite runs even when
#                   one fails, and the failures are listed at the end
# make test-release the release checks (cross, package-vscode, release-check
#                   below), each run even if one fails; CI runs it after make test
# make test-go      the Go tests only, but for the unseen edit scenarios
# make test-unseen  the unseen edit scenarios (lsp/testdata/unseen/, over 600
#                   edits played through the editor and compared with fresh
#                   runs: about 3 minutes here, so not in make test; CI runs
#                   it after make test), without -race: they are Python's
#                   time, and the server's paths they take run under -race
#                   in make test's own LSP tests
# make test-agent   the Python agent's own tests (pyflakes over the package
#                   and tests; loader.py is a fragment the server completes), pytest
# make test-nvim    only the Neovim plugin's real-editor test, verbosely
# make test-vscode  the VS Code extension: tsc, eslint, tests, .vsix
# make test-vscode-e2e  the packaged .vsix in a real VS Code: code-server
#                   4.139.1 driven by Debian's headless Chromium (CI runs it
#                   after make test); the first run installs code-server and
#                   its Node 24 into ~/.cache/hotload-e2e (about 10 minutes,
#                   800 MB; needs chromium, build-essential, pkg-config and
#                   libkrb5-dev), later runs reuse them
# make test-pythons the tests that start Python (pyruntime, reload, lsp,
#                   cmd/hotload and the agent's pytest suite) under every
#                   CPython 3.8+ found (pyenv's, /usr/bin/python3, /opt/py/bin
#                   from .ci/get-pythons.sh); PYTHONS="/path/python3.14 ..."
#                   picks some; a summary per interpreter at the end
# make venv         .venv-test: pytest and the frameworks the tests reload
#                   (Flask, FastAPI, SQLAlchemy, ...), pinned in
#                   .ci/requirements-test.txt
# make bench        in-process Go benchmarks: save → message against a cold
#                   `python3 script.py`, and a reload with 5 million objects alive
# make bench-full   the benchmark users rerun: go run ./cmd/hotload-bench
# make build        builds ./hotload
# make package-vscode  the VS Code extension for every release target (six
#                   .vsix, each carrying its server), then a check of the
#                   binary in each: format (ELF, Mach-O, PE) and architecture
# make release-check the server's release archives, built with GoReleaser
#                   (.goreleaser.yaml) from a tagged throw-away clone and
#                   checked: six archives, each binary stamped with the tag
# make cross        for each release target (linux, darwin, windows ×
#                   amd64, arm64): builds hotload, runs go vet (test files
#                   included) and, for darwin and windows, compiles the test
#                   binaries, which cannot run here

GO ?= go
PYTHON ?= python3
VENV := .venv-test

.PHONY: test test-release test-go test-unseen test-agent test-nvim test-vscode test-vscode-e2e test-pythons venv bench bench-full build cross package-vscode release-check

# The release targets: GoReleaser's (.goreleaser.yaml) and the VS Code
# extension's (editors/vscode/scripts/targets.json) are the same six.
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

# Each suite runs even if an earlier one failed; the summary names those that did.
test:
	@failed=""; \
	$(MAKE) --no-print-directory test-agent || failed="$$failed test-agent"; \
	$(MAKE) --no-print-directory test-go || failed="$$failed test-go"; \
	$(MAKE) --no-print-directory test-vscode || failed="$$failed test-vscode"; \
	if [ -n "$$failed" ]; then echo "make test: failed:$$failed" >&2; exit 1; fi; \
	echo "make test: every suite passed"

# The release checks, slower than make test (CI runs them after it): every
# target builds and vets, the six .vsix carry the right servers, and
# GoReleaser's archives are stamped with the tag. Each runs even if one failed.
test-release:
	@failed=""; \
	$(MAKE) --no-print-directory cross || failed="$$failed cross"; \
	$(MAKE) --no-print-directory package-vscode || failed="$$failed package-vscode"; \
	$(MAKE) --no-print-directory release-check || failed="$$failed release-check"; \
	if [ -n "$$failed" ]; then echo "make test-release: failed:$$failed" >&2; exit 1; fi; \
	echo "make test-release: every check passed"

test-go: $(VENV)/.installed
	$(GO) vet ./...
	$(GO) test -race -count=1 -skip '^TestUnseenEditScenarios$$' ./...

test-unseen: $(VENV)/.installed
	$(GO) test -count=1 -run '^TestUnseenEditScenarios$$' ./lsp

test-agent: $(VENV)/.installed
	$(VENV)/bin/python -m pyflakes pyruntime/agent/_hotload_agent pyruntime/agent/tests
	$(VENV)/bin/python -m pytest -q pyruntime/agent/tests

test-nvim:
	$(GO) test -count=1 -v -run TestNeovim ./editors/nvim

# Needs Node.js 20 or later and npm. Some tests run the real server with
# python3; npm test builds it before any test's clock starts.
test-vscode:
	cd editors/vscode && npm ci && npm test

# npm run e2e installs code-server first (scripts/e2e-install.mjs), then
# runs src/e2e; screenshots of a failed run are kept in
# editors/vscode/e2e-artifacts/.
test-vscode-e2e:
	cd editors/vscode && npm ci && npm run package && npm run e2e

# Every interpreter runs, even after one failed; see .ci/test-pythons.sh.
test-pythons:
	PYTHONS="$(PYTHONS)" GO="$(GO)" .ci/test-pythons.sh

venv: $(VENV)/.installed

$(VENV)/.installed: .ci/requirements-test.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q -r .ci/requirements-test.txt
	touch $@

# Needs numpy and pandas for /usr/bin/python3 (apt-get install python3-numpy
# python3-pandas), or HOTLOAD_BENCH_PYTHON naming a Python that has them.
bench:
	$(GO) test ./lsp -run '^$$' -bench . -benchtime 200x
	$(GO) test ./pyruntime -run '^$$' -bench ReloadWithLargeHeap -benchtime 2000x

bench-full:
	$(GO) run ./cmd/hotload-bench

build:
	$(GO) build -o hotload ./cmd/hotload

cross:
	@out=$$(mktemp -d) && trap 'rm -rf "$$out"' EXIT && \
	for p in $(PLATFORMS); do \
		os=$${p%/*} arch=$${p#*/}; \
		echo "cross: $$os/$$arch: build, vet$$(case $$os in darwin|windows) echo ', test binaries';; esac)"; \
		GOOS=$$os GOARCH=$$arch $(GO) build -o "$$out/hotload-$$os-$$arch" ./cmd/hotload || exit 1; \
		GOOS=$$os GOARCH=$$arch $(GO) vet ./... || exit 1; \
		case $$os in darwin|windows) \
			GOOS=$$os GOARCH=$$arch $(GO) test -c -o "$$out/$$os-$$arch/" ./... || exit 1;; \
		esac; \
	done; \
	echo "cross: hotload builds and vets for $(PLATFORMS)"

# Needs Node.js 20+ and npm (as test-vscode) and Go.
package-vscode:
	cd editors/vscode && { test -d node_modules || npm ci; } && npm run package:all && $(GO) vet ./packaging && $(GO) test -count=1 ./packaging

# Needs git; builds GoReleaser v2.15.1 with go run the first time.
release-check:
	bash .ci/release-check
