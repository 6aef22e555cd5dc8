package lsp

import (
	"context"
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"
)

// document is an open text document as the editor has it.
type document struct {
	version int32
	text    string
}

func (s *server) DidOpen(ctx context.Context, params *protocol.DidOpenTextDocumentParams) error {
	item := params.TextDocument
	s.docsMu.Lock()
	s.docs[item.URI] = &document{version: item.Version, text: item.Text}
	s.docsMu.Unlock()
	return nil
}

func (s *server) DidChange(ctx context.Context, params *protocol.DidChangeTextDocumentParams) error {
	s.docsMu.Lock()
	defer s.docsMu.Unlock()
	doc := s.docs[params.TextDocument.URI]
	if doc == nil {
		s.logger.Warn("didChange of a document that is not open", zap.String("uri", string(params.TextDocument.URI)))
		return nil
	}
	for _, change := range params.ContentChanges {
		// The server asks for full sync, so every change is the whole text.
		if whole, ok := change.(*protocol.TextDocumentContentChangeWholeDocument); ok {
			doc.text = whole.Text
		}
	}
	doc.version = params.TextDocument.Version
	s.forgetResults(params.TextDocument.URI) // they sit at positions that moved
	s.prepares.changed(params.TextDocument.URI)
	return nil
}

func (s *server) DidClose(ctx context.Context, params *protocol.DidCloseTextDocumentParams) error {
	s.docsMu.Lock()
	delete(s.docs, params.TextDocument.URI)
	s.docsMu.Unlock()
	s.prepares.cancel(params.TextDocument.URI)
	s.warms.saved(params.TextDocument.URI)
	s.forgetResults(params.TextDocument.URI)
	return nil
}

// WillSave readies the runtime for the save of a Python file of the
// workspace: the editor sends it before it writes the file, and the didSave
// that reloads it comes milliseconds later. The text not yet compiled is
// compiled at once (prepare.go), and the runtime is warmed (warm.go).
func (s *server) WillSave(ctx context.Context, params *protocol.WillSaveTextDocumentParams) error {
	if s.lifecycle() == serverCreated {
		return nil // the gate drops it already; kept for direct callers
	}
	u := params.TextDocument.URI
	if _, ok := s.workspaceFile(u); ok {
		s.prepares.willSave(u)
		s.warms.willSave(u)
	}
	return nil
}

// DidSave reloads a saved Python file that lies in the workspace. The reload
// is queued here, on the read loop, so a request sent after the save finds
// it queued; it runs off the read loop and is reported when it is done.
func (s *server) DidSave(ctx context.Context, params *protocol.DidSaveTextDocumentParams) error {
	if s.lifecycle() == serverCreated {
		return nil // the gate drops it already; kept for direct callers
	}
	u := params.TextDocument.URI
	s.prepares.cancel(u) // the save compiles what it reads
	s.warms.saved(u)
	if s.isProjectFile(u) {
		s.reconfigure() // [tool.hotload] may have changed
		return nil
	}
	saved, ok := pythonFile(u)
	if !ok {
		// A template's framework may keep it compiled; a README's save
		// reaches no adapter, and says nothing.
		s.filesChanged([]uri.URI{u})
		return nil
	}
	path, ok := s.workspacePath(saved)
	if !ok {
		s.savedOutside(ctx, saved)
		return nil
	}
	s.queueSave(path)
	return nil
}

// isProjectFile reports whether u is the pyproject.toml settings are read from.
func (s *server) isProjectFile(u uri.URI) bool {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	return u.IsFile() && len(s.folders) > 0 && u.FsPath() == filepath.Join(s.folders[0], "pyproject.toml")
}

// pythonFile returns the path of a file: URI naming a Python source file.
func pythonFile(u uri.URI) (string, bool) {
	if !u.IsFile() {
		return "", false
	}
	path := u.FsPath()
	return path, strings.HasSuffix(path, ".py")
}

// workspaceFile returns the path of u, a Python file of the workspace, as
// workspacePath names it, and whether u is one.
func (s *server) workspaceFile(u uri.URI) (string, bool) {
	path, ok := pythonFile(u)
	if !ok {
		return "", false
	}
	return s.workspacePath(path)
}

// documentText returns the editor's text of an open document.
func (s *server) documentText(u uri.URI) (string, bool) {
	s.docsMu.Lock()
	defer s.docsMu.Unlock()
	doc := s.docs[u]
	if doc == nil {
		return "", false
	}
	return doc.text, true
}
