// Package reload is hotload's editor-agnostic engine: it maps files to Python
// modules, runs them in a warm runtime with saves of one module coalesced,
// and turns what the runtime says into a Result.
package reload

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// ErrNotPython reports a file that is not a Python source file.
var ErrNotPython = errors.New("reload: not a Python file")

// Module is a Python module backed by a source file.
type Module struct {
	// Name is the dotted module name, such as "pkg.mod".
	Name string
	// Path is the absolute path of the source file.
	Path string
	// PathEntry is the sys.path folder the module is imported from.
	PathEntry string
	// InRoot reports whether the file lies under one of the layout's roots.
	// A file outside every root loads by its stem from its own folder.
	InRoot bool
}

// Layout knows where modules are imported from, like sys.path does.
// The zero value has no roots: every file loads by its stem from its folder.
type Layout struct {
	// Roots are the import roots, absolute, in no particular order: the
	// longest one containing a file decides its module name.
	Roots []string
}

// NewLayout returns the layout of workspace folders: each folder and its
// src/ folder if it has one, plus extraPaths (relative ones are taken from
// the first folder).
func NewLayout(folders, extraPaths []string) Layout {
	var roots []string
	for _, f := range folders {
		roots = append(roots, filepath.Clean(f))
		if isDir(filepath.Join(f, "src")) {
			roots = append(roots, filepath.Join(f, "src"))
		}
	}
	for _, p := range extraPaths {
		if !filepath.IsAbs(p) && len(folders) > 0 {
			p = filepath.Join(folders[0], p)
		}
		roots = append(roots, filepath.Clean(p))
	}
	return Layout{Roots: roots}
}

// SysPath returns the folders to put on sys.path, most specific first, so
// `src/` and extra paths win over the workspace folder that contains them.
func (l Layout) SysPath() []string {
	paths := slices.Clone(l.Roots)
	// Longer paths first: a nested root is more specific than its parent.
	slices.SortStableFunc(paths, func(a, b string) int { return len(b) - len(a) })
	return paths
}

// ModuleFor returns the module that the file at path is.
//
// Under the longest root that contains it, the file's name is its path from
// the nearest folder that is not a package (has no __init__.py), so
// `src/pkg/mod.py` is "pkg.mod" and `scripts/tool.py` is "tool" imported from
// scripts/, as `python scripts/tool.py` would see it. A file whose relative
// imports climb above its packages (`from .utils import f` in app/main.py,
// app/ without __init__.py) cannot run that way: it is named from the root
// through those folders, namespace packages, "app.main", as `python -m
// app.main` from the root runs it.
func (l Layout) ModuleFor(path string) (Module, error) {
	if !strings.HasSuffix(path, ".py") {
		return Module{}, fmt.Errorf("%w: %s", ErrNotPython, path)
	}
	if !filepath.IsAbs(path) {
		return Module{}, fmt.Errorf("reload: module for %s: path is not absolute", path)
	}
	path = filepath.Clean(path)
	root, inRoot := l.rootOf(path)

	stem := strings.TrimSuffix(filepath.Base(path), ".py")
	dir := filepath.Dir(path)
	var parts []string
	if stem != "__init__" {
		parts = []string{stem}
	} else {
		// A package's __init__.py is the package itself.
		parts = []string{filepath.Base(dir)}
		dir = filepath.Dir(dir)
	}
	if inRoot {
		for dir != root && within(dir, root) && isFile(filepath.Join(dir, "__init__.py")) {
			parts = append([]string{filepath.Base(dir)}, parts...)
			dir = filepath.Dir(dir)
		}
		depth := len(parts) - 1 // the packages a relative import can climb
		if stem == "__init__" {
			depth++
		}
		if dir != root && relativeLevel(path) > depth {
			// The code imports relatively beyond its packages: it is a
			// module of namespace packages (folders without __init__.py),
			// as `python -m app.main` from the root runs it.
			for dir != root && within(dir, root) {
				parts = append([]string{filepath.Base(dir)}, parts...)
				dir = filepath.Dir(dir)
			}
		}
	}
	return Module{Name: strings.Join(parts, "."), Path: path, PathEntry: dir, InRoot: inRoot}, nil
}

// relativeScan is how much of a file relativeLevel reads: imports are at
// its top, and a save of a large generated module should not read it all
// twice.
const relativeScan = 64 << 10

// relativeImport matches the start of a relative import statement.
var relativeImport = regexp.MustCompile(`(?m)^[ \t]*from[ \t]+(\.+)`)

// relativeLevel returns the most leading dots of the relative imports in
// the first relativeScan bytes of the file at path (`from ..core import
// x` is 2), or 0 if it has none or cannot be read.
func relativeLevel(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	head := make([]byte, relativeScan)
	n, _ := io.ReadFull(f, head)
	level := 0
	for _, m := range relativeImport.FindAllSubmatch(head[:n], -1) {
		level = max(level, len(m[1]))
	}
	return level
}

// rootOf returns the longest root that contains path.
func (l Layout) rootOf(path string) (string, bool) {
	best := ""
	for _, r := range l.Roots {
		if within(path, r) && len(r) > len(best) {
			best = r
		}
	}
	return best, best != ""
}

// Contains reports whether path lies under one of the roots.
func (l Layout) Contains(path string) bool {
	_, ok := l.rootOf(filepath.Clean(path))
	return ok
}

// within reports whether path is root or lies under it.
func within(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

func isFile(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}
