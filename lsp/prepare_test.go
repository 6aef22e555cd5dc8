package lsp

import (
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.lsp.dev/uri"
)

// A document is prepared once its text has stayed unchanged for
// prepareDelay: once per pause in typing, however many changes came before
// it, and not at all once it is saved or closed.
func TestPreparerWaitsForAPauseInTyping(t *testing.T) {
	a, b := uri.File("/ws/a.py"), uri.File("/ws/b.py")
	type step struct {
		after  time.Duration // since the previous step
		change uri.URI       // a change of this document, if not ""
		cancel uri.URI       // a save or close of this document, if not ""
	}
	tests := []struct {
		name  string
		steps []step
		want  []uri.URI // the documents prepared, in order
	}{
		{
			name:  "one change",
			steps: []step{{change: a}},
			want:  []uri.URI{a},
		},
		{
			name:  "keystrokes closer than the delay: once, after the last",
			steps: []step{{change: a}, {after: prepareDelay / 2, change: a}, {after: prepareDelay / 2, change: a}, {after: prepareDelay / 2, change: a}},
			want:  []uri.URI{a},
		},
		{
			name:  "two pauses: twice",
			steps: []step{{change: a}, {after: 2 * prepareDelay, change: a}},
			want:  []uri.URI{a, a},
		},
		{
			name:  "saved before the pause ends: never",
			steps: []step{{change: a}, {after: prepareDelay / 2, cancel: a}},
			want:  nil,
		},
		{
			name:  "a save of another document leaves it waiting",
			steps: []step{{change: a}, {after: prepareDelay / 2, cancel: b}},
			want:  []uri.URI{a},
		},
		{
			name:  "two documents each their own wait",
			steps: []step{{change: a}, {after: prepareDelay / 2, change: b}},
			want:  []uri.URI{a, b},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				var got []uri.URI
				p := newPreparer(func(u uri.URI) {
					mu.Lock()
					got = append(got, u)
					mu.Unlock()
				})
				for _, s := range tt.steps {
					time.Sleep(s.after)
					if s.change != "" {
						p.changed(s.change)
					}
					if s.cancel != "" {
						p.cancel(s.cancel)
					}
				}
				time.Sleep(10 * prepareDelay)
				synctest.Wait()
				mu.Lock()
				defer mu.Unlock()
				if !slices.Equal(got, tt.want) {
					t.Errorf("prepared %v, want %v", got, tt.want)
				}
			})
		})
	}
}

// Nothing is prepared after the server stopped the preparer.
func TestPreparerStopForgetsEveryWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		prepared := 0
		p := newPreparer(func(uri.URI) { prepared++ })
		p.changed(uri.File("/ws/a.py"))
		p.changed(uri.File("/ws/b.py"))
		p.stop()
		time.Sleep(10 * prepareDelay)
		synctest.Wait()
		if prepared != 0 {
			t.Errorf("%d documents prepared after stop, want none", prepared)
		}
	})
}

// What the user typed is compiled once they pause, and a save that writes
// exactly that text runs it; a save that writes other bytes (a formatter
// on save, another program) runs the file. Either way the save does what
// the file says.
func TestASaveRunsTheTextPreparedWhileTyping(t *testing.T) {
	tests := []struct {
		name         string
		typed, saved string
		wantPrepared bool
		wantOutput   string
	}{
		{
			name:         "saved as typed",
			typed:        "def area(w, h):\n    return w * h + 1\n\nprint(area(2, 3))\n",
			saved:        "def area(w, h):\n    return w * h + 1\n\nprint(area(2, 3))\n",
			wantPrepared: true,
			wantOutput:   "7",
		},
		{
			name:         "changed as it was saved",
			typed:        "def area(w, h):\n    return w * h + 1\n\nprint(area(2, 3))\n",
			saved:        "def area(w, h):\n    return w * h + 2\n\nprint(area(2, 3))\n",
			wantPrepared: false,
			wantOutput:   "8",
		},
		{
			name:         "typed a syntax error, saved it fixed",
			typed:        "def area(w, h:\n",
			saved:        "def area(w, h):\n    return w * h + 3\n\nprint(area(2, 3))\n",
			wantPrepared: false,
			wantOutput:   "9",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEditor(t, "-- lib.py --\ndef area(w, h):\n    return w * h\n\nprint(area(2, 3))\n")
			e.initialize(nil)
			e.waitReady()
			e.open("lib.py")
			e.save("lib.py", readFile(t, e.path("lib.py")))
			if r := e.awaitResult(1); r.Output != "6" {
				t.Fatalf("first save printed %q, want 6", r.Output)
			}

			e.change("lib.py", tt.typed)
			e.awaitPrepared("lib.py")
			e.save("lib.py", tt.saved)
			r := e.awaitResult(2)
			if r.Prepared != tt.wantPrepared || r.Output != tt.wantOutput {
				t.Errorf("save: prepared %v, printed %q; want prepared %v, printed %q", r.Prepared, r.Output, tt.wantPrepared, tt.wantOutput)
			}
		})
	}
}
