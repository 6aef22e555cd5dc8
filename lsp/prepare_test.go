package lsp

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"
)

// A document is prepared once its text has stayed unchanged for
// prepareDelay: once per pause in typing, however many changes came before
// it, and not at all once it is saved or closed. Once the editor announces
// its save (willSave) it is prepared at once: the save comes milliseconds
// later. One prepare of a document runs at a time, and changes while it
// runs make one more, of the latest text.
func TestPreparerWaitsForAPauseInTyping(t *testing.T) {
	a, b := uri.File("/ws/a.py"), uri.File("/ws/b.py")
	type step struct {
		after    time.Duration // since the previous step
		change   uri.URI       // a change of this document, if not ""
		willSave uri.URI       // the editor announces this document's save, if not ""
		cancel   uri.URI       // a save or close of this document, if not ""
	}
	type prepared struct {
		doc uri.URI
		at  time.Duration // since the first step
	}
	const takes = 30 * time.Millisecond // a large module's compile
	tests := []struct {
		name  string
		takes time.Duration // how long each prepare runs
		steps []step
		want  []prepared
	}{
		{
			name:  "one change",
			steps: []step{{change: a}},
			want:  []prepared{{a, prepareDelay}},
		},
		{
			name:  "keystrokes closer than the delay: once, after the last",
			steps: []step{{change: a}, {after: prepareDelay / 2, change: a}, {after: prepareDelay / 2, change: a}, {after: prepareDelay / 2, change: a}},
			want:  []prepared{{a, 3*prepareDelay/2 + prepareDelay}},
		},
		{
			name:  "two pauses: twice",
			steps: []step{{change: a}, {after: 2 * prepareDelay, change: a}},
			want:  []prepared{{a, prepareDelay}, {a, 3 * prepareDelay}},
		},
		{
			name:  "saved before the pause ends: never",
			steps: []step{{change: a}, {after: prepareDelay / 2, cancel: a}},
			want:  nil,
		},
		{
			name:  "a save of another document leaves it waiting",
			steps: []step{{change: a}, {after: prepareDelay / 2, cancel: b}},
			want:  []prepared{{a, prepareDelay}},
		},
		{
			name:  "two documents each their own wait",
			steps: []step{{change: a}, {after: prepareDelay / 2, change: b}},
			want:  []prepared{{a, prepareDelay}, {b, 3 * prepareDelay / 2}},
		},
		{
			name:  "saved right after typing: prepared at the willSave",
			steps: []step{{change: a}, {after: 10 * time.Millisecond, willSave: a}},
			want:  []prepared{{a, 10 * time.Millisecond}},
		},
		{
			name:  "a change after the willSave (a formatter's): at once",
			steps: []step{{willSave: a}, {after: 5 * time.Millisecond, change: a}},
			want:  []prepared{{a, 5 * time.Millisecond}},
		},
		{
			name:  "a willSave with nothing changed: nothing",
			steps: []step{{willSave: a}},
			want:  nil,
		},
		{
			name:  "a willSave of another document leaves the wait",
			steps: []step{{change: a}, {after: 10 * time.Millisecond, willSave: b}},
			want:  []prepared{{a, prepareDelay}},
		},
		{
			name:  "after the save, changes wait again",
			steps: []step{{willSave: a}, {after: 5 * time.Millisecond, cancel: a}, {after: 5 * time.Millisecond, change: a}},
			want:  []prepared{{a, 10*time.Millisecond + prepareDelay}},
		},
		{
			name:  "a save that never came: its announcement lapses",
			steps: []step{{willSave: a}, {after: warmFor, change: a}},
			want:  []prepared{{a, warmFor + prepareDelay}},
		},
		{
			name:  "changes while one runs: one more, once it ends",
			takes: takes,
			steps: []step{{willSave: a}, {change: a}, {after: 5 * time.Millisecond, change: a}, {after: 5 * time.Millisecond, change: a}},
			want:  []prepared{{a, 0}, {a, takes}},
		},
		{
			name:  "saved while one runs: no more",
			takes: takes,
			steps: []step{{willSave: a}, {change: a}, {after: 5 * time.Millisecond, change: a}, {after: 5 * time.Millisecond, cancel: a}},
			want:  []prepared{{a, 0}},
		},
		{
			name:  "another document does not wait for it",
			takes: takes,
			steps: []step{{willSave: a}, {change: a}, {after: 5 * time.Millisecond, willSave: b}, {change: b}},
			want:  []prepared{{a, 0}, {b, 5 * time.Millisecond}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var mu sync.Mutex
				var got []prepared
				start := time.Now()
				p := newPreparer(func(u uri.URI) {
					mu.Lock()
					got = append(got, prepared{u, time.Since(start)})
					mu.Unlock()
					time.Sleep(tt.takes)
				})
				for _, s := range tt.steps {
					time.Sleep(s.after)
					if s.change != "" {
						p.changed(s.change)
					}
					if s.willSave != "" {
						p.willSave(s.willSave)
					}
					if s.cancel != "" {
						p.cancel(s.cancel)
					}
					synctest.Wait() // what the step starts at once has started
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

// The server's handlers drive the preparer as an editor's notifications
// come: a save announced right after typing, or a formatter's edit after
// the announcement, is prepared at once, not prepareDelay later.
func TestAnAnnouncedSaveIsPreparedAtOnce(t *testing.T) {
	tests := []struct {
		name  string
		steps func(s *server, doc protocol.TextDocumentIdentifier)
		want  time.Duration // when the document is prepared
	}{
		{
			name: "typed, then saved 10 ms later",
			steps: func(s *server, doc protocol.TextDocumentIdentifier) {
				changeText(s, doc, "print(7)\n")
				time.Sleep(10 * time.Millisecond)
				_ = s.WillSave(context.Background(), &protocol.WillSaveTextDocumentParams{TextDocument: doc})
			},
			want: 10 * time.Millisecond,
		},
		{
			name: "a formatter's edit 5 ms after the willSave",
			steps: func(s *server, doc protocol.TextDocumentIdentifier) {
				_ = s.WillSave(context.Background(), &protocol.WillSaveTextDocumentParams{TextDocument: doc})
				time.Sleep(5 * time.Millisecond)
				changeText(s, doc, "print(7)\n")
			},
			want: 5 * time.Millisecond,
		},
		{
			name: "typed with no save announced",
			steps: func(s *server, doc protocol.TextDocumentIdentifier) {
				changeText(s, doc, "print(7)\n")
			},
			want: prepareDelay,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newServer(nil, zap.NewNop())
				s.state = serverInitialized
				var mu sync.Mutex
				var got []time.Duration
				start := time.Now()
				s.prepares = newPreparer(func(uri.URI) {
					mu.Lock()
					got = append(got, time.Since(start))
					mu.Unlock()
				})
				doc := protocol.TextDocumentIdentifier{URI: uri.File("/ws/lib.py")}
				_ = s.DidOpen(context.Background(), &protocol.DidOpenTextDocumentParams{TextDocument: protocol.TextDocumentItem{URI: doc.URI, Version: 1, Text: "print(6)\n"}})
				tt.steps(s, doc)
				time.Sleep(10 * prepareDelay)
				synctest.Wait()
				s.close()
				mu.Lock()
				defer mu.Unlock()
				if !slices.Equal(got, []time.Duration{tt.want}) {
					t.Errorf("prepared at %v, want at %v", got, tt.want)
				}
			})
		})
	}
}

// changeText sends s the whole new text of doc, as an editor does.
func changeText(s *server, doc protocol.TextDocumentIdentifier, text string) {
	_ = s.DidChange(context.Background(), &protocol.DidChangeTextDocumentParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: doc, Version: 2},
		ContentChanges: []protocol.TextDocumentContentChangeEvent{&protocol.TextDocumentContentChangeWholeDocument{Text: text}},
	})
}
