package reload_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hotload-dev/hotload/reload"
)

// writeTree creates each file (slash-separated, relative to dir) with a line
// of source, and its folders.
func writeTree(t *testing.T, dir string, files ...string) {
	t.Helper()
	for _, name := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("# "+name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// newWorkspace builds the workspace every layout test looks at:
//
//	lib.py                 top level
//	src/pkg/...            a src/ layout with a nested package
//	scripts/tool.py        a folder that is not a package
//	scripts/sp/m.py        a package inside it
//	app/                   a package at the top level
//	vendor/ext.py          an extra path, given relative
//	third_party/dep.py     an extra path that is also a package
//
// and a folder outside it. It returns the workspace, the outside folder and
// the layout engine.New would build.
func newWorkspace(t *testing.T) (ws, outside string, l reload.Layout) {
	t.Helper()
	ws, outside = t.TempDir(), t.TempDir()
	writeTree(t, ws,
		"lib.py",
		"src/pkg/__init__.py", "src/pkg/mod.py",
		"src/pkg/sub/__init__.py", "src/pkg/sub/deep.py",
		"scripts/tool.py", "scripts/sp/__init__.py", "scripts/sp/m.py",
		"app/__init__.py", "app/views.py",
		"vendor/ext.py",
		"third_party/__init__.py", "third_party/dep.py",
	)
	writeTree(t, outside, "solo.py", "opkg/__init__.py", "opkg/m.py")
	return ws, outside, reload.NewLayout([]string{ws}, []string{"vendor", "third_party"})
}

func TestModuleFor(t *testing.T) {
	t.Parallel()
	ws, outside, l := newWorkspace(t)
	src := filepath.Join(ws, "src")
	tests := []struct {
		path      string
		name      string
		pathEntry string
		inRoot    bool
	}{
		{filepath.Join(ws, "lib.py"), "lib", ws, true},
		// src/ is a longer root than the workspace, so it decides the name.
		{filepath.Join(src, "pkg", "mod.py"), "pkg.mod", src, true},
		{filepath.Join(src, "pkg", "__init__.py"), "pkg", src, true},
		{filepath.Join(src, "pkg", "sub", "deep.py"), "pkg.sub.deep", src, true},
		{filepath.Join(src, "pkg", "sub", "__init__.py"), "pkg.sub", src, true},
		// A path that is not clean names the same module.
		{filepath.Join(src, "pkg") + "/../pkg/./mod.py", "pkg.mod", src, true},
		// A folder without __init__.py is where `python scripts/tool.py` imports from.
		{filepath.Join(ws, "scripts", "tool.py"), "tool", filepath.Join(ws, "scripts"), true},
		{filepath.Join(ws, "scripts", "sp", "m.py"), "sp.m", filepath.Join(ws, "scripts"), true},
		{filepath.Join(ws, "app", "views.py"), "app.views", ws, true},
		{filepath.Join(ws, "app", "__init__.py"), "app", ws, true},
		{filepath.Join(ws, "vendor", "ext.py"), "ext", filepath.Join(ws, "vendor"), true},
		// The longest root decides, even over the workspace's package third_party.
		{filepath.Join(ws, "third_party", "dep.py"), "dep", filepath.Join(ws, "third_party"), true},
		// Outside every root a file is a top-level module, even in a package.
		{filepath.Join(outside, "solo.py"), "solo", outside, false},
		{filepath.Join(outside, "opkg", "m.py"), "m", filepath.Join(outside, "opkg"), false},
	}
	for _, tt := range tests {
		m, err := l.ModuleFor(tt.path)
		if err != nil {
			t.Errorf("ModuleFor(%q) error: %v", tt.path, err)
			continue
		}
		if m.Name != tt.name {
			t.Errorf("ModuleFor(%q).Name = %q, want %q", tt.path, m.Name, tt.name)
		}
		if m.PathEntry != tt.pathEntry {
			t.Errorf("ModuleFor(%q).PathEntry = %q, want %q", tt.path, m.PathEntry, tt.pathEntry)
		}
		if m.InRoot != tt.inRoot {
			t.Errorf("ModuleFor(%q).InRoot = %v, want %v", tt.path, m.InRoot, tt.inRoot)
		}
		if want := filepath.Clean(tt.path); m.Path != want {
			t.Errorf("ModuleFor(%q).Path = %q, want %q", tt.path, m.Path, want)
		}
	}
}

// A relative import that climbs above a file's packages makes the folders
// without __init__.py above it namespace packages, named from the root.
func TestModuleForRelativeImports(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	files := map[string]string{
		"ns/main.py":             "from .utils import f\n",
		"ns/utils.py":            "def f():\n    return 1\n",
		"ns/deep/mod.py":         "import os\n\nfrom ..utils import f\n",
		"ns/lazy.py":             "def g():\n    from .utils import f\n    return f()\n",
		"ns/quoted.py":           "x = 'from .utils import f'\n",
		"ns/late.py":             strings.Repeat("#\n", 40<<10) + "from .utils import f\n",
		"scripts/sp/__init__.py": "from . import m\n",
		"scripts/sp/m.py":        "from . import n\n",
		"scripts/sp/n.py":        "from .. import tool\n",
		"top.py":                 "from . import lib\n",
	}
	for name, src := range files {
		path := filepath.Join(ws, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l := reload.NewLayout([]string{ws}, nil)
	tests := []struct {
		file, name, pathEntry string
	}{
		{"ns/main.py", "ns.main", ""},
		{"ns/utils.py", "utils", "ns"}, // no relative import: named as `python ns/utils.py` sees it
		{"ns/deep/mod.py", "ns.deep.mod", ""},
		{"ns/lazy.py", "ns.lazy", ""}, // an import inside a function counts
		{"ns/quoted.py", "quoted", "ns"},
		{"ns/late.py", "late", "ns"},                // past the first 64 KiB: not read
		{"scripts/sp/__init__.py", "sp", "scripts"}, // within its package
		{"scripts/sp/m.py", "sp.m", "scripts"},
		{"scripts/sp/n.py", "scripts.sp.n", ""},
		{"top.py", "top", ""}, // at the root: nothing above to climb to
	}
	for _, tt := range tests {
		mod, err := l.ModuleFor(filepath.Join(ws, filepath.FromSlash(tt.file)))
		if err != nil {
			t.Fatalf("ModuleFor(%s): %v", tt.file, err)
		}
		if entry := filepath.Join(ws, filepath.FromSlash(tt.pathEntry)); mod.Name != tt.name || mod.PathEntry != entry {
			t.Errorf("ModuleFor(%s) = %q from %s, want %q from %s", tt.file, mod.Name, mod.PathEntry, tt.name, entry)
		}
	}
}

func TestModuleForErrors(t *testing.T) {
	t.Parallel()
	ws, _, l := newWorkspace(t)
	tests := []struct {
		path      string
		notPython bool // the error wraps ErrNotPython
	}{
		{filepath.Join(ws, "README.md"), true},
		{filepath.Join(ws, "lib.pyc"), true},
		{filepath.Join(ws, "src", "pkg"), true},
		// A relative path has no single meaning: relative to what?
		{"lib.py", false},
		{filepath.Join("src", "pkg", "mod.py"), false},
	}
	for _, tt := range tests {
		m, err := l.ModuleFor(tt.path)
		if err == nil {
			t.Errorf("ModuleFor(%q) = %+v, want an error", tt.path, m)
			continue
		}
		if got := errors.Is(err, reload.ErrNotPython); got != tt.notPython {
			t.Errorf("ModuleFor(%q) error %q: errors.Is(err, ErrNotPython) = %v, want %v", tt.path, err, got, tt.notPython)
		}
	}
}

func TestNewLayoutSysPath(t *testing.T) {
	t.Parallel()
	ws, other := t.TempDir(), t.TempDir()
	writeTree(t, ws, "src/pkg/__init__.py")
	writeTree(t, other, "lib.py") // no src/: only the folder itself is a root
	deep := filepath.Join(ws, "third_party", "libs")
	tests := []struct {
		desc       string
		folders    []string
		extraPaths []string
		want       []string // the roots, in any order
	}{
		{"no folders", nil, nil, nil},
		{"folder without src", []string{other}, nil, []string{other}},
		{"src layout", []string{ws}, nil, []string{ws, filepath.Join(ws, "src")}},
		{
			"relative extra paths come from the first folder",
			[]string{ws, other}, []string{"vendor", "third_party/libs"},
			[]string{ws, filepath.Join(ws, "src"), other, filepath.Join(ws, "vendor"), deep},
		},
		{"absolute extra path", []string{other}, []string{deep}, []string{other, deep}},
	}
	for _, tt := range tests {
		l := reload.NewLayout(tt.folders, tt.extraPaths)
		before := slices.Clone(l.Roots)
		got := l.SysPath()
		if !sameSet(got, tt.want) {
			t.Errorf("%s: NewLayout(%q, %q).SysPath() = %q, want the roots %q", tt.desc, tt.folders, tt.extraPaths, got, tt.want)
			continue
		}
		// A nested root must come first, or the workspace folder would shadow
		// `src/pkg` with a namespace package `src`.
		for i, outer := range got {
			for _, inner := range got[i+1:] {
				if inner != outer && within(inner, outer) {
					t.Errorf("%s: SysPath() = %q: %q comes after %q, which contains it", tt.desc, got, inner, outer)
				}
			}
		}
		// Layout is a value: asking for its sys.path must not reorder it.
		if !slices.Equal(l.Roots, before) {
			t.Errorf("%s: SysPath() changed Roots from %q to %q", tt.desc, before, l.Roots)
		}
	}
}

func TestLayoutContains(t *testing.T) {
	t.Parallel()
	ws, outside, l := newWorkspace(t)
	tests := []struct {
		path string
		want bool
	}{
		{ws, true},
		{filepath.Join(ws, "lib.py"), true},
		{filepath.Join(ws, "src", "pkg", "mod.py"), true},
		{filepath.Join(ws, "vendor", "ext.py"), true},
		{filepath.Join(ws, "not", "yet", "created.py"), true},
		{filepath.Join(outside, "solo.py"), false},
		{filepath.Dir(ws), false},
		// A sibling whose name starts with the workspace's is not inside it.
		{ws + "-other/lib.py", false},
		{filepath.Join(ws, "..", filepath.Base(outside), "solo.py"), false},
	}
	for _, tt := range tests {
		if got := l.Contains(tt.path); got != tt.want {
			t.Errorf("Contains(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestLayoutZeroValue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, "pkg/__init__.py", "pkg/mod.py")
	path := filepath.Join(dir, "pkg", "mod.py")
	var l reload.Layout
	m, err := l.ModuleFor(path)
	if err != nil {
		t.Fatalf("Layout{}.ModuleFor(%q) error: %v", path, err)
	}
	// With no roots nothing is a package: the file loads by its stem.
	want := reload.Module{Name: "mod", Path: path, PathEntry: filepath.Join(dir, "pkg"), InRoot: false}
	if m != want {
		t.Errorf("Layout{}.ModuleFor(%q) = %+v, want %+v", path, m, want)
	}
	if l.Contains(path) {
		t.Errorf("Layout{}.Contains(%q) = true, want false", path)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// within reports whether path is root or lies under it.
func within(path, root string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
