package main

import (
	"path/filepath"
	"slices"
	"strings"
)

// watchSet says which files' changes rerun the module: either every .py
// file under a folder, or exactly the files of a list.
type watchSet struct {
	// Root is the folder whose .py files are watched, recursively, skipping
	// the folders skipDir names. It is ignored when Files is not nil.
	Root string
	// Files, if not nil, holds the absolute paths of exactly the files to
	// watch, whatever their names end in.
	Files map[string]bool
}

// newWatchSet returns the set for file, the one that runs, and a list of
// files read from stdin: every .py file under root if the list is empty,
// else the listed files and file itself, whose own edits always rerun it.
func newWatchSet(root, file string, list []string) watchSet {
	if len(list) == 0 {
		return watchSet{Root: root}
	}
	files := make(map[string]bool, len(list)+1)
	for _, p := range list {
		files[filepath.Clean(p)] = true
	}
	files[filepath.Clean(file)] = true
	return watchSet{Files: files}
}

// Matches reports whether a change to the file at path reruns the module.
func (s watchSet) Matches(path string) bool {
	path = filepath.Clean(path)
	if s.Files != nil {
		return s.Files[path]
	}
	name := filepath.Base(path)
	// Hidden files are editor droppings, such as Emacs's .#lib.py lock links.
	if !strings.HasSuffix(name, ".py") || strings.HasPrefix(name, ".") {
		return false
	}
	rel, err := filepath.Rel(s.Root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false
	}
	for _, dir := range strings.Split(filepath.Dir(rel), string(filepath.Separator)) {
		if dir != "." && skipDir(dir) {
			return false
		}
	}
	return true
}

// ListDirs returns the folders that hold the listed files, each once,
// sorted; nil for a Root set, whose folders are found by walking Root.
func (s watchSet) ListDirs() []string {
	var dirs []string
	for p := range s.Files {
		dirs = append(dirs, filepath.Dir(p))
	}
	slices.Sort(dirs)
	return slices.Compact(dirs)
}

// skipDir reports whether a folder of this name holds no source worth
// watching: hidden folders (.git, .venv, .mypy_cache), byte code, virtual
// environments and JavaScript dependencies.
func skipDir(name string) bool {
	switch name {
	case "__pycache__", "venv", "node_modules":
		return true
	}
	return strings.HasPrefix(name, ".")
}
