package lsp

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/hotload-dev/hotload/reload"
)

// ranWith records the files loaded when res's module failed, or forgets
// them when it ran to the end.
func (s *server) ranWith(res *reload.Result) {
	s.diagnosticsMu.Lock()
	defer s.diagnosticsMu.Unlock()
	if res.Exception == nil {
		delete(s.failedWith, res.Module)
		return
	}
	if s.failedWith == nil {
		s.failedWith = make(map[string][]string)
	}
	s.failedWith[res.Module] = res.FailedWith
}

// outdateFailures turns into Information the Errors of the modules whose
// last run failed with path loaded, after a fresh run of path (module)
// succeeded. Their Error came from a process that is gone, running the
// path's code before this save: a fresh run of them now may not fail.
// They do not run again (a fresh save runs only the saved module), so
// what they say is kept, as the past it is; their next run replaces it.
func (s *server) outdateFailures(ctx context.Context, module, path string) {
	s.diagnosticsMu.Lock()
	defer s.diagnosticsMu.Unlock()
	for other, files := range s.failedWith {
		if other == module || !slices.Contains(files, path) {
			continue
		}
		delete(s.failedWith, other)
		byFile := make(map[uri.URI][]protocol.Diagnostic)
		for u, ds := range s.diagnostics[other] {
			for _, d := range ds {
				if d.Severity == protocol.DiagnosticSeverityError {
					d.Severity = protocol.DiagnosticSeverityInformation
					d.Message = protocol.String(fmt.Sprintf("from %s's run before the save of %s, which may have fixed it: %v (save %s's file to run it again)",
						other, filepath.Base(path), d.Message, other))
				}
				byFile[u] = append(byFile[u], d)
			}
		}
		s.diagnostics[other] = byFile
		for u := range byFile {
			s.publishLocked(ctx, u)
		}
	}
}
