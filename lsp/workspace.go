package lsp

import (
	"context"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
	"go.uber.org/zap"
)

// pyprojectWatchID is the id of the registration that watches pyproject.toml
// and the template folders.
const pyprojectWatchID = "hotload-pyproject"

// watchPyproject asks the client to report changes to pyproject.toml files
// and to the files of folders named templates, Django's and Flask's
// (workspace/didChangeWatchedFiles), where it supports registering for
// them: editors send didSave only for the files the server is attached
// to, which those usually are not, and a change made outside the editor
// would go unseen. It asks the client, so it must not run on the read loop.
func (s *server) watchPyproject(ctx context.Context) {
	err := s.client.RegisterCapability(ctx, &protocol.RegistrationParams{Registrations: []protocol.Registration{{
		ID:              pyprojectWatchID,
		Method:          protocol.MethodWorkspaceDidChangeWatchedFiles,
		RegisterOptions: protocol.LSPAny(`{"watchers":[{"globPattern":"**/pyproject.toml"},{"globPattern":"**/templates/**"}]}`),
	}}})
	if err != nil {
		s.logger.Warn("the editor did not take the pyproject.toml and templates watcher; save pyproject.toml in the editor to apply its changes", zap.Error(err))
	}
}

// DidChangeWatchedFiles reads the settings again when the pyproject.toml
// they come from changed, was created or was deleted, and tells the
// runtime of the other files that changed (templates).
func (s *server) DidChangeWatchedFiles(ctx context.Context, params *protocol.DidChangeWatchedFilesParams) error {
	var others []uri.URI
	project := false
	for _, change := range params.Changes {
		if s.isProjectFile(change.URI) {
			project = true
			continue
		}
		others = append(others, change.URI)
	}
	if project {
		s.reconfigure() // once for a batch
	}
	s.filesChanged(others)
	return nil
}

// filesChanged tells the runtime, off the read loop, that the files of
// the workspace among files that are not Python code changed (a template
// saved), so that what its frameworks keep of them goes (see
// reload.Engine.FilesChanged). What went is logged, not shown: the page
// the user reloads shows the new template, as after a fresh run; a file
// no framework keeps (a README) says nothing. A framework that failed to
// let go of one is shown, as a Warning: its pages may render the old one.
func (s *server) filesChanged(files []uri.URI) {
	var paths []string
	for _, u := range files {
		if !u.IsFile() || strings.HasSuffix(u.FsPath(), ".py") {
			continue
		}
		if path, ok := s.workspacePath(u.FsPath()); ok {
			paths = append(paths, path)
		}
	}
	e := s.engineNow()
	if len(paths) == 0 || e == nil {
		return // no engine yet: no runtime has kept anything
	}
	go func() {
		changed, err := e.FilesChanged(s.ctx, paths)
		if err != nil {
			s.logger.Debug("files changed", zap.Strings("files", paths), zap.Error(err)) // the runtime is gone: it kept nothing
			return
		}
		names := make([]string, len(paths))
		for i, p := range paths {
			names[i] = s.relative(p)
		}
		what := strings.Join(names, ", ")
		if len(changed.Dropped) > 0 {
			s.log(s.ctx, protocol.MessageTypeInfo, fmt.Sprintf("%s changed: emptied %s", what, strings.Join(changed.Dropped, ", ")))
		}
		for _, failed := range changed.Failed {
			msg := fmt.Sprintf("%s changed, but hotload could not empty the framework's template cache (%s): its "+
				"pages may render the old template; restart the runtime", what, failed)
			s.show(s.ctx, protocol.MessageTypeWarning, "hotload: "+msg)
			s.log(s.ctx, protocol.MessageTypeWarning, msg)
		}
	}()
}
