# make test   runs every test (what CI runs)
# make bench  measures save → message against a cold `python3 script.py`
# make build  builds ./hotload
# make test-nvim  runs only the Neovim plugin's real-editor test, verbosely

GO ?= go

.PHONY: test bench build test-nvim

test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Needs numpy and pandas for /usr/bin/python3 (apt-get install python3-numpy
# python3-pandas), or HOTLOAD_BENCH_PYTHON naming a Python that has them.
bench:
	$(GO) test ./lsp -run '^$$' -bench . -benchtime 200x

build:
	$(GO) build -o hotload ./cmd/hotload

test-nvim:
	$(GO) test -count=1 -v -run TestNeovim ./editors/nvim
