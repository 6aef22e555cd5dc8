package pyruntime

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
)

// renewals records what Config.OnRenewed hears.
type renewals struct {
	mu    sync.Mutex
	paths []string
	errs  []error
}

func (rs *renewals) record(path string, err error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.paths = append(rs.paths, path)
	rs.errs = append(rs.errs, err)
}

func (rs *renewals) heard() ([]string, []error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]string(nil), rs.paths...), append([]error(nil), rs.errs...)
}

// A file the zygote holds, changed outside the editor (no save, so no
// RenewZygote): a restart, and a fresh run, start with the file as it is
// now, as a fresh python would.
func TestAHeldFileChangedOnDiskRenewsTheZygoteBeforeAStart(t *testing.T) {
	t.Parallel()
	for _, then := range []string{"restart", "fresh"} {
		t.Run(then, func(t *testing.T) {
			t.Parallel()
			dir, cfg := preloadedData(t)
			var heard renewals
			cfg.OnRenewed = heard.record
			r := startedRuntime(t, cfg)
			lib := writeModule(t, dir, "lib", "import data, helper\n")
			oldZygote := r.Pids()[0]
			writeModule(t, dir, "helper", "TAG = 'h2'\n") // a git checkout
			var got string
			if then == "restart" {
				if err := r.Restart(context.Background()); err != nil {
					t.Fatal(err)
				}
				got = evaluateIn(t, r, lib, "helper.TAG")
			} else {
				reply, err := r.CallFresh(context.Background(), Request{Op: "evaluate", Module: "lib", Path: lib, PathEntry: dir, Code: "import helper; helper.TAG"}, nil)
				if err != nil || reply.Value == nil {
					t.Fatalf("fresh run: %v, %+v", err, reply.Error)
				}
				got = *reply.Value
			}
			if got != "'h2'" {
				t.Errorf("helper.TAG = %s, want 'h2' (the file on disk)", got)
			}
			if r.Pids()[0] == oldZygote {
				t.Errorf("the zygote was not renewed")
			}
			paths, errs := heard.heard()
			if len(paths) != 1 || paths[0] != filepath.Join(dir, "helper.py") || errs[0] != nil {
				t.Errorf("OnRenewed heard %v, %v; want helper.py, nil", paths, errs)
			}
		})
	}
}

// A held file changed on disk so that the preloads no longer import: the
// old zygote stays and OnRenewed hears why, once; the next start does not
// try again until the file changes again.
func TestAHeldFileBrokenOnDiskKeepsTheZygoteAndSaysSoOnce(t *testing.T) {
	t.Parallel()
	dir, cfg := preloadedData(t)
	var heard renewals
	cfg.OnRenewed = heard.record
	r := startedRuntime(t, cfg)
	zyg := r.Pids()[0]
	writeModule(t, dir, "data", "DATA = [\n")
	for range 2 {
		if err := r.Restart(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.Pids()[0]; got != zyg {
		t.Errorf("zygote = %d, want the old one %d", got, zyg)
	}
	paths, errs := heard.heard()
	var pe *PreloadError
	if len(paths) != 1 || !errors.As(errs[0], &pe) {
		t.Fatalf("OnRenewed heard %v, %v; want one PreloadError", paths, errs)
	}
	writeModule(t, dir, "data", "import helper\nDATA = [5]\n")
	if err := r.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if paths, errs = heard.heard(); len(paths) != 2 || errs[1] != nil {
		t.Errorf("after the fix OnRenewed heard %v, %v; want a second renewal that worked", paths, errs)
	}
}

// A preload that failed to import at the start is held too: once fixed
// (here outside the editor), the next restart starts from a zygote that
// imports it.
func TestAPreloadThatFailedAtTheStartIsPreloadedOnceFixed(t *testing.T) {
	t.Parallel()
	dir, cfg := preloadedData(t)
	writeModule(t, dir, "data", "DATA = [\n")
	r := startedRuntime(t, cfg)
	if !r.HoldsFile(filepath.Join(dir, "data.py")) {
		t.Errorf("HoldsFile(data.py), a preload that failed, = false")
	}
	other := filepath.Join(dir, "other.py")
	if got := evaluateIn(t, r, other, "import sys; 'data' in sys.modules"); got != "False" {
		t.Fatalf("data loaded before the fix: %s", got)
	}
	writeModule(t, dir, "data", "import helper\nDATA = [1, 2, 3]\n")
	if err := r.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := evaluateIn(t, r, other, "import sys; 'data' in sys.modules"); got != "True" {
		t.Errorf("data preloaded after the fix and a restart = %s, want True", got)
	}
}
