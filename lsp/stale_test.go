package lsp

import (
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/reload"
)

// A late note (old code a save replaced ran again) is a Warning message
// and a Warning on its def line, which stays until the file's next clean
// save or a new runtime.
func TestALateNoteStaysUntilItsFileIsSavedOrTheRuntimeIsNew(t *testing.T) {
	tests := []struct {
		name     string
		then     func(s *server, e *fakeEditor)
		wantKept bool
	}{
		{"its file saved", func(s *server, e *fakeEditor) {
			s.reportReload(&reload.Result{Module: "feed", Path: e.path("feed.py"), Started: time.Now(), Reloaded: []string{"feed"}})
		}, false},
		{"its file saved and rolled back", func(s *server, e *fakeEditor) {
			s.reportReload(&reload.Result{Module: "feed", Path: e.path("feed.py"), Started: time.Now(), RolledBack: true,
				Exception: &reload.Exception{Type: "RuntimeError", Text: "RuntimeError\n"}})
		}, true},
		{"another file saved", func(s *server, e *fakeEditor) {
			s.reportReload(&reload.Result{Module: "app", Path: e.path("app.py"), Started: time.Now(), Reloaded: []string{"app"}})
		}, true},
		{"a new runtime", func(s *server, e *fakeEditor) {
			s.runtimeStarted(reload.RuntimeInfo{Pid: 1})
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e := newBareServer(t)
			note := reload.Note{Text: "feed.numbers: a generator made before a save ran its old code again", Path: e.path("feed.py"), Line: 1, Source: "def numbers():"}
			s.reportStale(note)
			s.reportStale(note) // a repeat adds nothing
			e.awaitMessage(0, note.Text)
			e.awaitDiagnostics("feed.py", "the late note", func(d []protocol.Diagnostic) bool {
				return len(d) == 1 && d[0].Severity == protocol.DiagnosticSeverityWarning && d[0].Range.Start.Line == 0 &&
					strings.Contains(message(d[0]), "ran its old code again")
			})

			tt.then(s, e)
			if !tt.wantKept {
				e.awaitDiagnostics("feed.py", "the late note taken off", func(d []protocol.Diagnostic) bool {
					return !containsMessage(d, "ran its old code again")
				})
				return
			}
			// The save's own message (after the late note's two) comes after
			// its diagnostics.
			e.awaitMessage(2, "")
			e.mu.Lock()
			defer e.mu.Unlock()
			if !containsMessage(e.diagnostics["feed.py"], "ran its old code again") {
				t.Errorf("the late note was taken off: %v", e.diagnostics["feed.py"])
			}
		})
	}
}

func containsMessage(diags []protocol.Diagnostic, substr string) bool {
	for _, d := range diags {
		if strings.Contains(message(d), substr) {
			return true
		}
	}
	return false
}
