package lsp

import (
	"context"
	"path/filepath"

	"github.com/hotload-dev/hotload/reload"
)

// keptOwnerPrefix starts the diagnostics owner of the notes that stay true
// until one module runs again (reload.Note.Until), whatever other modules
// are saved meanwhile: a global that module's functions filled with what
// old code computed keeps those values through later saves.
const keptOwnerPrefix = "kept:"

// keepNotes puts the notes of res that hold until a module runs again on
// their lines, under that module's owner, where later saves of other
// modules leave them.
func (s *server) keepNotes(ctx context.Context, res *reload.Result) {
	users := s.userCode(filepath.Dir(res.Path))
	for _, n := range res.Notes {
		if n.Until != "" && n.Path != "" && n.Line > 0 && users(n.Path) {
			s.addDiagnostic(ctx, keptOwnerPrefix+n.Until, fileURI(n.Path), noteDiagnostic(n))
		}
	}
}

// clearKept takes off the kept notes of the modules that ran again, or with
// nil those of every module (a new runtime, where nothing is kept).
func (s *server) clearKept(ctx context.Context, ran []string) {
	if ran == nil {
		s.clearOwners(ctx, keptOwnerPrefix)
		return
	}
	for _, module := range ran {
		s.setDiagnostics(ctx, keptOwnerPrefix+module, nil)
	}
}
