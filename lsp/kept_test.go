package lsp

import (
	"testing"
	"time"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/reload"
)

// A note that holds until a module runs again (a global report's function
// filled with what lib's old code computed) stays on its line through later
// saves of other modules, and goes when that module runs again or the
// runtime is new.
func TestAKeptNoteStaysUntilItsModuleRunsAgain(t *testing.T) {
	const text = "report._memo: may hold what tax computed through lib.rate before this save: it keeps that until report runs again"
	tests := []struct {
		name     string
		then     func(s *server, e *fakeEditor)
		wantKept bool
	}{
		{"the saved module saved again", func(s *server, e *fakeEditor) {
			s.reportReload(&reload.Result{Module: "lib", Path: e.path("lib.py"), Started: time.Now(), Reloaded: []string{"lib"}})
		}, true},
		{"the saved module's save rolled back", func(s *server, e *fakeEditor) {
			s.reportReload(&reload.Result{Module: "lib", Path: e.path("lib.py"), Started: time.Now(), RolledBack: true,
				Exception: &reload.Exception{Type: "RuntimeError", Text: "RuntimeError\n"}})
		}, true},
		{"its module saved", func(s *server, e *fakeEditor) {
			s.reportReload(&reload.Result{Module: "report", Path: e.path("report.py"), Started: time.Now(), Reloaded: []string{"report"}})
		}, false},
		{"its module re-run by a save", func(s *server, e *fakeEditor) {
			s.reportReload(&reload.Result{Module: "lib", Path: e.path("lib.py"), Started: time.Now(), Reloaded: []string{"lib", "report"}})
		}, false},
		{"a new runtime", func(s *server, e *fakeEditor) {
			s.runtimeStarted(reload.RuntimeInfo{Pid: 1})
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e := newBareServer(t)
			note := reload.Note{Text: text, Path: e.path("report.py"), Line: 7, Source: "        _memo[x] = x * lib.rate()", Until: "report"}
			s.reportReload(&reload.Result{Module: "lib", Path: e.path("lib.py"), Started: time.Now(), Reloaded: []string{"lib"},
				Notes: []reload.Note{note}})
			e.awaitDiagnostics("report.py", "the kept note", func(d []protocol.Diagnostic) bool {
				return len(d) == 1 && d[0].Severity == protocol.DiagnosticSeverityWarning && d[0].Range.Start.Line == 6 &&
					message(d[0]) == text
			})
			e.awaitMessage(0, "")

			tt.then(s, e)
			if !tt.wantKept {
				e.awaitDiagnostics("report.py", "the kept note taken off", func(d []protocol.Diagnostic) bool {
					return !containsMessage(d, text)
				})
				return
			}
			// The second result's message comes after its diagnostics.
			e.awaitMessage(1, "")
			e.mu.Lock()
			defer e.mu.Unlock()
			if !containsMessage(e.diagnostics["report.py"], text) {
				t.Errorf("the kept note was taken off: %v", e.diagnostics["report.py"])
			}
		})
	}
}
