package reload_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/hotload-dev/hotload/reload"
)

// Prepare compiles the editor's text in the running runtime only where the
// next save of those bytes would run it: a module the runtime loaded, with
// saves run in place. It never starts a runtime.
func TestPrepareKeepsCodeOnlyWhereASaveRunsIt(t *testing.T) {
	const typed = "def area(w, h):\n    return w * h + 1\n\narea(2, 3)\n"
	tests := []struct {
		name     string
		started  bool // the runtime runs
		loaded   bool // the module was saved once, so the runtime loaded it
		strategy reload.Strategy
		padding  int // bytes of comment added to the text
		want     bool
	}{
		{name: "a loaded module, saves in place", started: true, loaded: true, want: true},
		{name: "a text of PrepareLimit", started: true, loaded: true, padding: reload.PrepareLimit - len(typed), want: true},
		{name: "a text over PrepareLimit: its save compiles it", started: true, loaded: true, padding: reload.PrepareLimit - len(typed) + 1, want: false},
		{name: "no runtime yet", started: false, want: false},
		{name: "a module not loaded: its first save imports it", started: true, loaded: false, want: false},
		{name: "saves run fresh, in a process that would not have it", started: true, loaded: true, strategy: reload.Fresh, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := t.TempDir()
			path := writeFile(t, ws, "lib.py", "def area(w, h):\n    return w * h\n\narea(2, 3)\n")
			e := newEngine(t, ws, reload.Config{})
			if tt.started {
				if err := e.Start(testContext(t)); err != nil {
					t.Fatal(err)
				}
			}
			if tt.loaded {
				mustReload(t, e, path)
			}
			e.SetReloadOptions(reload.ReloadOptions{Strategy: tt.strategy})
			text := typed
			if tt.padding > 0 {
				text = "#" + strings.Repeat("x", tt.padding-2) + "\n" + typed
			}
			kept, err := e.Prepare(testContext(t), path, text)
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			if kept != tt.want {
				t.Errorf("Prepare kept the code: %v, want %v", kept, tt.want)
			}
			if !tt.started && e.RuntimePid() != 0 {
				t.Errorf("Prepare started a runtime (pid %d)", e.RuntimePid())
			}
			writeFile(t, ws, "lib.py", text)
			res := mustReload(t, e, path)
			if res.Prepared != tt.want || value(res) != "7" {
				t.Errorf("save: prepared %v, value %s; want prepared %v, value 7", res.Prepared, value(res), tt.want)
			}
		})
	}
}

// Warm reaches the running runtime only where the save it announces runs:
// in place, in a runtime that has the module loaded. It never starts a
// runtime, runs no code and leaves the prepared code to the save.
func TestWarmReachesOnlyTheRuntimeTheSaveRunsIn(t *testing.T) {
	const saved = "print('ran')\n\ndef area(w, h):\n    return w * h + 1\n\narea(2, 3)\n"
	tests := []struct {
		name     string
		started  bool // the runtime runs
		loaded   bool // the module was saved once, so the runtime loaded it
		strategy reload.Strategy
		want     bool
	}{
		{name: "a loaded module, saves in place", started: true, loaded: true, want: true},
		{name: "no runtime yet", started: false, want: false},
		{name: "a module not loaded", started: true, loaded: false, want: false},
		{name: "saves run fresh, in a process not yet forked", started: true, loaded: true, strategy: reload.Fresh, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := t.TempDir()
			path := writeFile(t, ws, "lib.py", "print('ran')\n\ndef area(w, h):\n    return w * h\n\narea(2, 3)\n")
			var mu sync.Mutex
			var output strings.Builder
			e := newEngine(t, ws, reload.Config{OnOutput: func(_, text string) {
				mu.Lock()
				output.WriteString(text)
				mu.Unlock()
			}})
			if tt.started {
				if err := e.Start(testContext(t)); err != nil {
					t.Fatal(err)
				}
			}
			if tt.loaded {
				mustReload(t, e, path)
			}
			e.SetReloadOptions(reload.ReloadOptions{Strategy: tt.strategy})
			prepared := tt.want
			if prepared {
				if kept, err := e.Prepare(testContext(t), path, saved); err != nil || !kept {
					t.Fatalf("Prepare: kept %v, %v", kept, err)
				}
			}
			mu.Lock()
			before := output.String()
			mu.Unlock()
			warmed, err := e.Warm(testContext(t), path)
			if err != nil {
				t.Fatalf("Warm: %v", err)
			}
			if warmed != tt.want {
				t.Errorf("Warm warmed the runtime: %v, want %v", warmed, tt.want)
			}
			if !tt.started && e.RuntimePid() != 0 {
				t.Errorf("Warm started a runtime (pid %d)", e.RuntimePid())
			}
			mu.Lock()
			during := strings.TrimPrefix(output.String(), before)
			mu.Unlock()
			if during != "" {
				t.Errorf("Warm ran the module: output %q", during)
			}
			writeFile(t, ws, "lib.py", saved)
			res := mustReload(t, e, path)
			if res.Prepared != prepared || value(res) != "7" {
				t.Errorf("save: prepared %v, value %s; want prepared %v, value 7", res.Prepared, value(res), prepared)
			}
		})
	}
}
