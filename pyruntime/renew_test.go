package pyruntime

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

// preloadedData writes data.py, which a preload of it imports with
// helper.py, and other.py, which no preload imports.
func preloadedData(t *testing.T) (dir string, cfg Config) {
	t.Helper()
	dir = t.TempDir()
	writeModule(t, dir, "helper", "TAG = 'h1'\n")
	writeModule(t, dir, "data", "import helper\nDATA = [1, 2, 3]\n")
	writeModule(t, dir, "other", "x = 1\n")
	return dir, Config{SysPath: []string{dir}, WorkspaceRoots: []string{dir}, Preload: []string{"data"}}
}

func TestHoldsFileNamesThePreloadsAndTheWorkspaceModulesTheyImport(t *testing.T) {
	t.Parallel()
	dir, cfg := preloadedData(t)
	r := newRuntime(t, cfg)
	if r.HoldsFile(filepath.Join(dir, "data.py")) {
		t.Errorf("HoldsFile(data.py) before the start = true, want false")
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"data.py": true, "helper.py": true, "other.py": false} {
		if got := r.HoldsFile(filepath.Join(dir, name)); got != want {
			t.Errorf("HoldsFile(%s) = %v, want %v", name, got, want)
		}
	}
}

// After a renewal the current process keeps its state, and the processes
// started later (a restart, a fresh run) import the preloads as they are now.
func TestRenewZygoteKeepsTheCurrentProcessAndRenewsTheNextOnes(t *testing.T) {
	t.Parallel()
	dir, cfg := preloadedData(t)
	r := startedRuntime(t, cfg)
	lib := writeModule(t, dir, "lib", "import data\nstate = []\n")
	if _, _, err := reload(t, r, "lib", lib); err != nil {
		t.Fatal(err)
	}
	evaluateIn(t, r, lib, "state.append(1)")
	before := r.Pid()
	oldZygote := r.Pids()[0]

	writeModule(t, dir, "data", "import helper\nDATA = [10, 20]\n")
	if err := <-r.RenewZygote(); err != nil {
		t.Fatalf("RenewZygote: %v", err)
	}
	if got := r.Pid(); got != before {
		t.Errorf("pid after the renewal = %d, want %d (the current process stays)", got, before)
	}
	if got := evaluateIn(t, r, lib, "(len(state), sum(data.DATA))"); got != "(1, 6)" {
		t.Errorf("state and data in the current process = %s, want (1, 6)", got)
	}

	if err := r.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := evaluateIn(t, r, lib, "sum(data.DATA)"); got != "30" {
		t.Errorf("sum(data.DATA) after a restart = %s, want 30 (the file as it is now)", got)
	}
	reply, err := r.CallFresh(context.Background(), Request{Op: "evaluate", Module: "lib", Path: lib, PathEntry: dir, Code: "import data; sum(data.DATA)"}, nil)
	if err != nil || reply.Value == nil || *reply.Value != "30" {
		t.Errorf("a fresh run's sum(data.DATA) = %v, %v; want 30", reply.Value, err)
	}
	waitSpare(t, r)
	if slices.Contains(r.Pids(), oldZygote) {
		t.Errorf("the old zygote %d still runs once none of its workers does: %v", oldZygote, r.Pids())
	}
}

// A preload that no longer imports keeps the zygote that imported it.
func TestRenewZygoteKeepsTheZygoteWhenAPreloadFails(t *testing.T) {
	t.Parallel()
	dir, cfg := preloadedData(t)
	r := startedRuntime(t, cfg)
	zyg := r.Pids()[0]
	writeModule(t, dir, "data", "DATA = [\n")
	err := <-r.RenewZygote()
	var pe *PreloadError
	if !errors.As(err, &pe) || pe.Errors["data"] == nil || pe.Errors["data"].Type != "SyntaxError" {
		t.Fatalf("RenewZygote = %v, want a PreloadError with data's SyntaxError", err)
	}
	if err := r.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := r.Pids()[0]; got != zyg {
		t.Errorf("zygote after the failed renewal = %d, want %d", got, zyg)
	}
	lib := writeModule(t, dir, "lib", "import data\n")
	if got := evaluateIn(t, r, lib, "sum(data.DATA)"); got != "6" {
		t.Errorf("sum(data.DATA) after the failed renewal = %s, want 6 (the zygote's)", got)
	}
}
