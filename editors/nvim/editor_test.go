package nvim_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// findNvim returns the path of nvim. Without it the test is skipped, except
// in CI, where it fails: CI must run the real-editor tests.
func findNvim(t *testing.T) string {
	t.Helper()
	nvim, err := exec.LookPath("nvim")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("nvim is not on PATH; CI must run the real-editor test (apt-get install neovim)")
		}
		t.Skip("install neovim to run the real-editor test")
	}
	return nvim
}

// pluginAndRoot returns the plugin's folder (go test runs in it) and the
// repository's root.
func pluginAndRoot(t *testing.T) (plugin, root string) {
	t.Helper()
	plugin, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root = filepath.Join(plugin, "..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found from %s: %v", plugin, err)
	}
	return plugin, root
}

// buildServer builds hotload from the repository at root into a new folder
// and returns that folder, to put first on Neovim's PATH.
func buildServer(t *testing.T, root string) string {
	t.Helper()
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "hotload"), "github.com/hotload-dev/hotload/cmd/hotload")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// editorEnv is the environment of a headless Neovim that finds the built
// server first on PATH and keeps its own files (LSP log, swap) in
// throwaway XDG folders below state, so that no user configuration or
// plugin takes part; extra entries are added.
func editorEnv(bin, state string, extra ...string) []string {
	env := append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"XDG_CONFIG_HOME="+filepath.Join(state, "config"),
		"XDG_DATA_HOME="+filepath.Join(state, "data"),
		"XDG_STATE_HOME="+filepath.Join(state, "state"),
		"XDG_CACHE_HOME="+filepath.Join(state, "cache"),
	)
	return append(env, extra...)
}
