package lsp

import (
	"context"

	"go.lsp.dev/protocol"

	"github.com/hotload-dev/hotload/reload"
)

// staleOwnerPrefix starts the diagnostics owner of the late notes on one
// file: old code that a save replaced and that ran again afterwards.
const staleOwnerPrefix = "stale:"

// reportStale shows a late note: old code a save replaced ran again (a
// generator made before the save resumed), which the save could not see.
// It is a Warning message, logged, and a Warning on the def line of the
// function, which stays until that file's next clean save (which watches
// the old code again) or a new runtime (where no old code runs).
func (s *server) reportStale(n reload.Note) {
	s.show(s.ctx, protocol.MessageTypeWarning, "hotload: "+n.Text)
	s.log(s.ctx, protocol.MessageTypeWarning, "hotload: "+n.Text)
	if n.Path == "" || n.Line <= 0 || !s.userCode("")(n.Path) {
		return
	}
	s.addDiagnostic(s.ctx, staleOwnerPrefix+n.Path, fileURI(n.Path), noteDiagnostic(n))
}

// clearStale takes off the late notes on path, or with path "" on every file.
func (s *server) clearStale(ctx context.Context, path string) {
	if path != "" {
		s.setDiagnostics(ctx, staleOwnerPrefix+path, nil)
		return
	}
	s.clearOwners(ctx, staleOwnerPrefix)
}
