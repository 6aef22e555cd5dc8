# make test         runs every test: Go (with the Neovim real-editor test) and
#                   the VS Code extension's; this is what CI runs
# make test-go      the Go tests only
# make test-nvim    only the Neovim plugin's real-editor test, verbosely
# make test-vscode  the VS Code extension: tsc, eslint, tests, .vsix
# make bench        in-process Go benchmarks: save → message against a cold
#                   `python3 script.py`, and a reload with 5 million objects alive
# make bench-full   the benchmark users rerun: go run ./cmd/hotload-bench
# make build        builds ./hotload

GO ?= go

.PHONY: test test-go test-nvim test-vscode bench bench-full build

test: test-vscode test-go

test-go:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

test-nvim:
	$(GO) test -count=1 -v -run TestNeovim ./editors/nvim

# Needs Node.js 20 or later and npm. Some tests run the real server with python3.
test-vscode:
	cd editors/vscode && npm ci && npm test

# Needs numpy and pandas for /usr/bin/python3 (apt-get install python3-numpy
# python3-pandas), or HOTLOAD_BENCH_PYTHON naming a Python that has them.
bench:
	$(GO) test ./lsp -run '^$$' -bench . -benchtime 200x
	$(GO) test ./pyruntime -run '^$$' -bench ReloadWithLargeHeap -benchtime 2000x

bench-full:
	$(GO) run ./cmd/hotload-bench

build:
	$(GO) build -o hotload ./cmd/hotload
