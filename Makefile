# make test         runs every test CI runs in its first stage: the agent's
#                   pytest suite, Go (with the Neovim real-editor test, -race)
#                   and the VS Code extension's; every suite runs even when
#                   one fails, and the failures are listed at the end
# make test-go      the Go tests only
# make test-agent   the Python agent's own tests (pyflakes over the package
#                   and tests; loader.py is a fragment the server completes), pytest
# make test-nvim    only the Neovim plugin's real-editor test, verbosely
# make test-vscode  the VS Code extension: tsc, eslint, tests, .vsix
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

GO ?= go
PYTHON ?= python3
VENV := .venv-test

.PHONY: test test-go test-agent test-nvim test-vscode test-pythons venv bench bench-full build

# Each suite runs even if an earlier one failed; the summary names those that did.
test:
	@failed=""; \
	$(MAKE) --no-print-directory test-agent || failed="$$failed test-agent"; \
	$(MAKE) --no-print-directory test-go || failed="$$failed test-go"; \
	$(MAKE) --no-print-directory test-vscode || failed="$$failed test-vscode"; \
	if [ -n "$$failed" ]; then echo "make test: failed:$$failed" >&2; exit 1; fi; \
	echo "make test: every suite passed"

test-go: $(VENV)/.installed
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

test-agent: $(VENV)/.installed
	$(VENV)/bin/python -m pyflakes pyruntime/agent/_hotload_agent pyruntime/agent/tests
	$(VENV)/bin/python -m pytest -q pyruntime/agent/tests

test-nvim:
	$(GO) test -count=1 -v -run TestNeovim ./editors/nvim

# Needs Node.js 20 or later and npm. Some tests run the real server with python3.
test-vscode:
	cd editors/vscode && npm ci && npm test

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
