package lsp

import (
	"context"
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"
)

// resolveFolders returns each workspace folder with its symbolic links
// resolved, found once, when the folders are known: a file the editor
// names through another path to a folder (the folder is a link and
// go-to-definition gave the resolved path, or the other way round) is
// still the folder's file. A folder that cannot be resolved (it does not
// exist) stays as it is.
func resolveFolders(folders []string) []string {
	resolved := make([]string, len(folders))
	for i, f := range folders {
		real, err := filepath.EvalSymlinks(f)
		if err != nil {
			real = filepath.Clean(f)
		}
		resolved[i] = real
	}
	return resolved
}

// workspacePath returns path as it lies in a workspace folder, named
// through the folder as the editor named it (as the runtime imports it),
// and whether it lies in one. A path outside every folder as written is
// taken with the links of its folder resolved: only then is the file
// system asked. With no folders (an editor opened a lone file) every file
// counts: there is no workspace to be outside of.
func (s *server) workspacePath(path string) (string, bool) {
	s.stateMu.Lock()
	folders, resolved := s.folders, s.resolvedFolders
	s.stateMu.Unlock()
	if len(folders) == 0 {
		return path, true
	}
	for _, f := range folders {
		if _, ok := relativeTo(f, path); ok {
			return path, true
		}
	}
	// The folder's links only: a file that is itself a link to elsewhere
	// is the workspace's file under the name it has there.
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		return path, false
	}
	real := filepath.Join(dir, filepath.Base(path))
	for i, f := range resolved {
		if rel, ok := relativeTo(f, real); ok {
			return filepath.Join(folders[i], rel), true
		}
	}
	return path, false
}

// relativeTo returns path relative to folder, and whether path is folder
// or lies under it. A name that starts with two dots (`..data/`) lies
// under it; only `..` itself climbs out.
func relativeTo(folder, path string) (string, bool) {
	rel, err := filepath.Rel(folder, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return rel, true
}

// savedOutside tells the user, the first time a Python file outside the
// workspace folders is saved, that saving it reloads nothing and why;
// later saves of it are only logged, so that every save is not a popup.
func (s *server) savedOutside(ctx context.Context, path string) {
	s.stateMu.Lock()
	first := !s.toldOutside[path]
	s.toldOutside[path] = true
	folders := strings.Join(s.folders, ", ")
	s.stateMu.Unlock()
	s.log(ctx, protocol.MessageTypeLog, "hotload: not reloading "+path+": it is outside the workspace folders")
	if first {
		s.show(ctx, protocol.MessageTypeWarning, "hotload: "+path+" is not reloaded on save: it is outside the workspace folders ("+folders+"). "+
			"Add its folder to the workspace to reload it. Later saves of it are only logged.")
	}
}
