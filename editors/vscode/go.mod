// The VS Code extension is not Go code. This go.mod makes the folder a module
// of its own, so `go test ./...` at the repository root skips it, and with it
// the Go files that some npm packages ship inside node_modules.
module github.com/hotload-dev/hotload/editors/vscode

go 1.26
