package pyruntime

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
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

// A renewal asked for with a save's run still to end: a restart meanwhile
// does not take a worker of the old zygote, but starts the new one at once
// and waits for it; once the new zygote is in place, the run's end starts
// no other.
func TestRenewZygoteAfterARunMakesARestartMeanwhileWait(t *testing.T) {
	t.Parallel()
	dir, cfg := preloadedData(t)
	r := startedRuntime(t, cfg)
	lib := writeModule(t, dir, "lib", "import data\n")
	oldZygote := r.Pids()[0]

	writeModule(t, dir, "data", "import helper\nDATA = [10, 20]\n")
	ran := make(chan struct{})
	renewed := r.RenewZygoteAfter(ran)
	if err := r.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := evaluateIn(t, r, lib, "sum(data.DATA)"); got != "30" {
		t.Errorf("sum(data.DATA) after a restart during the run = %s, want 30 (the saved file)", got)
	}
	if got := r.Pids()[0]; got == oldZygote {
		t.Errorf("zygote after the restart = %d, the old one", got)
	}
	close(ran)
	if err := <-renewed; err != nil {
		t.Errorf("the renewal: %v", err)
	}
}

// The run a renewal waits for may itself need a process (the current one
// died before it): its start does not wait for the run, which waits for it.
func TestRenewZygoteAfterARunLetsTheRunStartAProcess(t *testing.T) {
	t.Parallel()
	dir, cfg := preloadedData(t)
	r := startedRuntime(t, cfg)
	lib := writeModule(t, dir, "lib", "import data\nv = sum(data.DATA)\n")
	writeModule(t, dir, "data", "import helper\nDATA = [10, 20]\n")
	ran := make(chan struct{})
	renewed := r.RenewZygoteAfter(ran)
	if _, err := r.Call(context.Background(), Request{Op: "evaluate", Module: "lib", Path: lib, PathEntry: dir, Code: "import os; os._exit(3)"}, nil); err == nil {
		t.Fatal("os._exit(3) gave no error")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	reply, err := r.Call(ctx, Request{Op: "reload", Module: "lib", Path: lib, PathEntry: dir}, nil)
	if err != nil || reply.Error != nil {
		t.Fatalf("the run after the death: %v, %+v", err, reply.Error)
	}
	if got := evaluateIn(t, r, lib, "v"); got != "30" {
		t.Errorf("v = %s, want 30 (the saved file)", got)
	}
	close(ran)
	if err := <-renewed; err != nil {
		t.Errorf("the renewal: %v", err)
	}
}
