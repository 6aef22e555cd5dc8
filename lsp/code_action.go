package lsp

import (
	"context"
	"encoding/json"
	"strings"

	"go.lsp.dev/protocol"
)

// CodeAction offers "Evaluate module" (kind source) on every Python file.
func (s *server) CodeAction(ctx context.Context, params *protocol.CodeActionParams) ([]protocol.CommandOrCodeAction, error) {
	u := params.TextDocument.URI
	if _, ok := pythonFile(u); !ok || !wantsKind(params.Context.Only, protocol.CodeActionKindSource) {
		return nil, nil
	}
	arg, err := json.Marshal(string(u))
	if err != nil {
		return nil, err
	}
	kind := protocol.CodeActionKindSource
	return []protocol.CommandOrCodeAction{&protocol.CodeAction{
		Title: "Evaluate module",
		Kind:  &kind,
		Command: protocol.Command{
			Title:     "Evaluate module",
			Command:   commandEvaluateModule,
			Arguments: []protocol.LSPAny{arg},
		},
	}}, nil
}

// wantsKind reports whether a client's "only" filter admits kind: an empty
// filter admits all, and "source" admits "source" and "source.x".
func wantsKind(only []protocol.CodeActionKind, kind protocol.CodeActionKind) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if o == kind || strings.HasPrefix(string(kind), string(o)+".") {
			return true
		}
	}
	return false
}
