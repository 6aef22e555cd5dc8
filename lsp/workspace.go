package lsp

import (
	"context"

	"go.lsp.dev/protocol"
	"go.uber.org/zap"
)

// pyprojectWatchID is the id of the registration that watches pyproject.toml.
const pyprojectWatchID = "hotload-pyproject"

// watchPyproject asks the client to report changes to pyproject.toml files
// (workspace/didChangeWatchedFiles), where it supports registering for them:
// editors send didSave only for the files the server is attached to, which
// pyproject.toml usually is not, and a change made outside the editor
// would go unseen. It asks the client, so it must not run on the read loop.
func (s *server) watchPyproject(ctx context.Context) {
	err := s.client.RegisterCapability(ctx, &protocol.RegistrationParams{Registrations: []protocol.Registration{{
		ID:              pyprojectWatchID,
		Method:          protocol.MethodWorkspaceDidChangeWatchedFiles,
		RegisterOptions: protocol.LSPAny(`{"watchers":[{"globPattern":"**/pyproject.toml"}]}`),
	}}})
	if err != nil {
		s.logger.Warn("the editor did not take the pyproject.toml watcher; save pyproject.toml in the editor to apply its changes", zap.Error(err))
	}
}

// DidChangeWatchedFiles reads the settings again when the pyproject.toml
// they come from changed, was created or was deleted.
func (s *server) DidChangeWatchedFiles(ctx context.Context, params *protocol.DidChangeWatchedFilesParams) error {
	for _, change := range params.Changes {
		if s.isProjectFile(change.URI) {
			s.reconfigure()
			return nil
		}
	}
	return nil
}
