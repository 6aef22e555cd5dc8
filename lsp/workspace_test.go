package lsp

import (
	"context"
	"encoding/json"
	"testing"

	"go.lsp.dev/protocol"
)

// Regression: pyproject.toml changes reached the server only as a didSave,
// which editors send only for the files the server is attached to (VS Code
// and Neovim: Python files). The server now registers a watcher for
// pyproject.toml where the client can register watchers dynamically, and
// applies the settings when the client reports a change.
func TestPyprojectChangesFromAWatcherApplyTheSettings(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\n-- pyproject.toml --\n[tool.hotload]\nenv = { HOTLOAD_TEST = \"before\" }\n")
	e.capabilities = func(c *protocol.ClientCapabilities) {
		yes := true
		c.Workspace.DidChangeWatchedFiles = &protocol.DidChangeWatchedFilesClientCapabilities{DynamicRegistration: &yes}
	}
	e.initialize(nil)
	e.waitReady()
	var reg protocol.Registration
	e.await("a watcher registration", func() bool {
		for _, r := range e.registrations {
			if r.Method == "workspace/didChangeWatchedFiles" {
				reg = r
				return true
			}
		}
		return false
	})
	var opts struct {
		Watchers []struct {
			GlobPattern string `json:"globPattern"`
		} `json:"watchers"`
	}
	if err := json.Unmarshal(reg.RegisterOptions, &opts); err != nil || len(opts.Watchers) != 2 ||
		opts.Watchers[0].GlobPattern != "**/pyproject.toml" || opts.Watchers[1].GlobPattern != "**/templates/**" {
		t.Errorf("registered %s (%v), want watchers of **/pyproject.toml and **/templates/**", reg.RegisterOptions, err)
	}

	// Changed outside the editor, or in it without a didSave the server sees.
	writeFile(t, e.path("pyproject.toml"), "[tool.hotload]\nenv = { HOTLOAD_TEST = \"after\" }\n")
	if err := e.server.DidChangeWatchedFiles(context.Background(), &protocol.DidChangeWatchedFilesParams{
		Changes: []protocol.FileEvent{{URI: e.uri("pyproject.toml"), Type: protocol.FileChangeTypeChanged}},
	}); err != nil {
		t.Fatal(err)
	}
	if got := e.evaluateValue("import os; os.environ['HOTLOAD_TEST']"); got != "'after'" {
		t.Errorf("HOTLOAD_TEST = %s after the watcher reported the change, want 'after'", got)
	}
}

// A client that cannot register watchers is not asked to.
func TestNoWatcherForClientsThatCannotRegister(t *testing.T) {
	t.Parallel()
	e := newEditor(t, "-- lib.py --\n")
	e.initialize(nil)
	e.waitReady()
	// A registration goes out right after initialized; a round trip to
	// the runtime later, none has.
	e.evaluateValue("1")
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.registrations) != 0 {
		t.Errorf("registrations %v sent to a client without dynamic registration", e.registrations)
	}
}
